/**
 * How a run's JSON lines map onto the flat frame (FRAME_COLUMNS) when Polars reads them: the
 * explicit schema, the field behind each column, and the row checks that replace a zod parse
 * per record.
 *
 * @module
 */
import pl from "nodejs-polars";

const F = pl.Float64;
const S = pl.Utf8;
const field = (name: string, type: pl.DataType) => new pl.Field(name, type);

/**
 * The JSON-lines schema: every record field with its type. Open-ended values (`structured`,
 * `price`, `warnings`) are declared as strings, so Polars keeps their JSON text. A value of the
 * wrong type becomes null (then the row fails validation if the field is required).
 */
export const JSONL_SCHEMA: Record<string, pl.DataType> = {
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
  mode: S,
  batchId: S,
  turnaroundMs: F,
  final: pl.Bool,
  simulated: pl.Bool,
  wallLatencyMs: F,
  latencyModel: S,
  warnings: S,
  error: pl.Struct([field("kind", S), field("status", F), field("code", S), field("message", S)]),
};

/** How each frame column is read from the JSON-lines columns. */
const FROM_JSONL: Record<string, () => pl.Expr> = {
  imageWidth: () => pl.col("width"),
  imageHeight: () => pl.col("height"),
  ok: () => pl.col("status").eq(pl.lit("ok")),
  // Live rows carry no mode: the frame says "live", as recordsToFrame does.
  mode: () => pl.col("mode").fillNull(pl.lit("live")),
  simulated: () => pl.col("simulated").fillNull(pl.lit(false)),
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
export function schemaFor(columns: readonly string[]): Record<string, pl.DataType> {
  const schema: Record<string, pl.DataType> = {};
  for (const column of columns) {
    const name = SOURCE_FIELD[column] ?? column;
    schema[name] = JSONL_SCHEMA[name];
  }
  return schema;
}

/** Fields a record must have (ResultRecordSchema), checked as columns. */
export const REQUIRED = [
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
export const NON_NEGATIVE = [
  "latencyMs",
  "ttftMs",
  "inputTokens",
  "outputTokens",
  "costUsd",
  "batchCostUsd",
  "attempts",
];

/** The expression that reads one frame column from the JSON-lines columns. */
export function frameColumn(column: string): pl.Expr {
  return (FROM_JSONL[column]?.() ?? pl.col(column)).alias(column);
}

/**
 * The first reason a row is not a record, or null — checked on the fields being read (a summary
 * does not fail on a field it never looks at).
 */
export function problemReason(columns: readonly string[]): pl.Expr {
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
