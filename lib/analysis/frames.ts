/**
 * Result records → a flat Polars frame: one row per record, one column per scalar field, nested
 * fields flattened (`price.id` → `priceId`, `error.kind` → `errorKind`). Usage a platform did not
 * report stays null, never 0, so means ignore it. `width`/`height` become `imageWidth`/`imageHeight`
 * (a column named `height` would shadow `DataFrame.height`).
 *
 * @module
 */
import pl from "nodejs-polars";
import type { ResultRecord } from "../contract/record.ts";

type ColumnType = "string" | "number" | "boolean";

/**
 * Every column of the flat frame: name, type and how to read it from a record. Order = column
 * order (in notebooks and in Parquet files). Open-ended nested fields (`price`, `structured`,
 * `warnings`) are JSON strings so every column has one plain type.
 */
const COLUMNS = [
  ["runId", "string", (r: ResultRecord) => r.runId],
  ["recordId", "string", (r: ResultRecord) => r.recordId],
  ["createdAt", "string", (r: ResultRecord) => r.createdAt],
  ["caseKey", "string", (r: ResultRecord) => r.caseKey],
  ["platform", "string", (r: ResultRecord) => r.platform],
  ["model", "string", (r: ResultRecord) => r.model],
  ["preset", "string", (r: ResultRecord) => r.preset],
  ["imageId", "string", (r: ResultRecord) => r.imageId],
  ["imageSha256", "string", (r: ResultRecord) => r.imageSha256],
  ["variant", "string", (r: ResultRecord) => r.variant],
  // `width`/`height` would shadow DataFrame.width/height (nodejs-polars exposes columns as properties).
  ["imageWidth", "number", (r: ResultRecord) => r.width],
  ["imageHeight", "number", (r: ResultRecord) => r.height],
  ["bytes", "number", (r: ResultRecord) => r.bytes],
  ["mimeType", "string", (r: ResultRecord) => r.mimeType],
  ["promptId", "string", (r: ResultRecord) => r.promptId],
  ["prompt", "string", (r: ResultRecord) => r.prompt],
  ["repeat", "number", (r: ResultRecord) => r.repeat],
  ["maxOutputTokens", "number", (r: ResultRecord) => r.maxOutputTokens],
  ["temperature", "number", (r: ResultRecord) => r.temperature],
  ["schemaName", "string", (r: ResultRecord) => r.schemaName],
  ["status", "string", (r: ResultRecord) => r.status],
  ["ok", "boolean", (r: ResultRecord) => r.status === "ok"],
  ["cached", "boolean", (r: ResultRecord) => r.cached],
  // Batch rows: group by `mode` to keep live and batch costs apart.
  ["mode", "string", (r: ResultRecord) => r.mode ?? "live"],
  ["batchId", "string", (r: ResultRecord) => r.batchId],
  ["turnaroundMs", "number", (r: ResultRecord) => r.turnaroundMs],
  ["text", "string", (r: ResultRecord) => r.text],
  ["structured", "string", (r: ResultRecord) => json(r.structured)],
  ["finishReason", "string", (r: ResultRecord) => r.finishReason],
  ["rawFinishReason", "string", (r: ResultRecord) => r.raw?.finishReason],
  ["rawModel", "string", (r: ResultRecord) => r.raw?.model],
  ["latencyMs", "number", (r: ResultRecord) => r.latencyMs],
  ["ttftMs", "number", (r: ResultRecord) => r.ttftMs],
  ["inputTokens", "number", (r: ResultRecord) => r.inputTokens],
  ["outputTokens", "number", (r: ResultRecord) => r.outputTokens],
  ["imageTokens", "number", (r: ResultRecord) => r.imageTokens],
  ["reasoningTokens", "number", (r: ResultRecord) => r.reasoningTokens],
  ["estimatedImageTokens", "number", (r: ResultRecord) => r.estimatedImageTokens],
  ["gpuSeconds", "number", (r: ResultRecord) => r.gpuSeconds],
  ["timingQueueMs", "number", (r: ResultRecord) => r.timing?.queueMs],
  ["timingServerMs", "number", (r: ResultRecord) => r.timing?.serverMs],
  ["timingLoadMs", "number", (r: ResultRecord) => r.timing?.loadMs],
  ["timingPromptEvalMs", "number", (r: ResultRecord) => r.timing?.promptEvalMs],
  ["timingEvalMs", "number", (r: ResultRecord) => r.timing?.evalMs],
  ["timingColdStart", "boolean", (r: ResultRecord) => r.timing?.coldStart],
  ["costUsd", "number", (r: ResultRecord) => r.costUsd],
  ["costBasis", "string", (r: ResultRecord) => r.costBasis],
  ["batchCostUsd", "number", (r: ResultRecord) => r.batchCostUsd],
  ["costError", "string", (r: ResultRecord) => r.costError],
  ["priceId", "string", (r: ResultRecord) => r.price?.id],
  ["price", "string", (r: ResultRecord) => json(r.price)],
  ["concurrency", "number", (r: ResultRecord) => r.concurrency],
  ["attempts", "number", (r: ResultRecord) => r.attempts],
  ["warnings", "string", (r: ResultRecord) => json(r.warnings)],
  ["simulated", "boolean", (r: ResultRecord) => r.simulated === true],
  // Simulated rows with a modelled time: the compressed wait, and what the time is modelled on.
  ["wallLatencyMs", "number", (r: ResultRecord) => r.wallLatencyMs],
  ["latencyModel", "string", (r: ResultRecord) => r.latencyModel],
  ["errorKind", "string", (r: ResultRecord) => r.error?.kind],
  ["errorStatus", "number", (r: ResultRecord) => r.error?.status],
  [
    "errorCode",
    "string",
    (r: ResultRecord) => r.error?.code === undefined ? undefined : String(r.error.code),
  ],
  ["errorMessage", "string", (r: ResultRecord) => r.error?.message],
] as const satisfies readonly (readonly [string, ColumnType, (r: ResultRecord) => unknown])[];

function json(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

type ColumnValue<Type extends ColumnType> = Type extends "string" ? string
  : Type extends "number" ? number
  : boolean;

/** One flat row of {@link recordsToFrame}. Values are `null` when the record lacks them. */
export type FrameRow =
  & {
    [Column in typeof COLUMNS[number] as Column[0]]: ColumnValue<Column[1]> | null;
  }
  & {
    runId: string;
    platform: string;
    model: string;
    imageId: string;
    variant: string;
    ok: boolean;
    cached: boolean;
    text: string;
    attempts: number;
  };

/** Column names of the frame, in order (fixed, so an empty run still has every column). */
export const FRAME_COLUMNS: readonly string[] = COLUMNS.map(([name]) => name);

/** Flattens one record (nested price/error/timing become columns; absent values become null). */
export function flattenRecord(record: ResultRecord): FrameRow {
  return Object.fromEntries(
    COLUMNS.map(([name, , read]) => [name, read(record) ?? null]),
  ) as FrameRow;
}

const DTYPES = { string: pl.Utf8, number: pl.Float64, boolean: pl.Bool } as const;

/**
 * Builds the flat frame of a run (also the Parquet layout). Every number is Float64 (nullable);
 * column types do not depend on the data, so a run where nobody reported tokens still has a
 * (null) `inputTokens` column.
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { readRuns } from "../run/run-store.ts";
 * const frame = recordsToFrame((await readRuns("results")).records);
 * frame.filter(pl.col("errorKind").eq(pl.lit("rate_limit")));
 * ```
 */
export function recordsToFrame(records: readonly ResultRecord[]): pl.DataFrame {
  return pl.DataFrame(
    COLUMNS.map(([name, type, read]) =>
      pl.Series(name, records.map((record) => read(record) ?? null), DTYPES[type])
    ),
  );
}

/** Rows of a frame, or the array itself: charts and tables accept either. */
export function rowsOf<Row extends object = Record<string, unknown>>(
  data: pl.DataFrame | readonly Row[],
): Row[] {
  return Array.isArray(data) ? [...data] : (data as pl.DataFrame).toRecords() as unknown as Row[];
}

/**
 * The record a flat row was read from (the inverse of {@link flattenRecord}): for the few rows a
 * page shows whole (a description browser's selection), never for every row of a run.
 *
 * @example
 * ```ts
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const record: ResultRecord;
 * recordOfRow(flattenRecord(record)).recordId === record.recordId; // true
 * ```
 */
export function recordOfRow(row: Record<string, unknown>): ResultRecord {
  const value = (column: string) => row[column] ?? undefined;
  const parsed = (column: string) =>
    typeof row[column] === "string" ? JSON.parse(row[column] as string) : undefined;
  const object = (entries: [string, unknown][]) => {
    const kept = entries.filter(([, field]) => field !== undefined);
    return kept.length === 0 ? undefined : Object.fromEntries(kept);
  };
  const fields: [string, unknown][] = [
    ...COLUMNS.filter(([name]) => RECORD_FIELDS.has(name)).map(([name]) =>
      [name, value(name)] as [string, unknown]
    ),
    ["width", value("imageWidth")],
    ["height", value("imageHeight")],
    ["mode", row.mode === "live" ? undefined : value("mode")],
    ["structured", parsed("structured")],
    ["price", parsed("price")],
    ["warnings", parsed("warnings")],
    ["simulated", row.simulated === true ? true : undefined],
    ["raw", object([["finishReason", value("rawFinishReason")], ["model", value("rawModel")]])],
    [
      "timing",
      object([
        ["queueMs", value("timingQueueMs")],
        ["serverMs", value("timingServerMs")],
        ["loadMs", value("timingLoadMs")],
        ["promptEvalMs", value("timingPromptEvalMs")],
        ["evalMs", value("timingEvalMs")],
        ["coldStart", value("timingColdStart")],
      ]),
    ],
    [
      "error",
      row.errorKind === null || row.errorKind === undefined ? undefined : object([
        ["kind", value("errorKind")],
        ["status", value("errorStatus")],
        ["code", value("errorCode")],
        ["message", value("errorMessage") ?? ""],
      ]),
    ],
  ];
  return Object.fromEntries(fields.filter(([, field]) => field !== undefined)) as ResultRecord;
}

/** Columns that are record fields under the same name and type. */
const RECORD_FIELDS = new Set([
  "runId",
  "recordId",
  "createdAt",
  "caseKey",
  "platform",
  "model",
  "preset",
  "imageId",
  "imageSha256",
  "variant",
  "bytes",
  "mimeType",
  "promptId",
  "prompt",
  "repeat",
  "maxOutputTokens",
  "temperature",
  "schemaName",
  "status",
  "cached",
  "batchId",
  "turnaroundMs",
  "text",
  "finishReason",
  "latencyMs",
  "ttftMs",
  "inputTokens",
  "outputTokens",
  "imageTokens",
  "reasoningTokens",
  "estimatedImageTokens",
  "gpuSeconds",
  "costUsd",
  "costBasis",
  "batchCostUsd",
  "costError",
  "concurrency",
  "attempts",
  "wallLatencyMs",
  "latencyModel",
]);
