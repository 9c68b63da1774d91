/**
 * A local, wire-faithful Gemini API for tests: `POST /v1beta/models/{model}:generateContent`
 * and `:streamGenerateContent?alt=sse` (each `data:` line a full GenerateContentResponse with a
 * text delta, usage on the last), Google RPC error bodies, SAFETY blocks, image tokens by the
 * Gemini rule in `promptTokensDetails`, and JSON answers conforming to a response schema.
 *
 * @module
 */
import { geminiImageTokens } from "../lib/price/image-tokens.ts";
import {
  countWords,
  deltas,
  type EmulatorBehaviour,
  type HandlerContext,
  json,
  malformed,
  reported,
  sleep,
  stream,
} from "./harness.ts";
import { imageSizeOfBase64 } from "./image-size.ts";
import { sampleFromSchema } from "./json-schema-sample.ts";
import { type EmulatorWithOwnFaults, startWithOwnFaults } from "./own-faults.ts";

/** Faults only Gemini has, queued with {@link GeminiEmulator.failWith}. */
export type GeminiFault =
  | "bad_request" // 400 INVALID_ARGUMENT
  | "permission" // 403 PERMISSION_DENIED
  | "deadline_exceeded" // 504 DEADLINE_EXCEEDED
  | "prompt_blocked" // 200 with promptFeedback.blockReason SAFETY and no candidates
  | "rate_limit_no_header"; // 429 whose only delay is the RetryInfo detail

/** Gemini-specific knobs. */
export interface GeminiEmulatorOptions {
  /** Models served; anything else is a 404 NOT_FOUND. */
  models: string[];
  /** Leave `usageMetadata` out of answers. @default false */
  omitUsage: boolean;
  /** Thoughts tokens reported when thinking is not disabled. @default 0 (not reported) */
  thoughtsTokens: number;
}

/** A running Gemini emulator. */
export interface GeminiEmulator extends EmulatorWithOwnFaults<GeminiFault> {
  options: GeminiEmulatorOptions;
}

export const GEMINI_EMULATOR_MODELS = [
  "gemini-2.5-flash-lite",
  "gemini-2.5-flash",
  "gemini-2.5-pro",
  "gemini-3-flash-preview",
];

// deno-lint-ignore no-explicit-any
type Json = any; // the emulator reads whatever the client sent, like a server does

/**
 * Starts the emulator on 127.0.0.1.
 *
 * @example
 * ```ts
 * const emulator = startGeminiEmulator();
 * const adapter = createGemini({ apiKey: "test-key", baseUrl: emulator.url, model: "gemini-2.5-flash-lite" });
 * ```
 */
export function startGeminiEmulator(
  behaviour: Partial<EmulatorBehaviour> & Partial<GeminiEmulatorOptions> = {},
): GeminiEmulator {
  const { models, omitUsage, thoughtsTokens, ...harnessBehaviour } = behaviour;
  const options: GeminiEmulatorOptions = {
    models: models ?? GEMINI_EMULATOR_MODELS,
    omitUsage: omitUsage ?? false,
    thoughtsTokens: thoughtsTokens ?? 0,
  };
  const emulator = startWithOwnFaults<GeminiFault>(
    (request, context) => handle(request, context, options, context.ownFault),
    harnessBehaviour,
  );
  return { ...emulator, options };
}

/** A Gemini error body (`google.rpc.Status`) with its HTTP status. */
export function error(
  code: number,
  status: string,
  message: string,
  extra: { details?: unknown[]; headers?: Record<string, string> } = {},
): Response {
  const body = {
    error: { code, message, status, ...(extra.details ? { details: extra.details } : {}) },
  };
  return json(body, code, extra.headers);
}

/** Gemini's 403 for a request with no API key (header or `key` parameter), else undefined. */
export function unregisteredCaller(context: HandlerContext, url: URL): Response | undefined {
  const key = context.recorded.headers["x-goog-api-key"] ?? url.searchParams.get("key");
  if (key) return undefined;
  return error(
    403,
    "PERMISSION_DENIED",
    "Method doesn't allow unregistered callers. Please use an API key.",
  );
}

async function handle(
  request: Request,
  context: HandlerContext,
  options: GeminiEmulatorOptions,
  ownFault: GeminiFault | undefined,
): Promise<Response> {
  const url = new URL(request.url);
  const route = url.pathname.match(
    /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/,
  );
  if (request.method !== "POST" || !route) {
    return error(404, "NOT_FOUND", `Requested entity was not found: ${url.pathname}`);
  }
  const [, model, method] = route;
  const streaming = method === "streamGenerateContent";
  if (streaming && url.searchParams.get("alt") !== "sse") {
    return error(400, "INVALID_ARGUMENT", "streamGenerateContent expects alt=sse here");
  }
  const anonymous = unregisteredCaller(context, url);
  if (anonymous) return anonymous;
  const { fault, behaviour } = context;
  const retryInfo = {
    "@type": "type.googleapis.com/google.rpc.RetryInfo",
    retryDelay: `${behaviour.retryAfterSeconds}s`,
  };
  if (fault === "rate_limit" || ownFault === "rate_limit_no_header") {
    // As recorded: the quota that ran out, then the RetryInfo.
    const quotaFailure = {
      "@type": "type.googleapis.com/google.rpc.QuotaFailure",
      violations: [{ quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier" }],
    };
    return error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.", {
      details: [quotaFailure, retryInfo],
      headers: fault === "rate_limit" ? { "retry-after": String(behaviour.retryAfterSeconds) } : {},
    });
  }
  if (fault === "object_error") {
    return json({
      error: { code: 401, message: { detail: "API key not valid" }, status: "UNAUTHENTICATED" },
    }, 401);
  }
  if (fault === "error_in_200") {
    const body = {
      error: { code: 400, message: "Unable to process input image.", status: "INVALID_ARGUMENT" },
    };
    return streaming
      ? stream([`data: ${JSON.stringify(body)}\n\n`], {
        contentType: "text/event-stream",
        ttftMs: 0,
        chunkDelayMs: 0,
        signal: context.signal,
      })
      : json(body, 200);
  }
  if (fault === "auth" || ownFault === "permission") {
    return error(403, "PERMISSION_DENIED", "The caller does not have permission");
  }
  if (fault === "server_error") return error(500, "INTERNAL", "An internal error has occurred.");
  if (fault === "overloaded") {
    return error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.");
  }
  if (ownFault === "deadline_exceeded") {
    return error(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.");
  }
  if (ownFault === "bad_request") {
    return error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.");
  }
  if (!options.models.includes(model)) {
    return error(
      404,
      "NOT_FOUND",
      `models/${model} is not found for API version v1beta, or is not supported for generateContent.`,
    );
  }
  const body: Json = context.recorded.body;
  if (!Array.isArray(body?.contents) || body.contents.length === 0) {
    return error(
      400,
      "INVALID_ARGUMENT",
      "* GenerateContentRequest.contents: contents is not specified",
    );
  }
  let promptTokens: { text: number; image: number };
  try {
    promptTokens = await countPrompt(body.contents);
  } catch (problem) {
    return error(400, "INVALID_ARGUMENT", (problem as Error).message);
  }
  const config = body.generationConfig ?? {};
  const schema = config.responseJsonSchema ?? config.responseSchema;
  const blocked = fault === "refusal";
  const text = blocked || fault === "empty"
    ? ""
    : schema
    ? JSON.stringify(sampleFromSchema(schema, behaviour.text))
    : behaviour.text;
  const maxTokens = config.maxOutputTokens ?? Infinity;
  const thinking = config.thinkingConfig?.thinkingBudget === 0 ? 0 : options.thoughtsTokens;
  const answer: Answer = {
    model,
    text,
    finishReason: blocked ? "SAFETY" : countWords(text) > maxTokens ? "MAX_TOKENS" : "STOP",
    promptBlocked: ownFault === "prompt_blocked",
    usage: options.omitUsage ? undefined : usageMetadata(
      promptTokens,
      behaviour.outputTokens ?? countWords(text),
      thinking,
      behaviour,
    ),
  };
  if (fault === "malformed") {
    return streaming
      ? stream(['data: {"candidates": [{"content": \n\n'], {
        contentType: "text/event-stream",
        ttftMs: 0,
        chunkDelayMs: 0,
        signal: context.signal,
      })
      : malformed();
  }
  if (streaming) return streamAnswer(answer, context);
  await sleep(behaviour.latencyMs, context.signal);
  return json(responseObject(answer, answer.text, true));
}

async function countPrompt(contents: Json[]): Promise<{ text: number; image: number }> {
  let text = 0;
  let image = 0;
  for (const content of contents) {
    for (const part of content.parts ?? []) {
      if (typeof part.text === "string") text += countWords(part.text);
      if (part.inlineData) {
        const size = await imageSizeOfBase64(part.inlineData.data).catch(() => {
          throw new Error(
            "Unable to process input image. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
          );
        });
        image += geminiImageTokens(size);
      }
    }
  }
  return { text, image };
}

function usageMetadata(
  prompt: { text: number; image: number },
  output: number,
  thoughts: number,
  behaviour: EmulatorBehaviour,
) {
  const promptTokenCount = prompt.text + prompt.image;
  return {
    promptTokenCount: reported(behaviour, promptTokenCount),
    candidatesTokenCount: reported(behaviour, output),
    totalTokenCount: reported(behaviour, promptTokenCount + output + thoughts),
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
    promptTokensDetails: [
      { modality: "TEXT", tokenCount: prompt.text },
      ...(prompt.image > 0 ? [{ modality: "IMAGE", tokenCount: prompt.image }] : []),
    ],
  };
}

interface Answer {
  model: string;
  text: string;
  finishReason: string;
  promptBlocked: boolean;
  usage?: ReturnType<typeof usageMetadata>;
}

const SAFETY_RATINGS = [
  { category: "HARM_CATEGORY_SEXUALLY_EXPLICIT", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_HATE_SPEECH", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_HARASSMENT", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true },
];

/**
 * One GenerateContentResponse; `last` carries the finish reason. Every chunk carries the usage so
 * far, as recorded streams do (`candidatesTokenCount` grows; `outputSoFar` words).
 */
function responseObject(answer: Answer, delta: string, last: boolean, outputSoFar?: number) {
  const common = { modelVersion: answer.model, responseId: "emulator-response" };
  if (answer.promptBlocked) {
    return {
      promptFeedback: { blockReason: "SAFETY", safetyRatings: SAFETY_RATINGS },
      ...(answer.usage ? { usageMetadata: answer.usage } : {}),
      ...common,
    };
  }
  const safety = answer.finishReason === "SAFETY";
  const candidate = {
    ...(safety ? {} : { content: { parts: [{ text: delta }], role: "model" } }),
    ...(last ? { finishReason: answer.finishReason } : {}),
    ...(safety ? { safetyRatings: SAFETY_RATINGS } : {}),
    index: 0,
  };
  const usage = answer.usage && !last && outputSoFar !== undefined
    ? usageSoFar(answer.usage, outputSoFar)
    : answer.usage;
  return {
    candidates: [candidate],
    ...(usage ? { usageMetadata: usage } : {}),
    ...common,
  };
}

/** The final usage as it stood after `output` streamed tokens (hostile values kept as they are). */
function usageSoFar(usage: NonNullable<Answer["usage"]>, output: number) {
  const final = usage.candidatesTokenCount;
  if (typeof final !== "number" || typeof usage.totalTokenCount !== "number") return usage;
  const sofar = Math.min(output, final);
  return {
    ...usage,
    candidatesTokenCount: sofar,
    totalTokenCount: usage.totalTokenCount - final + sofar,
  };
}

function streamAnswer(answer: Answer, context: HandlerContext): Response {
  const pieces = answer.text === "" ? [""] : deltas(answer.text);
  const chunks = pieces.map((piece, index) =>
    `data: ${
      JSON.stringify(responseObject(answer, piece, index === pieces.length - 1, index + 1))
    }\r\n\r\n`
  );
  const cutAfter = context.fault === "stream_cut"
    ? Math.max(1, Math.floor(chunks.length / 2))
    : undefined;
  return stream(chunks, {
    contentType: "text/event-stream",
    ttftMs: context.behaviour.ttftMs ?? context.behaviour.latencyMs,
    chunkDelayMs: context.behaviour.chunkDelayMs,
    cutAfter,
    signal: context.signal,
  });
}
