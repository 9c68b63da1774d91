/**
 * Result records → a flat Polars frame: one row per record, one column per scalar field, nested
 * fields flattened (`price.id` → `priceId`, `error.kind` → `errorKind`). Usage a platform did not
 * report stays null, never 0, so means ignore it. `width`/`height` become `imageWidth`/`imageHeight`
 * (a column named `height` would shadow `DataFrame.height`).
 *
 * @module
 */
import pl from "nodejs-polars";
import type { ResultRecord } from "./record.ts";

/** One flat row of {@link recordsToFrame}. Nullable columns are `null` when the record lacks them. */
export interface FrameRow {
  runId: string;
  recordId: string;
  createdAt: string;
  caseKey: string;
  platform: string;
  model: string;
  preset: string;
  imageId: string;
  variant: string;
  promptId: string;
  repeat: number;
  status: string;
  ok: boolean;
  cached: boolean;
  text: string;
  finishReason: string | null;
  /** Record `width` (px sent); renamed because a `width`/`height` column would shadow
   * `DataFrame.width`/`DataFrame.height` in nodejs-polars (columns are exposed as properties). */
  imageWidth: number | null;
  imageHeight: number | null;
  bytes: number | null;
  latencyMs: number | null;
  ttftMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  imageTokens: number | null;
  estimatedImageTokens: number | null;
  gpuSeconds: number | null;
  costUsd: number | null;
  batchCostUsd: number | null;
  costBasis: string | null;
  costError: string | null;
  priceId: string | null;
  attempts: number;
  errorKind: string | null;
  errorStatus: number | null;
  errorMessage: string | null;
}

type Column = { name: keyof FrameRow; type: "string" | "number" | "boolean" };

/** Column order and type of the frame (fixed, so an empty run still has every column). */
export const FRAME_COLUMNS: readonly Column[] = [
  ...(
    [
      "runId",
      "recordId",
      "createdAt",
      "caseKey",
      "platform",
      "model",
      "preset",
      "imageId",
      "variant",
      "promptId",
    ] as const
  ).map((name) => ({ name, type: "string" as const })),
  { name: "repeat", type: "number" },
  { name: "status", type: "string" },
  { name: "ok", type: "boolean" },
  { name: "cached", type: "boolean" },
  { name: "text", type: "string" },
  { name: "finishReason", type: "string" },
  ...(
    [
      "imageWidth",
      "imageHeight",
      "bytes",
      "latencyMs",
      "ttftMs",
      "inputTokens",
      "outputTokens",
      "imageTokens",
      "estimatedImageTokens",
      "gpuSeconds",
      "costUsd",
      "batchCostUsd",
    ] as const
  ).map((name) => ({ name, type: "number" as const })),
  { name: "costBasis", type: "string" },
  { name: "costError", type: "string" },
  { name: "priceId", type: "string" },
  { name: "attempts", type: "number" },
  { name: "errorKind", type: "string" },
  { name: "errorStatus", type: "number" },
  { name: "errorMessage", type: "string" },
];

/** Flattens one record (nested price/error become columns; absent values become null). */
export function flattenRecord(record: ResultRecord): FrameRow {
  return {
    runId: record.runId,
    recordId: record.recordId,
    createdAt: record.createdAt,
    caseKey: record.caseKey,
    platform: record.platform,
    model: record.model,
    preset: record.preset,
    imageId: record.imageId,
    variant: record.variant,
    promptId: record.promptId,
    repeat: record.repeat,
    status: record.status,
    ok: record.status === "ok",
    cached: record.cached,
    text: record.text,
    finishReason: record.finishReason ?? null,
    imageWidth: record.width ?? null,
    imageHeight: record.height ?? null,
    bytes: record.bytes ?? null,
    latencyMs: record.latencyMs ?? null,
    ttftMs: record.ttftMs ?? null,
    inputTokens: record.inputTokens ?? null,
    outputTokens: record.outputTokens ?? null,
    imageTokens: record.imageTokens ?? null,
    estimatedImageTokens: record.estimatedImageTokens ?? null,
    gpuSeconds: record.gpuSeconds ?? null,
    costUsd: record.costUsd ?? null,
    batchCostUsd: record.batchCostUsd ?? null,
    costBasis: record.costBasis ?? null,
    costError: record.costError ?? null,
    priceId: record.price?.id ?? null,
    attempts: record.attempts,
    errorKind: record.error?.kind ?? null,
    errorStatus: record.error?.status ?? null,
    errorMessage: record.error?.message ?? null,
  };
}

const DTYPES = { string: pl.Utf8, number: pl.Float64, boolean: pl.Bool } as const;

/**
 * Builds the flat frame of a run. Every number is Float64 (nullable); column types do not depend
 * on the data, so a run where nobody reported tokens still has a (null) `inputTokens` column.
 *
 * @example
 * ```ts
 * const { records } = await readRuns("results");
 * const frame = recordsToFrame(records);
 * frame.filter(pl.col("errorKind").eq(pl.lit("rate_limit")));
 * ```
 */
export function recordsToFrame(records: readonly ResultRecord[]): pl.DataFrame {
  const rows = records.map(flattenRecord);
  return pl.DataFrame(
    FRAME_COLUMNS.map(({ name, type }) =>
      pl.Series(name, rows.map((row) => row[name]), DTYPES[type])
    ),
  );
}

/** Rows of a frame, or the array itself: charts and tables accept either. */
export function rowsOf<Row extends object = Record<string, unknown>>(
  data: pl.DataFrame | readonly Row[],
): Row[] {
  return Array.isArray(data) ? [...data] : (data as pl.DataFrame).toRecords() as unknown as Row[];
}
