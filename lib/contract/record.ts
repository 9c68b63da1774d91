/**
 * The result record: one JSON line per case outcome. Field names are a public contract
 * (see docs/architecture.md, "The record"); fields may be added, never renamed.
 *
 * @module
 */
import { z } from "zod";
import { COST_BASES, PriceCardSchema } from "./price-card.ts";
import { ERROR_KINDS } from "./errors.ts";

const optionalCount = z.number().nonnegative().optional();

/** Schema of one record, used when reading runs back (the edge). */
export const ResultRecordSchema = z.object({
  runId: z.string().min(1),
  recordId: z.string().min(1),
  createdAt: z.string(),
  /** Key that identifies the case inside a run (resume skips cases already ok). */
  caseKey: z.string().min(1),

  platform: z.string(),
  model: z.string(),
  preset: z.string(),

  imageId: z.string(),
  imageSha256: z.string(),
  /** `"original"` or the longest side in px, e.g. `"512"`. */
  variant: z.string(),
  /** Of what was sent; absent when the image failed before sending. */
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  bytes: z.number().int().nonnegative().optional(),
  mimeType: z.string().optional(),

  promptId: z.string(),
  prompt: z.string(),
  repeat: z.number().int().nonnegative(),
  maxOutputTokens: z.number().int().positive().optional(),
  temperature: z.number().optional(),
  schemaName: z.string().optional(),

  status: z.enum(["ok", "error"]),
  text: z.string(),
  structured: z.unknown().optional(),
  finishReason: z.string().optional(),
  raw: z.object({ finishReason: z.string().optional(), model: z.string().optional() }).optional(),

  latencyMs: z.number().nonnegative().optional(),
  ttftMs: z.number().nonnegative().optional(),
  inputTokens: optionalCount,
  outputTokens: optionalCount,
  imageTokens: optionalCount,
  reasoningTokens: optionalCount,
  estimatedImageTokens: optionalCount,
  gpuSeconds: optionalCount,
  timing: z.object({
    queueMs: optionalCount,
    serverMs: optionalCount,
    loadMs: optionalCount,
    promptEvalMs: optionalCount,
    evalMs: optionalCount,
    coldStart: z.boolean().optional(),
  }).optional(),

  /** USD for this call; absent when it could not be computed (then `costError` says why). */
  costUsd: z.number().nonnegative().optional(),
  costBasis: z.enum(COST_BASES).optional(),
  /** USD this call would cost through the platform's batch API, when it has one. */
  batchCostUsd: z.number().nonnegative().optional(),
  costError: z.string().optional(),
  price: PriceCardSchema.optional(),
  /** Calls in flight on this platform when the run was made (divisor of hourly cost). */
  concurrency: z.number().int().positive().optional(),

  attempts: z.number().int().nonnegative(),
  cached: z.boolean(),
  /**
   * True on an error row that resume does not call again: the platform answered (and billed) but
   * the answer cannot be recorded as it came (e.g. a negative token count), and the same call
   * would answer, and cost, the same. Absent on every other row.
   */
  final: z.boolean().optional(),
  /** `"batch"` when the case went through the platform's Batch API; absent means a live call. */
  mode: z.enum(["live", "batch"]).optional(),
  /** The platform's id of the batch that ran the case. */
  batchId: z.string().optional(),
  /** When the platform accepted the batch (ISO). */
  submittedAt: z.string().optional(),
  /** When the batch ended (ISO). */
  finishedAt: z.string().optional(),
  /** finishedAt − submittedAt: what a batch case waited, instead of a per-call latency. */
  turnaroundMs: z.number().nonnegative().optional(),
  warnings: z.array(z.string()).optional(),
  /** True when the answer came from a local emulator: its numbers are simulated, never measured. */
  simulated: z.boolean().optional(),
  /**
   * Simulated rows whose emulator modelled the service time: `latencyMs` (and `ttftMs`) are the
   * modelled times, `wallLatencyMs` the compressed wait the runner measured, `latencyModel` what
   * the emulator says the times are modelled on. Absent on measured rows.
   */
  wallLatencyMs: z.number().nonnegative().optional(),
  latencyModel: z.string().optional(),
  error: z.object({
    kind: z.enum(ERROR_KINDS),
    status: z.number().optional(),
    code: z.union([z.string(), z.number()]).optional(),
    message: z.string(),
  }).optional(),
});

/**
 * Whether a value passes {@link ResultRecordSchema}: zod's own verdict, checked once per record
 * before it is written (`checkRecord` in lib/run/run-store.ts names the failing field).
 *
 * @example
 * ```ts
 * import type { ResultRecord } from "./record.ts";
 * declare const record: ResultRecord;
 * isValidRecord({ ...record, inputTokens: -5 }); // false
 * ```
 */
export function isValidRecord(value: unknown): boolean {
  return ResultRecordSchema.safeParse(value).success;
}

/** One record. */
export type ResultRecord = z.infer<typeof ResultRecordSchema>;
