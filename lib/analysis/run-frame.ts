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
import { basename, join } from "node:path";
import { FRAME_COLUMNS } from "./frames.ts";
import { forEachLine } from "../util/jsonl.ts";
import { VisionBenchError } from "../contract/errors.ts";

/** A line of a run file that was left out, and why. */
export interface FrameProblem {
  path: string;
  /** 1-based line number in the JSONL file. */
  line: number;
  reason: string;
}

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

const F = pl.Float64;
const S = pl.Utf8;
const field = (name: string, type: pl.DataType) => new pl.Field(name, type);

/**
 * The JSON-lines schema: every record field with its type. Open-ended values (`structured`,
 * `price`, `warnings`) are declared as strings, so Polars keeps their JSON text. A value of the
 * wrong type becomes null (then the row fails validation if the field is required).
 */
const JSONL_SCHEMA: Record<string, pl.DataType> = {
  runId: S,
  recordId: S,
  createdAt: S,
  caseKey: S,
  platform: S,
  model: S,
  preset: S,
  imageId: S,
  imageSha256: S,
  variant: S,
  width: F,
  height: F,
  bytes: F,
  mimeType: S,
  promptId: S,
  prompt: S,
  repeat: F,
  maxOutputTokens: F,
  temperature: F,
  schemaName: S,
  status: S,
  text: S,
  structured: S,
  finishReason: S,
  raw: pl.Struct([field("finishReason", S), field("model", S)]),
  latencyMs: F,
  ttftMs: F,
  inputTokens: F,
  outputTokens: F,
  imageTokens: F,
  reasoningTokens: F,
  estimatedImageTokens: F,
  gpuSeconds: F,
  timing: pl.Struct([
    field("queueMs", F),
    field("serverMs", F),
    field("loadMs", F),
    field("promptEvalMs", F),
    field("evalMs", F),
    field("coldStart", pl.Bool),
  ]),
  costUsd: F,
  costBasis: S,
  batchCostUsd: F,
  costError: S,
  price: S,
  concurrency: F,
  attempts: F,
  cached: pl.Bool,
  warnings: S,
  error: pl.Struct([field("kind", S), field("status", F), field("code", S), field("message", S)]),
};

/** How each frame column is read from the JSON-lines columns. */
const FROM_JSONL: Record<string, () => pl.Expr> = {
  imageWidth: () => pl.col("width"),
  imageHeight: () => pl.col("height"),
  ok: () => pl.col("status").eq(pl.lit("ok")),
  rawFinishReason: () => pl.col("raw").struct.field("finishReason"),
  rawModel: () => pl.col("raw").struct.field("model"),
  timingQueueMs: () => pl.col("timing").struct.field("queueMs"),
  timingServerMs: () => pl.col("timing").struct.field("serverMs"),
  timingLoadMs: () => pl.col("timing").struct.field("loadMs"),
  timingPromptEvalMs: () => pl.col("timing").struct.field("promptEvalMs"),
  timingEvalMs: () => pl.col("timing").struct.field("evalMs"),
  timingColdStart: () => pl.col("timing").struct.field("coldStart"),
  priceId: () => pl.col("price").str.jsonPathMatch("$.id"),
  errorKind: () => pl.col("error").struct.field("kind"),
  errorStatus: () => pl.col("error").struct.field("status"),
  errorCode: () => pl.col("error").struct.field("code"),
  errorMessage: () => pl.col("error").struct.field("message"),
};

/** The JSON-lines field a frame column is read from (its own name when absent). */
const SOURCE_FIELD: Record<string, string> = {
  imageWidth: "width",
  imageHeight: "height",
  ok: "status",
  rawFinishReason: "raw",
  rawModel: "raw",
  timingQueueMs: "timing",
  timingServerMs: "timing",
  timingLoadMs: "timing",
  timingPromptEvalMs: "timing",
  timingEvalMs: "timing",
  timingColdStart: "timing",
  priceId: "price",
  errorKind: "error",
  errorStatus: "error",
  errorCode: "error",
  errorMessage: "error",
};

/**
 * The schema restricted to the fields behind `columns`: Polars then skips the rest of each line
 * (turning the price card into text alone doubles the read time of a run).
 */
function schemaFor(columns: readonly string[]): Record<string, pl.DataType> {
  const schema: Record<string, pl.DataType> = {};
  for (const column of columns) {
    const name = SOURCE_FIELD[column] ?? column;
    schema[name] = JSONL_SCHEMA[name];
  }
  return schema;
}

/** Fields a record must have (ResultRecordSchema), checked as columns. */
const REQUIRED = [
  "runId",
  "recordId",
  "caseKey",
  "platform",
  "model",
  "preset",
  "imageId",
  "variant",
  "promptId",
  "text",
  "cached",
  "attempts",
  "repeat",
];
/** Counts and amounts that can never be negative. */
const NON_NEGATIVE = [
  "latencyMs",
  "ttftMs",
  "inputTokens",
  "outputTokens",
  "costUsd",
  "batchCostUsd",
  "attempts",
];

const ROW = "__row";
const PROBLEM = "__problem";

/**
 * The runs of `dir` as one flat frame.
 *
 * @example
 * ```ts
 * const { frame, problems } = await loadRunFrame("results", { columns: SUMMARY_COLUMNS });
 * summarize(frame);
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
    if (from === "parquet" || (from === "auto" && await isFresh(parquet, path))) {
      frames.push(pl.scanParquet(parquet).select(...columns).collectSync());
      sources.push({ path: parquet, from: "parquet" });
      continue;
    }
    const read = await readJsonlColumns(path, columns);
    frames.push(read.frame);
    problems.push(...read.problems);
    sources.push({ path, from: "jsonl" });
  }
  const frame = frames.length === 0
    ? emptyFrame(columns)
    : frames.length === 1
    ? frames[0]
    : pl.concat(frames, { how: "vertical" });
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
  frame.writeParquet(temporary);
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
function emptyFrame(columns: readonly string[]): pl.DataFrame {
  const path = Deno.makeTempFileSync({ suffix: ".jsonl" });
  try {
    return pl.scanJson(path, { schema: schemaFor(columns) })
      .select(...columns.map((column) => frameColumn(column))).collectSync();
  } finally {
    Deno.removeSync(path);
  }
}

function frameColumn(column: string): pl.Expr {
  return (FROM_JSONL[column]?.() ?? pl.col(column)).alias(column);
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

function scan(path: string, columns: readonly string[]): pl.DataFrame {
  const needed = [...new Set([...columns, ...ALWAYS])];
  return pl.scanJson(path, { schema: schemaFor(needed), ignoreErrors: true, rowIndexName: ROW })
    .select(
      pl.col(ROW),
      problemReason(needed).alias(PROBLEM),
      ...needed.map((column) => frameColumn(column)),
    )
    .collectSync();
}

/**
 * The first reason a row is not a record, or null — checked on the fields being read (a summary
 * does not fail on a field it never looks at).
 */
function problemReason(columns: readonly string[]): pl.Expr {
  let reason = pl.when(pl.col("status").isIn(["ok", "error"]).not().or(pl.col("status").isNull()))
    .then(pl.lit("not a record: status must be ok or error"));
  for (const name of REQUIRED.filter((name) => columns.includes(name))) {
    reason = reason.when(pl.col(name).isNull()).then(pl.lit(`not a record: ${name} missing`));
  }
  for (const name of NON_NEGATIVE.filter((name) => columns.includes(name))) {
    reason = reason.when(pl.col(name).lt(0)).then(pl.lit(`not a record: ${name} negative`));
  }
  return reason.otherwise(pl.lit(null).cast(pl.Utf8));
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

/**
 * Copies the lines of `path` that parse as JSON to a temporary file, listing the others. Only
 * runs when Polars could not read the file, so its cost is paid by broken files alone.
 */
async function withoutBrokenLines(path: string): Promise<{
  path?: string;
  lines: number[];
  problems: FrameProblem[];
}> {
  const problems: FrameProblem[] = [];
  const lines: number[] = [];
  const temporary = await Deno.makeTempFile({ prefix: `${basename(path)}-`, suffix: ".jsonl" });
  const encoder = new TextEncoder();
  {
    using file = await Deno.open(temporary, { write: true });
    let pending: string[] = [];
    const flush = () => {
      const bytes = encoder.encode(pending.join("\n") + "\n");
      let offset = 0;
      while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
      pending = [];
    };
    const read = await forEachLine(path, (line, number) => {
      const trimmed = line.trim();
      if (trimmed === "") return;
      try {
        JSON.parse(trimmed);
      } catch {
        problems.push({ path, line: number, reason: "not JSON" });
        return;
      }
      lines.push(number);
      pending.push(trimmed);
      if (pending.length >= 10_000) flush();
    });
    if (pending.length > 0) flush();
    const last = problems.at(-1);
    if (last && last.line === read.lines && !read.endsWithNewline) {
      last.reason = "not JSON (torn last line)";
    }
  }
  if (lines.length === 0) {
    await Deno.remove(temporary);
    return { lines, problems };
  }
  return { path: temporary, lines, problems };
}

async function hasBlankLines(path: string): Promise<boolean> {
  let blank = false;
  await forEachLine(path, (line) => {
    if (line.trim() === "") blank = true;
  });
  return blank;
}

/** Polars skips blank lines: map its row numbers back to file lines. */
async function nonBlankLines(path: string): Promise<(row: number) => number> {
  const lines: number[] = [];
  await forEachLine(path, (line, number) => {
    if (line.trim() !== "") lines.push(number);
  });
  return (row) => lines[row];
}
