/**
 * How the runner turns a case and its outcome into a {@link ResultRecord}: the fields of the
 * case, of what was sent, of the answer, its cost, or the error (message redacted).
 *
 * @module
 */
import type { Description, StructuredSchema } from "../contract/adapter.ts";
import type { Case, RunTarget } from "./cases.ts";
import { VisionBenchError } from "../contract/errors.ts";
import { estimateImageTokens } from "../price/image-tokens.ts";
import type { ImageEntry, PreparedImage } from "../images/image-set.ts";
import { computeCost } from "../price/cost.ts";
import type { ResultRecord } from "../contract/record.ts";
import { redact } from "../util/secrets.ts";
import type { UnreadableField } from "./run-store.ts";

/** The longest error message a record keeps (a platform's HTML error page is not a message). */
export const MAX_ERROR_MESSAGE_CHARS = 500;

/** A successful call as measured by the runner. */
export interface Answer {
  description: Description;
  latencyMs: number;
  ttftMs?: number;
  attempts: number;
  cached: boolean;
}

/** The fields every record of a case has, whatever its outcome. */
export type BaseRecord = Omit<
  ResultRecord,
  "status" | "text" | "attempts" | "cached" | "recordId" | "createdAt"
>;

export function baseRecord(
  runId: string,
  item: Case<ImageEntry>,
  params: { maxOutputTokens: number; temperature?: number; schema?: StructuredSchema },
): BaseRecord {
  return {
    runId,
    caseKey: item.key,
    platform: item.target.adapter.id,
    model: item.target.adapter.model,
    preset: item.target.preset,
    imageId: item.image.id,
    imageSha256: item.image.sha256,
    variant: item.variant,
    promptId: item.prompt.id,
    prompt: item.prompt.text,
    repeat: item.repeat,
    maxOutputTokens: params.maxOutputTokens,
    temperature: params.temperature,
    schemaName: params.schema?.name,
    concurrency: item.target.concurrency,
    ...(item.target.simulated ? { simulated: true } : {}),
  };
}

/** What was sent of a prepared image, as records and the batch manifest keep it. */
export function sentImage(prepared: PreparedImage): SentImage {
  const { width, height, mimeType } = prepared.payload;
  return { width, height, bytes: prepared.bytes, mimeType };
}

/** The size, pixels and type of what was sent. */
export interface SentImage {
  width: number;
  height: number;
  bytes: number;
  mimeType: string;
}

/** A case's fields with what was sent, and the image tokens the platform's rule expects for it. */
export function withSent(base: BaseRecord, sent: SentImage): BaseRecord {
  const { width, height, bytes, mimeType } = sent;
  const { platform, model } = base;
  const estimatedImageTokens = estimateImageTokens({ platform, model, width, height });
  return { ...base, width, height, bytes, mimeType, estimatedImageTokens };
}

export function errorRecord(
  base: BaseRecord,
  error: VisionBenchError,
  attempts: number,
): ResultRecord {
  return {
    recordId: crypto.randomUUID(),
    createdAt: new Date().toISOString(),
    ...base,
    status: "error",
    text: "",
    attempts,
    cached: false,
    error: {
      kind: error.kind,
      status: error.status,
      code: error.code,
      message: redact(error.message, { maxLength: MAX_ERROR_MESSAGE_CHARS }),
    },
  };
}

/**
 * The latency a record keeps: measured, or — when the emulator that answered modelled the service
 * time and waited a compressed copy of it — the modelled time, with the wait kept apart.
 */
function recordedLatency(answer: Answer): Pick<
  ResultRecord,
  "latencyMs" | "ttftMs" | "wallLatencyMs" | "latencyModel" | "simulated"
> {
  const simulation = answer.description.simulation;
  if (!simulation) return { latencyMs: answer.latencyMs, ttftMs: answer.ttftMs };
  const { modelledMs, modelledTtftMs, model } = simulation;
  if (modelledMs === undefined) {
    return {
      latencyMs: answer.latencyMs,
      ttftMs: answer.ttftMs,
      simulated: true,
      latencyModel: model,
    };
  }
  return {
    latencyMs: modelledMs,
    ttftMs: answer.ttftMs === undefined ? undefined : modelledTtftMs ?? modelledMs,
    wallLatencyMs: answer.latencyMs,
    latencyModel: model,
    simulated: true,
  };
}

export function okRecord(base: BaseRecord, target: RunTarget, answer: Answer): ResultRecord {
  const { description } = answer;
  const { latencyMs, ...latency } = recordedLatency(answer);
  const usage = description.usage;
  const timing = description.timing;
  const record: ResultRecord = {
    recordId: crypto.randomUUID(),
    createdAt: new Date().toISOString(),
    ...base,
    status: "ok",
    text: description.text,
    structured: description.structured,
    finishReason: description.finishReason,
    raw: description.rawFinishReason === undefined && description.responseModel === undefined
      ? undefined
      : { finishReason: description.rawFinishReason, model: description.responseModel },
    latencyMs,
    ...latency,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    imageTokens: usage.imageTokens,
    reasoningTokens: usage.reasoningTokens,
    gpuSeconds: timing?.gpuSeconds,
    timing: timing === undefined ? undefined : {
      queueMs: timing.queueMs,
      serverMs: timing.serverMs,
      loadMs: timing.loadMs,
      promptEvalMs: timing.promptEvalMs,
      evalMs: timing.evalMs,
      coldStart: timing.coldStart,
    },
    costBasis: target.priceCard?.basis ?? target.adapter.billing,
    price: target.priceCard,
    attempts: answer.attempts,
    cached: answer.cached,
    warnings: description.warnings,
  };
  if (!target.priceCard) {
    record.costError = `no price card for ${target.preset} (${target.adapter.model})`;
    return record;
  }
  try {
    const cost = computeCost(target.priceCard, {
      usage,
      gpuSeconds: timing?.gpuSeconds,
      latencyMs,
      concurrency: target.concurrency,
    });
    record.costUsd = cost.costUsd;
    record.batchCostUsd = cost.batchCostUsd;
    record.costBasis = cost.basis;
  } catch (error) {
    record.costError = redact(error instanceof Error ? error.message : String(error));
  }
  return record;
}

/**
 * The error row of a failed call, keeping what the platform billed for it (`error.billed`: a
 * cancelled prediction's GPU seconds, a job whose output could not be read) with its cost from
 * the target's price card, so every billed second is counted. A billed row the user did not
 * interrupt is `final`: resuming would pay for the same call again.
 */
export function failedRecord(
  base: BaseRecord,
  target: RunTarget,
  failure: { error: VisionBenchError; attempts: number; interrupted?: boolean },
): ResultRecord {
  const { error, attempts } = failure;
  const record = errorRecord(base, error, attempts);
  // Read now, not when the base was made: an emulator is known once it has answered, even in error.
  if (target.simulated) record.simulated = true;
  if (!error.billed) return record;
  const { gpuSeconds, inputTokens, outputTokens } = error.billed;
  Object.assign(record, { gpuSeconds, inputTokens, outputTokens });
  if (!failure.interrupted) record.final = true;
  record.costBasis = target.priceCard?.basis ?? target.adapter.billing;
  record.price = target.priceCard;
  if (!target.priceCard) {
    record.costError = `no price card for ${target.preset} (${target.adapter.model})`;
    return record;
  }
  try {
    const cost = computeCost(target.priceCard, {
      usage: { inputTokens, outputTokens },
      gpuSeconds,
      concurrency: target.concurrency,
    });
    record.costUsd = cost.costUsd;
    record.costBasis = cost.basis;
  } catch (cause) {
    record.costError = redact(cause instanceof Error ? cause.message : String(cause));
  }
  return record;
}

/**
 * The row for an answer that cannot be recorded as it came — a negative, string or non-finite
 * count, a negative predict time: an `invalid_response` error naming the field, instead of an ok
 * line the store could not read back. Marked `final`: resume does not pay for the same answer
 * again.
 */
export function unrecordableRecord(
  base: BaseRecord,
  unreadable: UnreadableField,
  answer: Pick<Answer, "attempts" | "cached">,
): ResultRecord {
  const error = new VisionBenchError(
    "invalid_response",
    `the answer cannot be recorded: ${unreadable.field}: ${unreadable.problem} (got ${unreadable.value})`,
    { platform: base.platform },
  );
  return { ...errorRecord(base, error, answer.attempts), cached: answer.cached, final: true };
}
