/**
 * The run store: append-only `results/<runId>.jsonl`, one record per line, the lines of one turn
 * of the event loop written in one call at the end of that turn — a crash (even kill -9) loses
 * only calls in flight.
 *
 * @module
 */
import { forEachLine, parseJsonLines, readJsonLines } from "../util/jsonl.ts";
import { join } from "node:path";
import { isValidRecord, type ResultRecord, ResultRecordSchema } from "../contract/record.ts";
import { validateRunId } from "./run-id.ts";
import { VisionBenchError } from "../contract/errors.ts";

/** A line that could not be read back. */
export interface StoreProblem {
  /** File the line is in (set by {@link readRuns}). */
  path?: string;
  /** 1-based line number. */
  line: number;
  reason: string;
}

/** Records read back, plus the lines that were skipped. */
export interface ReadResult {
  records: ResultRecord[];
  problems: StoreProblem[];
}

/** An open run file made by {@link openRunStore}. */
export interface RunStore {
  readonly path: string;
  /**
   * Appends one record as one line (synchronously: lines never interleave). Throws
   * `VisionBenchError("invalid_response")` instead of writing a line that would not read back
   * (see {@link unreadableField}); the runner turns such answers into error rows first.
   */
  append(record: ResultRecord | CheckedRecord): void;
  /** Writes what is still pending and closes the file. */
  close(): void;
}

const CHECKED: unique symbol = Symbol("checked");

/** A record with its line, checked to read back (made only by {@link checkRecord}). */
export interface CheckedRecord {
  readonly record: ResultRecord;
  readonly line: string;
  readonly [CHECKED]: true;
}

/** Options of {@link openRunStore}. */
export interface RunStoreOptions {
  runId: string;
  /** @default "results" */
  outDir?: string;
  /**
   * fsync after each record. A process crash (kill -9) loses nothing without it — the kernel
   * already has the bytes; fsync only guards against power loss and costs milliseconds per record.
   * @default false
   */
  durable?: boolean;
}

/** Path of a run's JSONL file. */
export function runPath(outDir: string, runId: string): string {
  return join(outDir, `${validateRunId(runId)}.jsonl`);
}

const encoder = new TextEncoder();

/** The first field of a record that would not read back, and what is wrong with it. */
export interface UnreadableField {
  /** Dotted path, e.g. `"inputTokens"` or `"timing.serverMs"`. */
  field: string;
  /** The schema's complaint, e.g. `"Too small: expected number to be >=0"`. */
  problem: string;
  /** What the line would hold there, as JSON, cut short (`null` for Infinity or NaN). */
  value: string;
}

/**
 * Checks a record the way {@link readRun} will see it — written as JSON, parsed, validated — and
 * names the first field that fails, or returns undefined when the line would read back. Catches
 * what the types cannot: a string or negative count from a platform, Infinity written as null.
 *
 * @example
 * ```ts
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const record: ResultRecord;
 * unreadableField({ ...record, inputTokens: -5 });
 * // { field: "inputTokens", problem: "Too small: expected number to be >=0", value: "-5" }
 * ```
 */
export function unreadableField(record: ResultRecord): UnreadableField | undefined {
  return checkRecord(record).unreadable;
}

/**
 * Writes a record as its line once and checks that line (see {@link unreadableField}): either
 * the checked record, which {@link RunStore.append} writes without checking again, or what is
 * wrong with it.
 *
 * @example
 * ```ts
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const record: ResultRecord;
 * declare const store: RunStore;
 * const { checked, unreadable } = checkRecord(record);
 * if (checked) store.append(checked);
 * else console.warn(unreadable);
 * ```
 */
export function checkRecord(
  record: ResultRecord,
): { checked: CheckedRecord; unreadable?: undefined } | {
  checked?: undefined;
  unreadable: UnreadableField;
} {
  const line = JSON.stringify(record);
  // The record as built is checked first, sparing a parse of the line: plain data reads back as
  // it was written, and what JSON would change (Infinity and NaN become null, an undefined array
  // item becomes null) fails this check too. Only then is the line itself read and checked, so
  // the verdict and the field named are what the file would hold.
  if (isValidRecord(record)) {
    return { checked: { record, line, [CHECKED]: true } };
  }
  const { unreadable } = checkLine(line);
  return unreadable ? { unreadable } : { checked: { record, line, [CHECKED]: true } };
}

function checkLine(line: string): { unreadable?: UnreadableField } {
  const written: unknown = JSON.parse(line);
  const parsed = ResultRecordSchema.safeParse(written);
  if (parsed.success) return {};
  const issue = parsed.error.issues[0];
  let value: unknown = written;
  for (const key of issue.path) {
    value = value !== null && typeof value === "object"
      ? (value as Record<PropertyKey, unknown>)[key]
      : undefined;
  }
  const shown = value === undefined ? "undefined" : JSON.stringify(value);
  return {
    unreadable: {
      field: issue.path.join(".") || "(record)",
      problem: issue.message,
      value: shown.length > 40 ? `${shown.slice(0, 40)}…` : shown,
    },
  };
}

/**
 * Opens (creating if needed) the JSONL file of a run for appending.
 *
 * @example
 * ```ts
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const record: ResultRecord;
 * const store = await openRunStore({ runId: "2026-11-25T19-40-12-ab12", outDir: "results" });
 * store.append(record);
 * store.close();
 * ```
 */
export async function openRunStore(options: RunStoreOptions): Promise<RunStore> {
  const outDir = options.outDir ?? "results";
  const path = runPath(outDir, options.runId);
  await Deno.mkdir(outDir, { recursive: true });
  const file = await Deno.open(path, { append: true, create: true, read: true });
  // A run killed mid-write leaves a torn last line; start on a fresh line so the next record is
  // not glued to it (the torn line stays, readers report and skip it).
  const size = (await file.stat()).size;
  if (size > 0) {
    const last = new Uint8Array(1);
    await file.seek(size - 1, Deno.SeekMode.Start);
    await file.read(last);
    if (last[0] !== 0x0a) writeAll(file, encoder.encode("\n"));
  }
  let pending: string[] = [];
  let failed: unknown;
  const flush = () => {
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    try {
      writeAll(file, encoder.encode(lines.join("\n") + "\n"));
      if (options.durable) file.syncDataSync();
    } catch (error) {
      // Thrown by the next append or close: the run stops instead of going on unrecorded.
      failed ??= new VisionBenchError("config", `${path} cannot be written`, { cause: error });
    }
  };
  return {
    path,
    append(record) {
      // The store never holds a line it cannot read back: such a line would vanish from every
      // summary and make each resume call (and pay for) the case again.
      let line: string;
      if (CHECKED in record) {
        line = record.line;
      } else {
        const { checked, unreadable } = checkRecord(record);
        if (!checked) {
          throw new VisionBenchError(
            "invalid_response",
            `record not written: ${unreadable.field}: ${unreadable.problem}`,
          );
        }
        line = checked.line;
      }
      if (failed) throw failed;
      // Lines appended in one turn of the event loop go out in one write, at the end of the
      // turn: before any timer, I/O or signal handler runs, so a crash loses only calls in flight.
      pending.push(line);
      if (pending.length === 1) queueMicrotask(flush);
    },
    close() {
      flush();
      file.close();
      if (failed) throw failed;
    },
  };
}

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  // One write call in practice; the loop only matters if the kernel writes part of it.
  let offset = 0;
  while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
}

/** Options of {@link readRun}. */
export interface ReadRunOptions {
  /** Return no records instead of throwing when the file does not exist. @default false */
  missingOk?: boolean;
}

/**
 * Reads one run file, a chunk at a time (a run of any size fits: no string holds the whole
 * file). Lines that are not valid records (a torn last line after a crash, a hand edit) are
 * skipped and listed in `problems` rather than thrown. For columns at scale, read the run with
 * Polars instead (`loadRunFrame` in lib/analysis/run-frame.ts).
 *
 * @example
 * ```ts
 * const { records, problems } = await readRun("results/2026-11-25T19-40-12-ab12.jsonl");
 * console.log(problems, records);
 * ```
 */
export async function readRun(path: string, options: ReadRunOptions = {}): Promise<ReadResult> {
  try {
    const { values, problems } = await readJsonLines(path, ResultRecordSchema, "record");
    return { records: values, problems };
  } catch (error) {
    if (options.missingOk && error instanceof Deno.errors.NotFound) {
      return { records: [], problems: [] };
    }
    throw error;
  }
}

/**
 * Keys of the cases a run file holds ok — what resume skips — read line by line with
 * `JSON.parse` only: no record is built or validated, so resuming a long run stays cheap. A line
 * that is not JSON or has no string `caseKey` counts as not done.
 *
 * @example
 * ```ts
 * const done = await okCaseKeys("results/2026-11-25T19-40-12-ab12.jsonl");
 * console.log(done);
 * ```
 */
export async function okCaseKeys(path: string): Promise<Set<string>> {
  const keys = new Set<string>();
  try {
    await forEachLine(path, (line) => {
      // Cheap pre-check: a line with neither `"ok"` nor `"final"` cannot be a finished case.
      if (!line.includes('"ok"') && !line.includes('"final"')) return;
      try {
        const value = JSON.parse(line) as { status?: unknown; caseKey?: unknown; final?: unknown };
        const done = value.status === "ok" || value.final === true;
        if (done && typeof value.caseKey === "string") keys.add(value.caseKey);
      } catch { /* a torn line is not a finished case */ }
    });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return keys;
    throw error;
  }
  return keys;
}

/** Parses the text of a run file (see {@link readRun}). */
export function parseRunText(text: string): ReadResult {
  const { values, problems } = parseJsonLines(text, ResultRecordSchema, "record");
  return { records: values, problems };
}

/** Options of {@link readRuns}. */
export interface ReadRunsOptions {
  /** Only these runs. @default every `*.jsonl` in the folder */
  runIds?: string[];
}

/**
 * Reads every run in `dir` and keeps one record per (runId, caseKey): the latest ok one, else the
 * latest error — so a killed-then-resumed run, or a retried error case, shows each case once.
 *
 * @example
 * ```ts
 * const { records } = await readRuns("results");
 * console.log(records);
 * ```
 */
export async function readRuns(dir: string, options: ReadRunsOptions = {}): Promise<ReadResult> {
  const files: string[] = [];
  if (options.runIds) {
    for (const runId of options.runIds) files.push(runPath(dir, runId));
  } else {
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.isFile && entry.name.endsWith(".jsonl")) files.push(join(dir, entry.name));
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return { records: [], problems: [] };
      throw error;
    }
    files.sort();
  }
  const chosen = new Map<string, ResultRecord>();
  const problems: StoreProblem[] = [];
  for (const path of files) {
    const result = await readRun(path, { missingOk: options.runIds === undefined });
    for (const problem of result.problems) problems.push({ ...problem, path });
    for (const record of result.records) {
      const key = `${record.runId}\u0000${record.caseKey}`;
      const previous = chosen.get(key);
      // Records are in file order (= time order), so a later one replaces an earlier one unless
      // that would replace an ok with an error.
      if (!previous || record.status === "ok" || previous.status === "error") {
        chosen.set(key, record);
      }
    }
  }
  return { records: [...chosen.values()], problems };
}
