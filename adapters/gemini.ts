/**
 * Gemini API (Google AI) through the official `@google/genai`. One image (inlineData) + the
 * prompt go out as one user turn; structured output is `responseMimeType: "application/json"`
 * with `responseJsonSchema` from the zod schema, and the JSON answer is validated by zod.
 *
 * @module
 */
import { simulationOf } from "../lib/contract/simulation.ts";
import {
  ApiError,
  type GenerateContentConfig,
  type GenerateContentParameters,
  type GenerateContentResponse,
  type GenerateContentResponseUsageMetadata,
  GoogleGenAI,
} from "@google/genai";
import { z } from "zod";
import type {
  Adapter,
  AdapterSettings,
  DescribeOptions,
  DescribeRequest,
  Description,
  FinishReason,
  StructuredSchema,
  Usage,
} from "../lib/contract/adapter.ts";
import { VisionBenchError } from "../lib/contract/errors.ts";
import { geminiError, type GeminiErrorContext } from "./gemini-errors.ts";
import { requiredSetting } from "./shared-errors.ts";
import { imageBase64 } from "../lib/contract/image-transport.ts";
import { parseStructuredOutput } from "../lib/contract/structured-output.ts";

// ---------------------------------------------------------------------------------------------
// wire types

/** What one call produced, streamed or not, before it becomes a {@link Description}. */
export interface CollectedResponse {
  text: string;
  finishReason?: string;
  blockReason?: string;
  usage?: GenerateContentResponseUsageMetadata;
  model?: string;
}

// ---------------------------------------------------------------------------------------------
// build request

/** Options of {@link buildGenerateParams}. */
export interface GenerateParamsOptions {
  /** Thinking budget in tokens; `undefined` leaves the model default. */
  thinkingBudget?: number;
}

/**
 * The `generateContent` parameters for one describe request. Call-only settings (signal, fetch)
 * are added by the caller.
 */
export function buildGenerateParams(
  model: string,
  request: DescribeRequest,
  options: GenerateParamsOptions = {},
): GenerateContentParameters & { config: GenerateContentConfig } {
  const config: GenerateContentConfig = {
    maxOutputTokens: request.maxOutputTokens,
    // The SDK may otherwise open further requests on its own ("automatic continuation").
    automaticContinuation: false,
  };
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (options.thinkingBudget !== undefined) {
    config.thinkingConfig = { thinkingBudget: options.thinkingBudget };
  }
  if (request.schema) {
    config.responseMimeType = "application/json";
    const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(request.schema.schema);
    config.responseJsonSchema = jsonSchema;
  }
  return {
    model,
    contents: [{
      role: "user",
      parts: [
        {
          inlineData: { mimeType: request.image.mimeType, data: imageBase64(request.image) },
        },
        { text: request.prompt },
      ],
    }],
    config,
  };
}

/**
 * Thinking is billed as output and slows the first token; 2.5 Flash and Flash-Lite can turn it
 * off (budget 0), 2.5 Pro and newer families cannot, so they keep their default.
 */
export function defaultThinkingBudget(model: string): number | undefined {
  return /^gemini-2\.5-flash(-lite)?(-preview.*|-\d+)?$/.test(model) ? 0 : undefined;
}

// ---------------------------------------------------------------------------------------------
// call SDK

/** The answer text of a response (also used for batch results). */
export function textOf(response: GenerateContentResponse): string {
  // Not `response.text`: it warns on non-text parts; thought summaries are not the answer.
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  return parts.filter((part) => typeof part.text === "string" && !part.thought)
    .map((part) => part.text).join("");
}

/** Folds one response (or stream chunk) into `into` (also used for batch results). */
export function collect(response: GenerateContentResponse, into: CollectedResponse): void {
  const candidate = response.candidates?.[0];
  into.finishReason = candidate?.finishReason ?? into.finishReason;
  into.blockReason = response.promptFeedback?.blockReason ?? into.blockReason;
  // usageMetadata is cumulative; the last chunk's is the total.
  into.usage = response.usageMetadata ?? into.usage;
  into.model = response.modelVersion ?? into.model;
}

async function generate(
  client: GoogleGenAI,
  params: GenerateContentParameters,
): Promise<CollectedResponse> {
  const response = await client.models.generateContent(params);
  const collected: CollectedResponse = { text: textOf(response) };
  collect(response, collected);
  return collected;
}

async function generateStream(
  client: GoogleGenAI,
  params: GenerateContentParameters,
  options: DescribeOptions,
  platform: string,
): Promise<CollectedResponse> {
  const chunks = await client.models.generateContentStream(params);
  const collected: CollectedResponse = { text: "" };
  let firstTokenSeen = false;
  for await (const chunk of chunks) {
    const delta = textOf(chunk);
    if (delta && !firstTokenSeen) {
      firstTokenSeen = true;
      options.onFirstToken?.();
    }
    collected.text += delta;
    collect(chunk, collected);
  }
  if (collected.finishReason === undefined && collected.blockReason === undefined) {
    throw new VisionBenchError("network", `${platform}: the stream ended without a finish reason`, {
      platform,
    });
  }
  return collected;
}

// ---------------------------------------------------------------------------------------------
// map finish reason

const CONTENT_FILTER_REASONS = new Set([
  "SAFETY",
  "RECITATION",
  "PROHIBITED_CONTENT",
  "BLOCKLIST",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
  "MODEL_ARMOR",
  "JAILBREAK",
]);

/**
 * Gemini `finishReason` (or a prompt `blockReason`) → {@link FinishReason}.
 *
 * @example
 * ```ts
 * mapFinishReason("MAX_TOKENS"); // "length"
 * ```
 */
export function mapFinishReason(reason: string | undefined): FinishReason {
  if (reason === "STOP") return "stop";
  if (reason === "MAX_TOKENS") return "length";
  if (reason !== undefined && CONTENT_FILTER_REASONS.has(reason)) return "content_filter";
  return "other";
}

// ---------------------------------------------------------------------------------------------
// map usage

/**
 * Gemini `usageMetadata` → {@link Usage}. `candidatesTokenCount` excludes thoughts, which are
 * billed as output too and reported as `reasoningTokens`. Image tokens come from the IMAGE
 * entry of `promptTokensDetails`. Absent fields stay `undefined`.
 */
export function mapUsage(usage: GenerateContentResponseUsageMetadata | undefined): Usage {
  if (!usage) return {};
  const imageDetails = usage.promptTokensDetails?.filter((detail) => detail.modality === "IMAGE");
  const imageTokens = imageDetails && imageDetails.length > 0
    ? imageDetails.reduce((sum, detail) => sum + (detail.tokenCount ?? 0), 0)
    : undefined;
  return {
    inputTokens: usage.promptTokenCount,
    outputTokens: usage.candidatesTokenCount,
    imageTokens,
    reasoningTokens: usage.thoughtsTokenCount,
    cachedInputTokens: usage.cachedContentTokenCount,
    totalTokens: usage.totalTokenCount,
  };
}

// ---------------------------------------------------------------------------------------------
// factory

/** Settings of {@link createGemini}. */
export interface GeminiSettings extends AdapterSettings {
  /** Required, e.g. "gemini-2.5-flash-lite" (the preset's model). */
  model?: string;
  /** Required, e.g. "https://generativelanguage.googleapis.com" (the preset's base URL). */
  baseUrl?: string;
  /** @default 0 for gemini-2.5-flash and -flash-lite, the model default otherwise */
  thinkingBudget?: number;
}

/**
 * An adapter for the Gemini API. The SDK does not retry (no `retryOptions`, no automatic
 * continuation): the runner owns retries.
 *
 * @example
 * ```ts
 * import type { DescribeRequest } from "../lib/contract/adapter.ts";
 * declare const image: DescribeRequest["image"];
 * const gemini = createGemini({ apiKey: "AIza…", model: "gemini-2.5-flash-lite" });
 * const answer = await gemini.describe({ image, prompt: "Describe this image.", maxOutputTokens: 300, stream: true });
 * answer.text;
 * ```
 */
export function createGemini(settings: GeminiSettings): Adapter {
  const platform = settings.platform ?? "gemini";
  const model = requiredSetting(settings.model, { name: "model", platform });
  const baseUrl = requiredSetting(settings.baseUrl, { name: "baseUrl", platform });
  if (!settings.apiKey) {
    // Without a key the SDK would read GEMINI_API_KEY / GOOGLE_API_KEY itself.
    throw new VisionBenchError("config", `${platform}: an API key is required`, { platform });
  }
  const baseFetch = settings.fetch ?? globalThis.fetch;
  const client = new GoogleGenAI({
    apiKey: settings.apiKey,
    vertexai: false,
    apiVersion: "v1beta",
    httpOptions: { baseUrl, fetch: baseFetch },
  });
  const thinkingBudget = settings.thinkingBudget ?? defaultThinkingBudget(model);

  async function describe(
    request: DescribeRequest,
    options: DescribeOptions = {},
  ): Promise<Description> {
    const context: GeminiErrorContext = {
      platform,
      apiKey: settings.apiKey,
      signal: options.signal,
    };
    // Per call, so concurrent calls each keep their own response headers (Retry-After).
    const capturingFetch: typeof fetch = async (input, init) => {
      const response = await keyStaysOnOrigin(baseFetch, input, init);
      context.responseHeaders = response.headers;
      if (!request.stream) return await withErrorIn200(response);
      const eventStream = response.headers.get("content-type")?.includes("text/event-stream");
      return response.ok && !eventStream ? await notAStream(response, platform) : response;
    };
    const params = buildGenerateParams(model, request, { thinkingBudget });
    params.config.abortSignal = options.signal;
    params.config.httpOptions = { fetch: capturingFetch };
    let collected: CollectedResponse;
    try {
      collected = request.stream
        ? await generateStream(client, params, options, platform)
        : await generate(client, params);
    } catch (error) {
      throw geminiError(error, context);
    }
    const description = toDescription(collected, request.schema, platform);
    const simulation = simulationOf(context.responseHeaders);
    return simulation ? { ...description, simulation } : description;
  }

  return {
    id: platform,
    model,
    capabilities: { streaming: true, structuredOutput: true, imageUrl: false, batch: true },
    billing: "tokens",
    describe,
  };
}

/** Redirects followed before the call gives up. */
const MAX_REDIRECTS = 5;

/**
 * `fetch` that follows redirects itself: fetch drops `Authorization` on a cross-origin redirect
 * but keeps every other header, and the key travels as `x-goog-api-key` — it must never reach
 * another origin. Same-origin redirects keep it; cross-origin ones go without it.
 */
async function keyStaysOnOrigin(
  base: typeof fetch,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
): Promise<Response> {
  let url = new URL(input instanceof Request ? input.url : input);
  const origin = url.origin;
  let current: RequestInit = { ...init, redirect: "manual" };
  for (let hop = 0;; hop++) {
    const response = await base(url, current);
    const location = response.headers.get("location");
    if (response.status < 300 || response.status >= 400 || !location || hop >= MAX_REDIRECTS) {
      return response;
    }
    await response.body?.cancel();
    url = new URL(location, url);
    if (url.origin !== origin) {
      const headers = new Headers(current.headers);
      headers.delete("x-goog-api-key");
      current = { ...current, headers };
    }
  }
}

/**
 * A 200 whose JSON body is `{"error": {code, message, status}}` turned into the `ApiError` the
 * SDK throws for a non-2xx one, so the same mapping reads it: the SDK would otherwise return an
 * answer without candidates — an empty "ok" row, cached and served again.
 */
async function withErrorIn200(response: Response): Promise<Response> {
  if (!response.ok || !response.headers.get("content-type")?.includes("json")) return response;
  const text = await response.text();
  let code = 500;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown } };
    if (typeof body?.error === "object" && body.error !== null) {
      if (typeof body.error.code === "number") code = body.error.code;
      throw new ApiError({ message: text, status: code });
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
  }
  return new Response(text, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/**
 * A 200 answer to a streamed request that is not an event stream — a JSON error (turned into
 * the SDK's `ApiError`), an HTML page or nothing — read as what it is, not as a cut stream.
 */
async function notAStream(response: Response, platform: string): Promise<never> {
  await withErrorIn200(response);
  const type = response.headers.get("content-type") || "no content-type";
  throw new VisionBenchError(
    "invalid_response",
    `${platform}: asked for a stream, the answer is not an event stream (${type})`,
    { platform },
  );
}

/** A collected response as a {@link Description} (also used for batch results). */
export function toDescription(
  collected: CollectedResponse,
  structured: StructuredSchema | undefined,
  platform: string,
): Description {
  const rawFinishReason = collected.blockReason ?? collected.finishReason;
  const finishReason = collected.blockReason !== undefined
    ? "content_filter"
    : mapFinishReason(collected.finishReason);
  const description: Description = {
    text: collected.text,
    finishReason,
    rawFinishReason,
    usage: mapUsage(collected.usage),
    responseModel: collected.model,
  };
  if (!structured || finishReason === "content_filter") return description;
  const parsed = parseStructuredOutput({ json: collected.text }, structured, platform);
  return { ...description, structured: parsed };
}
