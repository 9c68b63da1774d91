/**
 * OpenAI Batch API through the official `openai` SDK: the cases become one JSONL file of
 * `/v1/chat/completions` requests (`files.create`, purpose `batch`), a batch runs it within the
 * 24 h window (`batches.create` / `retrieve` / `cancel`), and the output and error files
 * (`files.content`) come back as one line per `custom_id`. Each line's body is the very body the
 * live adapter sends ({@link buildBody}) and each answer maps through the same
 * {@link toDescription}.
 *
 * Limits (the SDK's `BatchCreateParams.input_file_id` doc and
 * https://platform.openai.com/docs/guides/batch): 50,000 requests and 200 MB per input file.
 *
 * @module
 */
import OpenAI from "openai";
import { z } from "zod";
import {
  type BatchAdapter,
  type BatchItem,
  type BatchItemResult,
  type BatchJob,
  type BatchLimits,
  type BatchOutcome,
  type BatchResults,
  cancelledItemError,
  expiredItemError,
} from "../lib/contract/batch-adapter.ts";
import { kindFromStatus, toVisionBenchError, VisionBenchError } from "../lib/contract/errors.ts";
import { buildBody, type OpenAISettings, toDescription } from "./openai.ts";
import { openAIError } from "./openai-errors.ts";
import { readBatchAnswer, resultsOf, utf8Bytes } from "./batch-items.ts";
import { requiredSetting } from "./shared-errors.ts";

// ---------------------------------------------------------------------------------------------
// Wire types

/** One line of the input file. */
interface InputLine {
  custom_id: string;
  method: "POST";
  url: "/v1/chat/completions";
  body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
}

/** One line of the output or error file (only what is read). */
const ResultLineSchema = z.object({
  custom_id: z.string(),
  response: z.object({
    status_code: z.number(),
    body: z.unknown(),
  }).nullable().optional(),
  error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullable()
    .optional(),
});

/** The fields of a chat completion that are read: a non-string content is refused here. */
const CompletionSchema = z.object({
  model: z.string().optional(),
  choices: z.array(z.object({
    message: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }).nullish(),
    finish_reason: z.string().nullish(),
  })).min(1),
  usage: z.unknown().optional(),
});

const ErrorBodySchema = z.object({
  error: z.object({ message: z.string().optional(), code: z.string().nullish() }),
});

/** OpenAI's documented per-file limits. */
export const OPENAI_BATCH_LIMITS: BatchLimits = {
  maxRequests: 50_000,
  // Decimal megabytes: the stricter reading of "200 MB".
  maxBytes: 200_000_000,
};

/** Batches looked through (newest first) when searching for a label. */
const LABEL_SEARCH_LIMIT = 1000;

/** Settings of {@link createOpenAIBatch}: the live adapter's, plus limits. */
export interface OpenAIBatchSettings extends OpenAISettings {
  /** @default {@link OPENAI_BATCH_LIMITS} */
  limits?: Partial<BatchLimits>;
  /** The fetch results files are downloaded with (no whole-body cap). @default `fetch` */
  resultsFetch?: typeof fetch;
}

// ---------------------------------------------------------------------------------------------
// Build request

function inputLine(
  item: BatchItem,
  config: Parameters<typeof buildBody>[1],
): InputLine {
  // Batches never stream; the body is the live one otherwise (same prompt, image, limits).
  return {
    custom_id: item.customId,
    method: "POST",
    url: "/v1/chat/completions",
    body: buildBody(item.request, config),
  };
}

// ---------------------------------------------------------------------------------------------
// Map status

/** The fields of a batch object that are read (the SDK types them; the wire may not). */
const seconds = z.number().finite().nonnegative();
const BatchAnswerSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  created_at: seconds,
  completed_at: seconds.nullish(),
  failed_at: seconds.nullish(),
  expired_at: seconds.nullish(),
  cancelled_at: seconds.nullish(),
  request_counts: z.object({
    total: z.number().int().nonnegative(),
    completed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
  }).nullish(),
});

function toJob(answer: OpenAI.Batches.Batch): BatchJob {
  const batch = { ...answer, ...readBatchAnswer(BatchAnswerSchema, answer, "openai") };
  const outcomes: Record<string, BatchOutcome> = {
    completed: "completed",
    failed: "failed",
    expired: "expired",
    cancelled: "cancelled",
  };
  const outcome = outcomes[batch.status];
  const endedSeconds = batch.completed_at ?? batch.failed_at ?? batch.expired_at ??
    batch.cancelled_at;
  const counts = batch.request_counts;
  return {
    id: batch.id,
    state: outcome
      ? "ended"
      : batch.status === "validating"
      ? "submitted"
      : batch.status === "cancelling"
      ? "cancelling"
      : "running",
    outcome,
    rawStatus: batch.status,
    createdAt: new Date(batch.created_at * 1000).toISOString(),
    endedAt: outcome && endedSeconds ? new Date(endedSeconds * 1000).toISOString() : undefined,
    counts: counts
      ? { total: counts.total, succeeded: counts.completed, failed: counts.failed }
      : undefined,
    message: batch.errors?.data?.map((error) => error.message).filter(Boolean).join("; ") ||
      undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Map one result

function itemResult(
  value: unknown,
  platform: string,
  schema: Parameters<typeof toDescription>[1]["schema"],
): BatchItemResult | string {
  const parsed = ResultLineSchema.safeParse(value);
  if (!parsed.success) return "a result line without custom_id/response/error";
  const { custom_id: customId, response, error } = parsed.data;
  if (error?.code === "batch_expired") {
    return { customId, ok: false, error: expiredItemError(platform, error.message ?? undefined) };
  }
  if (error?.code === "batch_cancelled") {
    return { customId, ok: false, error: cancelledItemError(platform) };
  }
  if (!response) {
    const message = error?.message ?? "the item failed without a response";
    return {
      customId,
      ok: false,
      error: new VisionBenchError("server", `${platform}: ${message}`, {
        platform,
        code: error?.code ?? undefined,
      }),
    };
  }
  if (response.status_code !== 200) {
    const body = ErrorBodySchema.safeParse(response.body);
    return {
      customId,
      ok: false,
      error: new VisionBenchError(
        kindFromStatus(response.status_code),
        `${platform}: ${body.success ? body.data.error.message : `HTTP ${response.status_code}`}`,
        {
          platform,
          status: response.status_code,
          code: body.success ? body.data.error.code ?? undefined : undefined,
        },
      ),
    };
  }
  const completion = CompletionSchema.safeParse(response.body);
  if (!completion.success) {
    const issue = completion.error.issues[0];
    const error = new VisionBenchError(
      "invalid_response",
      `${platform}: the answer's ${issue.path.join(".")} is unreadable (${issue.message})`,
      { platform, code: "batch_answer_unreadable" },
    );
    return { customId, ok: false, error };
  }
  try {
    const { choices: [choice], usage, model } = completion.data;
    const description = toDescription(
      {
        text: choice.message?.content ?? "",
        refusal: choice.message?.refusal ?? undefined,
        finishReason: (choice.finish_reason ?? null) as OpenAI.Chat.ChatCompletion.Choice[
          "finish_reason"
        ],
        usage: usage as OpenAI.CompletionUsage | undefined,
        model,
      },
      { schema } as Parameters<typeof toDescription>[1],
      platform,
    );
    return { customId, ok: true, description };
  } catch (failure) {
    return { customId, ok: false, error: toVisionBenchError(failure, platform) };
  }
}

// ---------------------------------------------------------------------------------------------
// Factory

/**
 * Creates the OpenAI Batch adapter.
 *
 * @example
 * ```ts
 * import type { DescribeRequest } from "../lib/contract/adapter.ts";
 * declare const request: DescribeRequest;
 * const batch = createOpenAIBatch({ apiKey: "sk-…" });
 * const job = await batch.submit([{ customId: "case-1", request }]);
 * for await (const entries of batch.results(await batch.status(job.id))) console.log(entries);
 * ```
 */
export function createOpenAIBatch(settings: OpenAIBatchSettings = {}): BatchAdapter {
  const platform = settings.platform ?? "openai";
  if (platform !== "openai") {
    throw new VisionBenchError("unsupported", `${platform} has no batch service`, { platform });
  }
  const model = requiredSetting(settings.model, { name: "model", platform });
  const config = {
    model,
    detail: settings.detail ?? "auto",
    maxTokensField: settings.maxTokensField ?? "max_completion_tokens",
  } as const;
  const client = new OpenAI({
    apiKey: settings.apiKey ?? "none",
    baseURL: settings.baseUrl ?? "https://api.openai.com/v1",
    maxRetries: 0,
    fetch: settings.fetch,
    defaultHeaders: settings.headers,
  });
  const fail = (error: unknown, signal?: AbortSignal) => openAIError(error, { platform, signal });
  const line = (item: BatchItem) => JSON.stringify(inputLine(item, config)) + "\n";

  // Results files are read through a client whose answers have no whole-body cap (the lines
  // are capped one by one instead): a batch's output may be hundreds of MB.
  const files = new OpenAI({
    apiKey: settings.apiKey ?? "none",
    baseURL: settings.baseUrl ?? "https://api.openai.com/v1",
    maxRetries: 0,
    fetch: settings.resultsFetch ?? settings.fetch,
    defaultHeaders: settings.headers,
  });

  async function* bodies(ids: (string | null | undefined)[], signal?: AbortSignal) {
    for (const id of ids) {
      if (!id) continue;
      const response = await files.files.content(id, { signal });
      if (response.body) yield response.body;
    }
  }

  return {
    id: platform,
    model,
    limits: { ...OPENAI_BATCH_LIMITS, ...settings.limits },
    itemBytes: (item) => utf8Bytes(line(item)),
    async submit(items, options = {}) {
      try {
        const file = await client.files.create({
          file: new File([items.map(line).join("")], "visionbench-batch.jsonl", {
            type: "application/jsonl",
          }),
          purpose: "batch",
        }, { signal: options.signal });
        const batch = await client.batches.create({
          input_file_id: file.id,
          endpoint: "/v1/chat/completions",
          completion_window: "24h",
          metadata: options.label ? { visionbench: options.label } : undefined,
        }, { signal: options.signal });
        return toJob(batch);
      } catch (error) {
        throw fail(error, options.signal);
      }
    },
    async status(id, options = {}) {
      try {
        return toJob(await client.batches.retrieve(id, { signal: options.signal }));
      } catch (error) {
        throw fail(error, options.signal);
      }
    },
    async cancel(id, options = {}) {
      try {
        return toJob(await client.batches.cancel(id, { signal: options.signal }));
      } catch (error) {
        throw fail(error, options.signal);
      }
    },
    async findByLabel(label, options = {}) {
      try {
        let seen = 0;
        // Newest first; a batch being looked for was created moments before the process died.
        for await (const batch of client.batches.list({ limit: 100 }, { signal: options.signal })) {
          if (batch.metadata?.visionbench === label) return toJob(batch);
          if (++seen >= LABEL_SEARCH_LIMIT) break;
        }
        return undefined;
      } catch (error) {
        throw fail(error, options.signal);
      }
    },
    async *results(job, options = {}): BatchResults {
      try {
        const batch = await client.batches.retrieve(job.id, { signal: options.signal });
        yield* resultsOf(
          bodies([batch.output_file_id, batch.error_file_id], options.signal),
          (value) => itemResult(value, platform, options.schema),
        );
      } catch (error) {
        throw fail(error, options.signal);
      }
    },
  };
}
