/**
 * Gemini Batch Mode through the official `@google/genai` (`batches.create` with inlined
 * requests, `batches.get`, `batches.cancel`). Each inlined request is what the live adapter
 * sends ({@link buildGenerateParams}) with the case's id in `metadata.key`; each inlined
 * response maps through the same {@link toDescription}.
 *
 * Limits (https://ai.google.dev/gemini-api/docs/batch-mode): inline requests must keep the
 * whole create request under 20 MB; an input file may reach 2 GB. This adapter uses inline
 * requests only, so a large case set becomes several 20 MB batches rather than one file.
 *
 * @module
 */
import { z } from "zod";
import {
  type BatchJob as GeminiBatchJob,
  type GenerateContentResponse,
  GoogleGenAI,
  type InlinedRequest,
  JobState,
} from "@google/genai";
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
import { type ErrorKind, toVisionBenchError, VisionBenchError } from "../lib/contract/errors.ts";
import {
  buildGenerateParams,
  collect,
  type CollectedResponse,
  defaultThinkingBudget,
  type GeminiSettings,
  textOf,
  toDescription,
} from "./gemini.ts";
import { geminiError } from "./gemini-errors.ts";
import { readBatchAnswer, utf8Bytes } from "./batch-items.ts";
import { requiredSetting } from "./shared-errors.ts";

// ---------------------------------------------------------------------------------------------
// wire types

/** Gemini's documented inline limit (decimal megabytes: the stricter reading). */
export const GEMINI_BATCH_LIMITS: BatchLimits = {
  maxRequests: 100_000,
  maxBytes: 20_000_000,
};

/** Batches looked through when searching for a label. */
const LABEL_SEARCH_LIMIT = 1000;

/** Settings of {@link createGeminiBatch}: the live adapter's, plus limits. */
export interface GeminiBatchSettings extends GeminiSettings {
  /** @default {@link GEMINI_BATCH_LIMITS} */
  limits?: Partial<BatchLimits>;
}

/** google.rpc.Code numbers of an item error → kinds. */
const RPC_CODES: Record<number, ErrorKind> = {
  3: "bad_request",
  4: "timeout",
  5: "not_found",
  7: "auth",
  8: "rate_limit",
  13: "server",
  14: "overloaded",
  16: "auth",
};

// ---------------------------------------------------------------------------------------------
// build request

function inlinedRequest(
  item: BatchItem,
  model: string,
  thinkingBudget: number | undefined,
): InlinedRequest {
  const { contents, config } = buildGenerateParams(model, item.request, { thinkingBudget });
  // Only generation settings travel in a batch (no per-call signal or fetch).
  const { automaticContinuation: _continuation, ...generation } = config;
  return { contents, config: generation, metadata: { key: item.customId } };
}

// ---------------------------------------------------------------------------------------------
// map status

/** The fields of a batch job that are read, checked (the SDK types them; the wire may not). */
const isoTime = z.string().refine((text) => !Number.isNaN(Date.parse(text)), "not a date");
const JobAnswerSchema = z.object({
  name: z.string().min(1),
  createTime: isoTime.optional(),
  endTime: isoTime.optional(),
  updateTime: isoTime.optional(),
});

function toJob(job: GeminiBatchJob): BatchJob {
  readBatchAnswer(JobAnswerSchema, job, "gemini");
  const state = job.state ?? JobState.JOB_STATE_UNSPECIFIED;
  const outcomes: Partial<Record<JobState, BatchJob["outcome"]>> = {
    [JobState.JOB_STATE_SUCCEEDED]: "completed",
    [JobState.JOB_STATE_FAILED]: "failed",
    [JobState.JOB_STATE_CANCELLED]: "cancelled",
    [JobState.JOB_STATE_EXPIRED]: "expired",
  };
  const outcome = outcomes[state];
  return {
    id: job.name ?? "",
    state: outcome
      ? "ended"
      : state === JobState.JOB_STATE_RUNNING
      ? "running"
      : state === JobState.JOB_STATE_CANCELLING
      ? "cancelling"
      : "submitted",
    outcome,
    rawStatus: String(state),
    createdAt: job.createTime,
    endedAt: outcome ? job.endTime ?? job.updateTime : undefined,
    message: job.error?.message,
  };
}

// ---------------------------------------------------------------------------------------------
// map one result

function describe(
  response: GenerateContentResponse,
  platform: string,
  schema: Parameters<typeof toDescription>[1],
) {
  const collected: CollectedResponse = { text: textOf(response) };
  collect(response, collected);
  return toDescription(collected, schema, platform);
}

// ---------------------------------------------------------------------------------------------
// factory

/**
 * Creates the Gemini Batch Mode adapter.
 *
 * @example
 * ```ts
 * import type { DescribeRequest } from "../lib/contract/adapter.ts";
 * declare const request: DescribeRequest;
 * const batch = createGeminiBatch({ apiKey: "AIza…" });
 * const job = await batch.submit([{ customId: "case-1", request }]);
 * console.log(job);
 * ```
 */
export function createGeminiBatch(settings: GeminiBatchSettings): BatchAdapter {
  const platform = settings.platform ?? "gemini";
  const model = requiredSetting(settings.model, { name: "model", platform });
  if (!settings.apiKey) {
    throw new VisionBenchError("config", `${platform}: an API key is required`, { platform });
  }
  const client = new GoogleGenAI({
    apiKey: settings.apiKey,
    vertexai: false,
    apiVersion: "v1beta",
    httpOptions: { baseUrl: settings.baseUrl, fetch: settings.fetch ?? globalThis.fetch },
  });
  const thinkingBudget = settings.thinkingBudget ?? defaultThinkingBudget(model);
  const fail = (error: unknown, signal?: AbortSignal) =>
    geminiError(error, { platform, apiKey: settings.apiKey, signal });
  const get = (name: string, signal?: AbortSignal) =>
    client.batches.get({ name, config: { abortSignal: signal } });

  return {
    id: platform,
    model,
    limits: { ...GEMINI_BATCH_LIMITS, ...settings.limits },
    itemBytes: (item) => utf8Bytes(JSON.stringify(inlinedRequest(item, model, thinkingBudget))) + 1,
    async submit(items, options = {}) {
      try {
        const job = await client.batches.create({
          model,
          src: items.map((item) => inlinedRequest(item, model, thinkingBudget)),
          config: {
            displayName: options.label ?? "visionbench",
            abortSignal: options.signal,
          },
        });
        return toJob(job);
      } catch (error) {
        throw fail(error, options.signal);
      }
    },
    async status(id, options = {}) {
      try {
        return toJob(await get(id, options.signal));
      } catch (error) {
        throw fail(error, options.signal);
      }
    },
    async cancel(id, options = {}) {
      try {
        await client.batches.cancel({ name: id, config: { abortSignal: options.signal } });
        return toJob(await get(id, options.signal));
      } catch (error) {
        throw fail(error, options.signal);
      }
    },
    async findByLabel(label, options = {}) {
      try {
        let seen = 0;
        const pager = await client.batches.list({
          config: { pageSize: 100, abortSignal: options.signal },
        });
        for await (const job of pager) {
          if (job.displayName === label && !options.exclude?.includes(job.name ?? "")) {
            return toJob(job);
          }
          if (++seen >= LABEL_SEARCH_LIMIT) break;
        }
        return undefined;
      } catch (error) {
        throw fail(error, options.signal);
      }
    },
    async *results(job, options = {}): BatchResults {
      // Inline answers come inside the batch object (the request was under 20 MB inline).
      let responses;
      try {
        responses = (await get(job.id, options.signal)).dest?.inlinedResponses ?? [];
      } catch (error) {
        throw fail(error, options.signal);
      }
      yield responses.map((inlined, index) => {
        // Matched by metadata.key only: by position, one missing response would give every
        // later image the description of the next one.
        const customId = inlined.metadata?.key;
        if (typeof customId !== "string" || customId === "") {
          return {
            problem: `inlined response ${
              index + 1
            } has no metadata.key: not attributed to any case`,
          };
        }
        return itemResult(customId, inlined, platform, options.schema);
      });
    },
  };
}

function itemResult(
  customId: string,
  inlined: { response?: GenerateContentResponse; error?: { code?: number; message?: string } },
  platform: string,
  schema: Parameters<typeof toDescription>[1],
): BatchItemResult {
  if (inlined.error) {
    const code = inlined.error.code;
    if (code === 4 && /expire/i.test(inlined.error.message ?? "")) {
      return { customId, ok: false, error: expiredItemError(platform) };
    }
    if (code === 1) return { customId, ok: false, error: cancelledItemError(platform) };
    return {
      customId,
      ok: false,
      error: new VisionBenchError(
        RPC_CODES[code ?? -1] ?? "server",
        `${platform}: ${inlined.error.message ?? "request failed"}`,
        { platform, code },
      ),
    };
  }
  if (!inlined.response) {
    return {
      customId,
      ok: false,
      error: new VisionBenchError("invalid_response", `${platform}: neither response nor error`, {
        platform,
      }),
    };
  }
  try {
    return { customId, ok: true, description: describe(inlined.response, platform, schema) };
  } catch (error) {
    return { customId, ok: false, error: toVisionBenchError(error, platform) };
  }
}
