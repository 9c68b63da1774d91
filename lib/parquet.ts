/**
 * Parquet export of records. Nested fields are flattened (`error` → `errorKind`, …; `timing` →
 * `timingQueueMs`, …) or, when open-ended (`price`, `structured`, `warnings`), JSON-stringified,
 * so every column has one plain type.
 *
 * @module
 */
import pl from "nodejs-polars";
import { dirname } from "node:path";
import type { ResultRecord } from "./record.ts";

type ColumnType = "string" | "number" | "boolean";

/** Column name, type and how to read it from a record. Order = column order in the file. */
const COLUMNS: [string, ColumnType, (record: ResultRecord) => unknown][] = [
  ["runId", "string", (r) => r.runId],
  ["recordId", "string", (r) => r.recordId],
  ["createdAt", "string", (r) => r.createdAt],
  ["caseKey", "string", (r) => r.caseKey],
  ["platform", "string", (r) => r.platform],
  ["model", "string", (r) => r.model],
  ["preset", "string", (r) => r.preset],
  ["imageId", "string", (r) => r.imageId],
  ["imageSha256", "string", (r) => r.imageSha256],
  ["variant", "string", (r) => r.variant],
  ["width", "number", (r) => r.width],
  ["height", "number", (r) => r.height],
  ["bytes", "number", (r) => r.bytes],
  ["mimeType", "string", (r) => r.mimeType],
  ["promptId", "string", (r) => r.promptId],
  ["prompt", "string", (r) => r.prompt],
  ["repeat", "number", (r) => r.repeat],
  ["maxOutputTokens", "number", (r) => r.maxOutputTokens],
  ["temperature", "number", (r) => r.temperature],
  ["schemaName", "string", (r) => r.schemaName],
  ["status", "string", (r) => r.status],
  ["text", "string", (r) => r.text],
  ["structured", "string", (r) => json(r.structured)],
  ["finishReason", "string", (r) => r.finishReason],
  ["rawFinishReason", "string", (r) => r.raw?.finishReason],
  ["rawModel", "string", (r) => r.raw?.model],
  ["latencyMs", "number", (r) => r.latencyMs],
  ["ttftMs", "number", (r) => r.ttftMs],
  ["inputTokens", "number", (r) => r.inputTokens],
  ["outputTokens", "number", (r) => r.outputTokens],
  ["imageTokens", "number", (r) => r.imageTokens],
  ["reasoningTokens", "number", (r) => r.reasoningTokens],
  ["estimatedImageTokens", "number", (r) => r.estimatedImageTokens],
  ["gpuSeconds", "number", (r) => r.gpuSeconds],
  ["timingQueueMs", "number", (r) => r.timing?.queueMs],
  ["timingServerMs", "number", (r) => r.timing?.serverMs],
  ["timingLoadMs", "number", (r) => r.timing?.loadMs],
  ["timingPromptEvalMs", "number", (r) => r.timing?.promptEvalMs],
  ["timingEvalMs", "number", (r) => r.timing?.evalMs],
  ["timingColdStart", "boolean", (r) => r.timing?.coldStart],
  ["costUsd", "number", (r) => r.costUsd],
  ["costBasis", "string", (r) => r.costBasis],
  ["batchCostUsd", "number", (r) => r.batchCostUsd],
  ["costError", "string", (r) => r.costError],
  ["priceId", "string", (r) => r.price?.id],
  ["price", "string", (r) => json(r.price)],
  ["concurrency", "number", (r) => r.concurrency],
  ["attempts", "number", (r) => r.attempts],
  ["cached", "boolean", (r) => r.cached],
  ["warnings", "string", (r) => json(r.warnings)],
  ["errorKind", "string", (r) => r.error?.kind],
  ["errorStatus", "number", (r) => r.error?.status],
  ["errorCode", "string", (r) => r.error?.code === undefined ? undefined : String(r.error.code)],
  ["errorMessage", "string", (r) => r.error?.message],
];

function json(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

const DTYPES = { string: pl.Utf8, number: pl.Float64, boolean: pl.Bool } as const;

/**
 * A Polars frame with one flat row per record (the Parquet layout).
 *
 * @example
 * ```ts
 * const frame = recordsToParquetFrame(records);
 * ```
 */
export function recordsToParquetFrame(records: ResultRecord[]): pl.DataFrame {
  const series = COLUMNS.map(([name, type, read]) =>
    pl.Series(name, records.map((record) => read(record) ?? null), DTYPES[type])
  );
  return pl.DataFrame(series);
}

/**
 * Writes records to a Parquet file (see {@link recordsToParquetFrame} for the layout).
 *
 * @example
 * ```ts
 * await exportParquet((await readRuns("results")).records, "results/runs.parquet");
 * ```
 */
export async function exportParquet(records: ResultRecord[], path: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  recordsToParquetFrame(records).writeParquet(path);
}
