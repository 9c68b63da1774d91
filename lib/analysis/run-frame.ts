/**
 * Runs as columns, read by Polars' native readers: a run's Parquet file when it is fresh, else its
 * JSON lines through `pl.scanJson` with an explicit schema — lazily, so only the columns asked for
 * are materialized, and no JS object is built per record. The result has the layout of
 * {@link recordsToFrame} (FRAME_COLUMNS), one row per case (the latest ok record, else the latest
 * error), like `readRuns`.
 *
 * Validation stays, without a zod parse per row: lines that are not JSON are found by a
 * line-by-line pass that runs only when Polars cannot read the file (a torn line after a crash),
 * and rows that miss a required field or carry a negative number are found by column
 * expressions. Both are reported with their line number and left out, never fatal.
 *
 * @module
 */
import pl from "nodejs-polars";
import { join } from "node:path";
import { FRAME_COLUMNS } from "./frames.ts";
import { frameColumn, problemReason, schemaFor } from "./run-schema.ts";
import {
  type FrameProblem,
  hasBlankLines,
  nonBlankLines,
  withoutBrokenLines,
} from "./run-lines.ts";

export type { FrameProblem } from "./run-lines.ts";
import { VisionBenchError } from "../contract/errors.ts";

/** What {@link loadRunFrame} read. */
export interface RunFrame {
  frame: pl.DataFrame;
  problems: FrameProblem[];
  /** Each run file read, and whether from its Parquet twin or its JSON lines. */
  sources: { path: string; from: "parquet" | "jsonl" }[];
}

/** Options of {@link loadRunFrame}. */
export interface LoadRunFrameOptions {
  /** Only these runs. @default every `*.jsonl` in the folder */
  runIds?: string[];
  /** Columns of the frame (a subset of FRAME_COLUMNS). @default all of them */
  columns?: readonly string[];
  /**
   * `auto` reads `<runId>.parquet` when it is at least as new as the JSONL, else the JSONL;
   * `jsonl` and `parquet` force one (a missing Parquet file is then an error). @default "auto"
   */
  from?: "auto" | "jsonl" | "parquet";
  /**
   * With `from: "auto"`, write (or refresh) the Parquet file of a run whose Parquet is missing or
   * older than its JSONL, then read that: the first read pays once, the next ones read columns
   * (notebooks that read the same runs again and again). @default false
   */
  refreshParquet?: boolean;
}

/** The columns of the report's leaderboard (`summarize` + error kinds). */
export const SUMMARY_COLUMNS: readonly string[] = [
  "platform",
  "model",
  "variant",
  "promptId",
  "ok",
  "cached",
  "latencyMs",
  "ttftMs",
  "inputTokens",
  "outputTokens",
  "costUsd",
  "batchCostUsd",
  "errorKind",
];

const ROW = "__row";
const PROBLEM = "__problem";

/**
 * The runs of `dir` as one flat frame.
 *
 * @example
 * ```ts
 * import { summarize } from "./summary.ts";
 * const { frame, problems } = await loadRunFrame("results", { columns: SUMMARY_COLUMNS });
 * summarize(frame);
 * console.log(problems);
 * ```
 */
export async function loadRunFrame(
  dir: string,
  options: LoadRunFrameOptions = {},
): Promise<RunFrame> {
  const columns = options.columns ?? FRAME_COLUMNS;
  for (const column of columns) {
    if (!FRAME_COLUMNS.includes(column)) {
      throw new VisionBenchError("config", `not a frame column: ${column}`);
    }
  }
  const paths = await runFiles(dir, options.runIds);
  const frames: pl.DataFrame[] = [];
  const problems: FrameProblem[] = [];
  const sources: RunFrame["sources"] = [];
  for (const path of paths) {
    const parquet = parquetPathOf(path);
    const from = options.from ?? "auto";
    let fresh = from === "auto" && await isFresh(parquet, path);
    if (from === "auto" && !fresh && options.refreshParquet) {
      problems.push(...(await writeRunParquet(path, { force: true })).problems);
      fresh = true;
    }
    if (from === "parquet" || fresh) {
      frames.push(pl.scanParquet(parquet).select(...columns).collectSync());
      sources.push({ path: parquet, from: "parquet" });
      continue;
    }
    const read = await readJsonlColumns(path, columns);
    frames.push(read.frame);
    problems.push(...read.problems);
    sources.push({ path, from: "jsonl" });
  }
  // Categoricals of different files do not concatenate: several runs are joined as strings.
  const frame = frames.length === 0
    ? emptyFrame(columns)
    : frames.length === 1
    ? frames[0]
    : pl.concat(frames.map(asStrings), { how: "vertical" });
  return { frame, problems, sources };
}

/**
 * Writes `<runId>.parquet` beside a run's JSONL (every frame column, one row per case) unless
 * it is already at least as new; returns its path and the problems of the JSONL.
 *
 * @example
 * ```ts
 * await writeRunParquet("results/2026-11-25T19-40-12-ab12.jsonl");
 * ```
 */
export async function writeRunParquet(
  jsonlPath: string,
  options: { force?: boolean } = {},
): Promise<{ path: string; written: boolean; problems: FrameProblem[] }> {
  const path = parquetPathOf(jsonlPath);
  if (!options.force && await isFresh(path, jsonlPath)) {
    return { path, written: false, problems: [] };
  }
  const { frame, problems } = await readJsonlColumns(jsonlPath, FRAME_COLUMNS);
  // Written then renamed, so a reader never sees half a file.
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  // Repeated labels as categoricals (Parquet dictionary pages): a reader groups a million rows
  // on them about twice as fast as on strings (measured by `deno task perf`).
  frame.withColumns(
    ...CATEGORICAL_COLUMNS.filter((column) => frame.columns.includes(column))
      .map((column) => pl.col(column).cast(pl.Categorical)),
  ).writeParquet(temporary);
  await Deno.rename(temporary, path);
  return { path, written: true, problems };
}

/** `results/<runId>.jsonl` → `results/<runId>.parquet`. */
export function parquetPathOf(jsonlPath: string): string {
  return jsonlPath.replace(/\.jsonl$/, "") + ".parquet";
}

async function isFresh(parquet: string, jsonl: string): Promise<boolean> {
  try {
    const [columns, lines] = await Promise.all([Deno.stat(parquet), Deno.stat(jsonl)]);
    return (columns.mtime?.getTime() ?? 0) >= (lines.mtime?.getTime() ?? Infinity);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function runFiles(dir: string, runIds: string[] | undefined): Promise<string[]> {
  if (runIds) {
    return runIds.map((runId) => {
      // Run ids name files: nothing that climbs out of the folder.
      if (!/^[A-Za-z0-9][\w.-]*$/.test(runId)) {
        throw new VisionBenchError("config", `not a run id: ${runId}`);
      }
      return join(dir, `${runId}.jsonl`);
    });
  }
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.endsWith(".jsonl")) files.push(join(dir, entry.name));
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return files.sort();
}

/** A frame with the columns and no rows (Polars reads an empty file with the schema). */
/** Low-cardinality labels stored as categoricals in the Parquet file. */
const CATEGORICAL_COLUMNS = [
  "platform",
  "model",
  "preset",
  "variant",
  "promptId",
  "status",
  "finishReason",
  "costBasis",
  "errorKind",
  "mode",
  "priceId",
];

/** `frame` with every categorical column as plain strings. */
function asStrings(frame: pl.DataFrame): pl.DataFrame {
  const categorical = frame.columns.filter((column) =>
    frame.getColumn(column).dtype.equals(pl.Categorical)
  );
  return categorical.length === 0
    ? frame
    : frame.withColumns(...categorical.map((column) => pl.col(column).cast(pl.Utf8)));
}

function emptyFrame(columns: readonly string[]): pl.DataFrame {
  const path = Deno.makeTempFileSync({ suffix: ".jsonl" });
  try {
    return pl.scanJson(path, { schema: schemaFor(columns) })
      .select(...columns.map((column) => frameColumn(column))).collectSync();
  } finally {
    Deno.removeSync(path);
  }
}

/** One JSONL file as frame columns, validated and reduced to one row per case. */
async function readJsonlColumns(
  path: string,
  columns: readonly string[],
): Promise<{ frame: pl.DataFrame; problems: FrameProblem[] }> {
  let scanned: pl.DataFrame;
  // Row index → file line: the identity, unless blank or broken lines were left out.
  let lineOf: (row: number) => number = (row) => row + 1;
  let exactLines = false;
  const problems: FrameProblem[] = [];
  try {
    scanned = scan(path, columns);
  } catch {
    // Polars stops at the first line that is not JSON; find them all, read the rest.
    const clean = await withoutBrokenLines(path);
    problems.push(...clean.problems);
    try {
      scanned = clean.path ? scan(clean.path, columns) : emptyScanned(columns);
    } finally {
      if (clean.path) await Deno.remove(clean.path);
    }
    lineOf = (row) => clean.lines[row];
    exactLines = true;
  }
  const bad = scanned.filter(pl.col(PROBLEM).isNotNull());
  if (bad.height > 0) {
    if (!exactLines && (await hasBlankLines(path))) lineOf = await nonBlankLines(path);
    for (const row of bad.select(ROW, PROBLEM).toRecords()) {
      problems.push({ path, line: lineOf(row[ROW] as number), reason: row[PROBLEM] as string });
    }
    scanned = scanned.filter(pl.col(PROBLEM).isNull());
  }
  problems.sort((a, b) => a.line - b.line);
  return { frame: latestPerCase(scanned).select(...columns), problems };
}

function emptyScanned(columns: readonly string[]): pl.DataFrame {
  const path = Deno.makeTempFileSync({ suffix: ".jsonl" });
  try {
    return scan(path, columns);
  } finally {
    Deno.removeSync(path);
  }
}

/** Columns every read needs: identity and status, for validation and one row per case. */
const ALWAYS = ["runId", "caseKey", "ok"];

/**
 * Reads the columns of a JSON-lines file. Polars' streaming engine writes them to a temporary
 * Parquet file first, read back at once: its reader holds a part of the text at a time, where
 * the in-memory one holds the whole file beside the columns (1 GB more at a million records).
 */
function scan(path: string, columns: readonly string[]): pl.DataFrame {
  const needed = [...new Set([...columns, ...ALWAYS])];
  const temporary = Deno.makeTempFileSync({ prefix: "visionbench-read-", suffix: ".parquet" });
  try {
    pl.scanJson(path, { schema: schemaFor(needed), ignoreErrors: true, rowIndexName: ROW })
      .select(
        pl.col(ROW),
        problemReason(needed).alias(PROBLEM),
        ...needed.map((column) => frameColumn(column)),
      )
      .sinkParquet(temporary).collectSync();
    return pl.readParquet(temporary);
  } finally {
    Deno.removeSync(temporary);
  }
}

/** One row per (runId, caseKey): the latest ok one, else the latest error (file order). */
function latestPerCase(frame: pl.DataFrame): pl.DataFrame {
  const keys = frame.select(
    pl.concatString([pl.col("runId"), pl.col("caseKey")], "\u0000").nUnique(),
  ).row(0)[0] as number;
  if (keys === frame.height) return frame;
  return frame.sort(["ok", ROW])
    .unique({ subset: ["runId", "caseKey"], keep: "last" })
    .sort(ROW);
}
