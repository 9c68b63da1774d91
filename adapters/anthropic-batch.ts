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
import { kindFromStatus, toVisionBenchError, VisionBenchError } from "../lib/contract/errors.ts";
import {
  type AnthropicSettings,
  buildMessageParams,
  collectMessage,
  toDescription,
} from "./anthropic.ts";
import { anthropicError } from "./anthropic-errors.ts";
import { readBatchAnswer, resultsOf, utf8Bytes } from "./batch-items.ts";
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
  /** The fetch results files are downloaded with (no whole-body cap). @default `fetch` */
  resultsFetch?: typeof fetch;
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

/** The fields of a batch object that are read, checked (the SDK types them; the wire may not). */
const isoTime = z.string().refine((text) => !Number.isNaN(Date.parse(text)), "not a date");
const count = z.number().int().nonnegative();
const BatchAnswerSchema = z.object({
  id: z.string().min(1),
  processing_status: z.string(),
  created_at: isoTime,
  ended_at: isoTime.nullish(),
  cancel_initiated_at: isoTime.nullish(),
  results_url: z.string().nullish(),
  request_counts: z.object({
    processing: count,
    succeeded: count,
    errored: count,
    canceled: count,
    expired: count,
  }),
});

/** How far back a lost batch is looked for, before the time its create call started. */
const CLOCK_SKEW_MS = 10 * 60_000;
/** Batches looked through (newest first) when searching for a lost one. */
const SEARCH_LIMIT = 1000;

function toJob(answer: Anthropic.Messages.MessageBatch): BatchJob {
  const batch = readBatchAnswer(BatchAnswerSchema, answer, "anthropic");
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
  const origin = new URL(settings.baseUrl ?? "https://api.anthropic.com").origin;

  // Results are read through a client whose answers have no whole-body cap (the lines are
  // capped one by one instead): a batch's results may be hundreds of MB.
  const files = new Anthropic({
    apiKey: settings.apiKey,
    baseURL: settings.baseUrl,
    maxRetries: 0,
    fetch: settings.resultsFetch ?? settings.fetch,
  });

  /**
   * The results file's body, read through the SDK's client (auth, base URL) rather than
   * `messages.batches.results()`, whose JSONL decoder throws at the first malformed line and
   * loses every result after it. The key goes only to the platform's own origin: a
   * `results_url` on another host is fetched without credentials.
   */
  async function* resultsBody(url: string, signal?: AbortSignal) {
    const target = new URL(url, origin);
    const response = target.origin === origin
      ? await files.get(target.href, { headers: { Accept: "application/binary" }, signal })
        .asResponse()
      : await (settings.resultsFetch ?? settings.fetch ?? fetch)(target.href, {
        signal,
        credentials: "omit",
        redirect: "error",
      });
    if (!response.ok) {
      await response.body?.cancel();
      throw new VisionBenchError(
        kindFromStatus(response.status),
        `${platform}: the results file on ${target.host} answered HTTP ${response.status}`,
        { platform, status: response.status },
      );
    }
    if (response.body) yield response.body;
  }

  /** Whether an ended batch's results hold exactly `wanted` custom ids. */
  async function holdsExactly(job: BatchJob, wanted: Set<string>, signal?: AbortSignal) {
    const batch = await client.messages.batches.retrieve(job.id, {}, { signal });
    if (!batch.results_url) return false;
    const ids = new Set<string>();
    const read = (value: unknown) => {
      const id = (value as { custom_id?: unknown })?.custom_id;
      if (typeof id === "string") ids.add(id);
      return "";
    };
    for await (const _ of resultsOf(resultsBody(batch.results_url, signal), read)) {
      if (ids.size > wanted.size) return false;
    }
    return ids.size === wanted.size && [...wanted].every((id) => ids.has(id));
  }

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
    async findByLabel(_label, options = {}) {
      // Anthropic batches carry no label: the lost batch is the one created since the call
      // started (less clock skew) that holds exactly these custom ids. A batch still running
      // does not show its ids; one holding the same number of requests then stands for it,
      // and two such candidates are refused rather than guessed between.
      const since = Date.parse(options.since ?? "") - CLOCK_SKEW_MS;
      const wanted = new Set(options.customIds ?? []);
      const candidates: BatchJob[] = [];
      try {
        let seen = 0;
        for await (
          const batch of client.messages.batches.list({ limit: 100 }, { signal: options.signal })
        ) {
          const job = toJob(batch);
          if (Date.parse(job.createdAt!) < since || ++seen > SEARCH_LIMIT) break;
          if (options.exclude?.includes(job.id) || job.counts?.total !== wanted.size) continue;
          if (job.state === "ended" && !await holdsExactly(job, wanted, options.signal)) continue;
          candidates.push(job);
        }
      } catch (error) {
        throw fail(error, options.signal);
      }
      if (candidates.length > 1) {
        throw new VisionBenchError(
          "invalid_response",
          `${platform}: ${candidates.length} batches (${
            candidates.map((job) => job.id).join(", ")
          }) ` +
            `could be the one whose create call was lost; cancel the extra one on the console`,
          { platform, code: "batch_ambiguous", retryable: false },
        );
      }
      return candidates[0];
    },
    async *results(job, options = {}): BatchResults {
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
        let target: URL;
        try {
          target = new URL(batch.results_url, origin);
        } catch {
          throw new VisionBenchError("invalid_response", `${platform}: results_url is not a URL`, {
            platform,
          });
        }
        if (target.origin !== origin) {
          yield [{
            problem: `the results_url of ${job.id} is on ${target.host}, not ` +
              `${new URL(origin).host}: read without the API key`,
          }];
        }
        yield* resultsOf(
          resultsBody(target.href, options.signal),
          (value) => itemResult(value, platform, options.schema),
        );
      } catch (error) {
        throw fail(error, options.signal);
      }
    },
  };
}
