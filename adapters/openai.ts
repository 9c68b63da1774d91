/**
 * OpenAI Chat Completions through the official `openai` SDK. One adapter serves OpenAI itself,
 * Baseten Model APIs (OpenAI-compatible, `platform: "baseten"`) and any other OpenAI-compatible
 * endpoint (`baseUrl` + `platform`), including RunPod vLLM workers.
 *
 * The SDK's own retries are off (`maxRetries: 0`): `lib/` owns retries and the deadline, which
 * arrives as `options.signal`.
 *
 * @module
 */
import OpenAI from "openai";
import type {
  Adapter,
  AdapterSettings,
  DescribeOptions,
  DescribeRequest,
  Description,
  FinishReason,
  Usage,
} from "../lib/contract/adapter.ts";
import { VisionBenchError } from "../lib/contract/errors.ts";
import type { CostBasis } from "../lib/contract/price-card.ts";
import { errorInBody, openAIError } from "./openai-errors.ts";
import { strictJsonSchema } from "./openai-schema.ts";
import { parseStructuredOutput } from "../lib/contract/structured-output.ts";
import { abortedError, requiredSetting } from "./shared-errors.ts";
import { imageDataUrl } from "../lib/contract/image-transport.ts";
import { type Simulation, simulationOf } from "../lib/contract/simulation.ts";

// ---------------------------------------------------------------------------------------------
// Wire types (the SDK types the wire; these are the shapes this file reads)

type ChatBody = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
type ChatUsage = OpenAI.CompletionUsage;

/** Which request field carries the output limit. */
export type MaxTokensField = "max_completion_tokens" | "max_tokens";

/**
 * Wire facts of the OpenAI-compatible platforms that differ from a generic compatible server.
 * (Default models and base URLs are not here: data/presets.json is their one source.)
 */
const PLATFORM_WIRE: Record<string, { maxTokensField: MaxTokensField; batch: boolean }> = {
  // OpenAI deprecated max_tokens for max_completion_tokens (reasoning models reject max_tokens).
  openai: { maxTokensField: "max_completion_tokens", batch: true },
};

/** Settings of {@link createOpenAI}. */
export interface OpenAISettings extends AdapterSettings {
  /** Platform id records carry. @default "openai" */
  platform?: string;
  /** Required, e.g. "gpt-4o-mini" (the preset's model). */
  model?: string;
  /** Required, e.g. "https://api.openai.com/v1" (the preset's base URL). */
  baseUrl?: string;
  /** Image detail sent with the image (OpenAI bills "low" at the base tokens only). @default "auto" */
  detail?: "low" | "high" | "auto";
  /** @default "max_completion_tokens" for openai, "max_tokens" (what every compatible server takes) otherwise */
  maxTokensField?: MaxTokensField;
  /** How the platform bills (a RunPod vLLM worker bills GPU seconds). @default "tokens" */
  billing?: CostBasis;
  /** Set false for compatible servers without `response_format: json_schema`. @default true */
  structuredOutput?: boolean;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

/** The part of a completion the adapter keeps, the same for streamed and whole answers. */
export interface Completion {
  text: string;
  refusal?: string;
  finishReason: string | null;
  usage?: ChatUsage;
  model?: string;
  /** What an emulator's response headers said (see lib/contract/simulation.ts). */
  simulation?: Simulation;
}

// ---------------------------------------------------------------------------------------------
// Build request

/** The Chat Completions body for one describe request (the batch adapter sends the same). */
export function buildBody(
  request: DescribeRequest,
  config: { model: string; detail: "low" | "high" | "auto"; maxTokensField: MaxTokensField },
): ChatBody {
  const body: ChatBody = {
    model: config.model,
    messages: [{
      role: "user",
      content: [
        { type: "text", text: request.prompt },
        {
          type: "image_url",
          image_url: { url: imageDataUrl(request.image), detail: config.detail },
        },
      ],
    }],
    [config.maxTokensField]: request.maxOutputTokens,
  };
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.schema) {
    body.response_format = {
      type: "json_schema",
      json_schema: {
        name: request.schema.name,
        description: request.schema.description,
        strict: true,
        schema: strictJsonSchema(request.schema.schema),
      },
    };
  }
  return body;
}

// ---------------------------------------------------------------------------------------------
// Call SDK

/** One call: the body, the caller's options and the platform id put on errors. */
interface Call {
  body: ChatBody;
  options: DescribeOptions;
  platform: string;
}

async function complete(client: OpenAI, { body, options, platform }: Call): Promise<Completion> {
  const { data: response, response: raw } = await client.chat.completions.create(body, {
    signal: options.signal,
  }).withResponse();
  const choice = response.choices?.[0];
  if (!choice) {
    // `{"error": {…}}` answered with HTTP 200: an error in the platform's words, never a row.
    const error = (response as { error?: unknown }).error;
    if (error !== undefined) throw errorInBody(error, platform);
    throw new VisionBenchError("invalid_response", "the answer has no choices", { platform });
  }
  const text = choice.message?.content ?? "";
  if (typeof text !== "string") {
    throw new VisionBenchError("invalid_response", "message.content is not text", { platform });
  }
  if (text) options.onFirstToken?.();
  return {
    text,
    refusal: choice.message?.refusal ?? undefined,
    finishReason: choice.finish_reason ?? null,
    usage: response.usage ?? undefined,
    model: response.model,
    simulation: simulationOf(raw.headers),
  };
}

async function completeStreaming(
  client: OpenAI,
  { body, options, platform }: Call,
): Promise<Completion> {
  const { data: stream, response } = await client.chat.completions.create(
    { ...body, stream: true, stream_options: { include_usage: true } },
    { signal: options.signal },
  ).withResponse();
  // A 200 that is not an event stream (a JSON error, an HTML page, nothing) is read as what it
  // is, not as a stream that was cut.
  const contentType = response.headers.get("content-type") ?? "";
  if (!contentType.includes("text/event-stream")) throw await notAStream(response, platform);
  const completion: Completion = {
    text: "",
    finishReason: null,
    simulation: simulationOf(response.headers),
  };
  let refusal = "";
  for await (const chunk of stream) {
    completion.model ??= chunk.model;
    // The usage chunk has `choices: []`; some compatible servers put usage on the last choice chunk.
    if (chunk.usage) completion.usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    const content = choice.delta?.content;
    if (content) {
      if (completion.text === "") options.onFirstToken?.();
      completion.text += content;
    }
    if (choice.delta?.refusal) refusal += choice.delta.refusal;
    if (choice.finish_reason) completion.finishReason = choice.finish_reason;
  }
  // The SDK ends the iteration quietly when the signal aborts mid-stream.
  if (options.signal?.aborted) throw abortedError(options.signal, { platform });
  if (completion.finishReason === null) {
    // The connection closed before the answer finished: a transport fault worth a retry.
    throw new VisionBenchError("network", "the stream ended before the answer finished", {
      platform,
    });
  }
  if (refusal) completion.refusal = refusal;
  return completion;
}

/** The error for a 200 answer to a streamed request that is not an event stream. */
async function notAStream(response: Response, platform: string): Promise<VisionBenchError> {
  const text = await response.text();
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error;
    if (error !== undefined) return errorInBody(error, platform);
  } catch { /* not JSON: said below */ }
  const type = response.headers.get("content-type") || "no content-type";
  return new VisionBenchError(
    "invalid_response",
    `asked for a stream, the answer is not an event stream (${type}, ${text.length} characters)`,
    { platform },
  );
}

// ---------------------------------------------------------------------------------------------
// Map finish reason

function mapFinishReason(raw: string | null): FinishReason {
  switch (raw) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "content_filter":
      return "content_filter";
    case "tool_calls":
    case "function_call":
      return "tool";
    default:
      return "other";
  }
}

// ---------------------------------------------------------------------------------------------
// Map usage

function mapUsage(usage: ChatUsage | undefined): Usage {
  if (!usage) return {};
  // completion_tokens includes reasoning; the contract reports them apart (pricing bills both).
  const reasoning = usage.completion_tokens_details?.reasoning_tokens ?? undefined;
  const completion = usage.completion_tokens ?? undefined;
  return {
    inputTokens: usage.prompt_tokens ?? undefined,
    outputTokens: completion === undefined ? undefined : completion - (reasoning ?? 0),
    totalTokens: usage.total_tokens ?? undefined,
    cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? undefined,
    imageTokens: usage.prompt_tokens_details?.image_tokens ?? undefined,
    reasoningTokens: reasoning,
  };
}

// ---------------------------------------------------------------------------------------------
// Factory

/** A completion as a {@link Description} (also used for batch results). */
export function toDescription(
  completion: Completion,
  request: DescribeRequest,
  platform: string,
): Description {
  const finishReason = completion.refusal
    ? "content_filter"
    : mapFinishReason(completion.finishReason);
  // A refusal or a filtered answer with nothing in it is no description: an error in the row.
  if (finishReason === "content_filter" && completion.text === "") {
    throw new VisionBenchError(
      "content_filter",
      completion.refusal ? `the model refused: ${completion.refusal}` : "the answer was filtered",
      { platform, code: completion.finishReason ?? undefined },
    );
  }
  const description: Description = {
    text: completion.text,
    finishReason,
    rawFinishReason: completion.finishReason ?? undefined,
    usage: mapUsage(completion.usage),
    responseModel: completion.model,
  };
  if (completion.simulation) description.simulation = completion.simulation;
  if (request.schema && finishReason !== "length") {
    description.structured = parseStructuredOutput(
      { json: completion.text },
      request.schema,
      platform,
    );
  }
  if (completion.text === "") description.warnings = ["the model answered with empty text"];
  return description;
}

/**
 * Creates an adapter for OpenAI or any OpenAI-compatible Chat Completions endpoint.
 *
 * @example
 * ```ts
 * import type { DescribeRequest } from "../lib/contract/adapter.ts";
 * declare const image: DescribeRequest["image"];
 * const openai = createOpenAI({ apiKey: "sk-…", model: "gpt-4o-mini", baseUrl: "https://api.openai.com/v1" });
 * const baseten = createOpenAI({ platform: "baseten", model: "moonshotai/Kimi-K2.6", baseUrl: "https://inference.baseten.co/v1" });
 * (await openai.describe({ image, prompt: "Describe", maxOutputTokens: 300, stream: true })).text;
 * baseten.id; // "baseten"
 * ```
 */
export function createOpenAI(settings: OpenAISettings = {}): Adapter {
  const platform = settings.platform ?? "openai";
  const known = PLATFORM_WIRE[platform];
  const baseUrl = requiredSetting(settings.baseUrl, { name: "baseUrl", platform });
  const model = requiredSetting(settings.model, { name: "model", platform });
  const config = {
    model,
    detail: settings.detail ?? "auto",
    maxTokensField: settings.maxTokensField ?? known?.maxTokensField ?? "max_tokens",
  } as const;
  const client = new OpenAI({
    // The SDK refuses to start without a key; a keyless local server accepts any value.
    apiKey: settings.apiKey ?? "none",
    baseURL: baseUrl,
    maxRetries: 0,
    fetch: settings.fetch,
    defaultHeaders: settings.headers,
  });
  return {
    id: platform,
    model,
    capabilities: {
      streaming: true,
      structuredOutput: settings.structuredOutput ?? true,
      imageUrl: true,
      batch: known?.batch ?? false,
    },
    billing: settings.billing ?? "tokens",
    async describe(request, options = {}) {
      const unsupportedSchema = request.schema !== undefined && settings.structuredOutput === false;
      const sent = unsupportedSchema ? { ...request, schema: undefined } : request;
      const call = { body: buildBody(sent, config), options, platform };
      let description: Description;
      try {
        const completion = request.stream
          ? await completeStreaming(client, call)
          : await complete(client, call);
        description = toDescription(completion, sent, platform);
      } catch (error) {
        throw openAIError(error, { platform, signal: options.signal, apiKey: settings.apiKey });
      }
      if (unsupportedSchema) {
        description.warnings = [
          ...(description.warnings ?? []),
          "structured output unsupported on this platform",
        ];
      }
      return description;
    },
  };
}
