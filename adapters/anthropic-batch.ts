/**
 * Anthropic Message Batches through the official `@anthropic-ai/sdk`
 * (`messages.batches.create` / `retrieve` / `cancel`, results from the batch's `results_url`).
 * Each request's `params` is the body the live adapter sends ({@link buildMessageParams}) and
 * each `succeeded` message maps through the same {@link toDescription}; `errored`, `expired`
 * and `canceled` results become typed errors.
 *
 * Limits (https://platform.claude.com/docs/en/build-with-claude/batch-processing): 100,000
 * requests or 256 MB per batch, whichever comes first.
 *
 * @module
 */
import Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import {
  type BatchAdapter,
  type BatchItem,
  type BatchItemResult,
  type BatchJob,
  type BatchLimits,
  type BatchResults,
  cancelledItemError,
  expiredItemError,
} from "../lib/contract/batch-adapter.ts";
import type { StructuredSchema } from "../lib/contract/adapter.ts";
import { toVisionBenchError, VisionBenchError } from "../lib/contract/errors.ts";
import {
  type AnthropicSettings,
  buildMessageParams,
  collectMessage,
  toDescription,
} from "./anthropic.ts";
import { anthropicError } from "./anthropic-errors.ts";
import { resultsOf, utf8Bytes } from "./batch-items.ts";
import { requiredSetting } from "./shared-errors.ts";

// ---------------------------------------------------------------------------------------------
// wire types

/** One result line (only what is read; the message itself is read like a live answer). */
const ResultLineSchema = z.object({
  custom_id: z.string(),
  result: z.object({
    type: z.enum(["succeeded", "errored", "canceled", "expired"]),
    message: z.unknown().optional(),
    error: z.object({
      error: z.object({ type: z.string().optional(), message: z.string().optional() })
        .optional(),
    }).optional(),
  }),
});

/** Anthropic's documented per-batch limits. */
export const ANTHROPIC_BATCH_LIMITS: BatchLimits = {
  maxRequests: 100_000,
  // Decimal megabytes: the stricter reading of "256 MB".
  maxBytes: 256_000_000,
};

/** Settings of {@link createAnthropicBatch}: the live adapter's, plus limits. */
export interface AnthropicBatchSettings extends AnthropicSettings {
  /** @default {@link ANTHROPIC_BATCH_LIMITS} */
  limits?: Partial<BatchLimits>;
}

/** Error `type`s of an errored item → kinds (as the live error mapping reads them). */
const ERROR_TYPES: Record<string, VisionBenchError["kind"]> = {
  invalid_request_error: "bad_request",
  authentication_error: "auth",
  permission_error: "auth",
  not_found_error: "not_found",
  request_too_large: "bad_request",
  rate_limit_error: "rate_limit",
  api_error: "server",
  overloaded_error: "overloaded",
};

// ---------------------------------------------------------------------------------------------
// build request

function batchRequest(item: BatchItem, model: string) {
  return { custom_id: item.customId, params: buildMessageParams(model, item.request) };
}

// ---------------------------------------------------------------------------------------------
// map status

function toJob(batch: Anthropic.Messages.MessageBatch): BatchJob {
  const counts = batch.request_counts;
  const ended = batch.processing_status === "ended";
  return {
    id: batch.id,
    state: ended ? "ended" : batch.processing_status === "canceling" ? "cancelling" : "running",
    outcome: !ended
      ? undefined
      : batch.cancel_initiated_at
      ? "cancelled"
      : counts.expired > 0
      ? "expired"
      : "completed",
    rawStatus: batch.processing_status,
    createdAt: batch.created_at,
    endedAt: batch.ended_at ?? undefined,
    counts: {
      total: counts.processing + counts.succeeded + counts.errored + counts.canceled +
        counts.expired,
      succeeded: counts.succeeded,
      failed: counts.errored + counts.canceled + counts.expired,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// map one result

function itemResult(
  value: unknown,
  platform: string,
  schema: StructuredSchema | undefined,
): BatchItemResult | string {
  const parsed = ResultLineSchema.safeParse(value);
  if (!parsed.success) return "a result line without custom_id/result";
  const { custom_id: customId, result } = parsed.data;
  switch (result.type) {
    case "expired":
      return { customId, ok: false, error: expiredItemError(platform) };
    case "canceled":
      return { customId, ok: false, error: cancelledItemError(platform) };
    case "errored": {
      const detail = result.error?.error;
      const kind = ERROR_TYPES[detail?.type ?? ""] ?? "server";
      return {
        customId,
        ok: false,
        error: new VisionBenchError(kind, `${platform}: ${detail?.message ?? "request errored"}`, {
          platform,
          code: detail?.type,
        }),
      };
    }
    case "succeeded":
      try {
        const message = result.message as Anthropic.Messages.Message;
        return {
          customId,
          ok: true,
          description: toDescription(
            collectMessage(message, schema?.name, { platform }),
            schema,
            platform,
          ),
        };
      } catch (error) {
        return { customId, ok: false, error: toVisionBenchError(error, platform) };
      }
  }
}

// ---------------------------------------------------------------------------------------------
// factory

/**
 * Creates the Anthropic Message Batches adapter.
 *
 * @example
 * ```ts
 * import type { DescribeRequest } from "../lib/contract/adapter.ts";
 * declare const request: DescribeRequest;
 * const batch = createAnthropicBatch({ apiKey: "sk-ant-…" });
 * const job = await batch.submit([{ customId: "case-1", request }]);
 * console.log(job);
 * ```
 */
export function createAnthropicBatch(settings: AnthropicBatchSettings): BatchAdapter {
  const platform = settings.platform ?? "anthropic";
  const model = requiredSetting(settings.model, { name: "model", platform });
  if (!settings.apiKey) {
    throw new VisionBenchError("config", `${platform}: an API key is required`, { platform });
  }
  const client = new Anthropic({
    apiKey: settings.apiKey,
    baseURL: settings.baseUrl,
    maxRetries: 0,
    fetch: settings.fetch,
  });
  const fail = (error: unknown, signal?: AbortSignal) =>
    anthropicError(error, { platform, apiKey: settings.apiKey, signal });

  return {
    id: platform,
    model,
    limits: { ...ANTHROPIC_BATCH_LIMITS, ...settings.limits },
    // One element of the `requests` array, plus its comma.
    itemBytes: (item) => utf8Bytes(JSON.stringify(batchRequest(item, model))) + 1,
    async submit(items, options = {}) {
      try {
        const batch = await client.messages.batches.create(
          { requests: items.map((item) => batchRequest(item, model)) },
          { signal: options.signal },
        );
        return toJob(batch);
      } catch (error) {
        throw fail(error, options.signal);
      }
    },
    async status(id, options = {}) {
      try {
        return toJob(await client.messages.batches.retrieve(id, {}, { signal: options.signal }));
      } catch (error) {
        throw fail(error, options.signal);
      }
    },
    async cancel(id, options = {}) {
      try {
        return toJob(await client.messages.batches.cancel(id, {}, { signal: options.signal }));
      } catch (error) {
        throw fail(error, options.signal);
      }
    },
    async results(job, options = {}): Promise<BatchResults> {
      let text: string;
      try {
        const batch = await client.messages.batches.retrieve(job.id, {}, {
          signal: options.signal,
        });
        if (!batch.results_url) {
          throw new VisionBenchError(
            "invalid_response",
            `${platform}: batch ${job.id} has no results_url (${batch.processing_status})`,
            { platform },
          );
        }
        // Read as text through the SDK's client (auth, base URL) rather than
        // `messages.batches.results()`, whose JSONL decoder throws at the first malformed line
        // and loses every result after it.
        const response = await client.get(batch.results_url, {
          headers: { Accept: "application/binary" },
          signal: options.signal,
        }).asResponse();
        text = await response.text();
      } catch (error) {
        throw fail(error, options.signal);
      }
      return resultsOf([text], (value) => itemResult(value, platform, options.schema));
    },
  };
}
