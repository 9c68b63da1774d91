/**
 * OpenAI-compatible emulator: `POST …/v1/chat/completions` (one JSON answer or SSE chunks ending
 * with `data: [DONE]`, plus the `choices: []` usage chunk when `stream_options.include_usage`),
 * `GET …/v1/models`, OpenAI error bodies and the harness faults.
 *
 * Usage is computed the way the platforms bill it: prompt tokens = words of the prompt + image
 * tokens, by the OpenAI tile rule for gpt-4o* models and by 14-px patches for
 * `moonshotai/Kimi-*` (Baseten), the image size read from the data URL with sharp.
 *
 * The handler matches paths by suffix so the RunPod emulator mounts it under
 * `/v2/{endpoint}/openai/v1`.
 *
 * @module
 */
import { kimiImageTokens, openAIImageTokens, openAITileRates } from "../lib/price/image-tokens.ts";
import {
  countWords,
  deltas,
  type Emulator,
  type EmulatorBehaviour,
  type Handler,
  type HandlerContext,
  json,
  malformed,
  reported,
  sleep,
  startEmulator,
  stream,
} from "./harness.ts";
import { base64OfDataUrl, imageSizeOfBase64 } from "./image-size.ts";
import { sampleFromSchema } from "./json-schema-sample.ts";

/** The key the emulator accepts unless told otherwise: recognisable, so tests can look for leaks. */
export const EMULATOR_OPENAI_KEY = "sk-emulator-SECRET-0123456789abcdef";

/** OpenAI-specific knobs (all changeable between requests through `emulator.options`). */
export interface OpenAIEmulatorOptions extends Partial<EmulatorBehaviour> {
  /** Key accepted as `Authorization: Bearer <key>` or Baseten's `Api-Key <key>`. @default EMULATOR_OPENAI_KEY */
  apiKey?: string;
  /** Leave `usage` out of answers (some compatible servers do). @default false */
  omitUsage?: boolean;
  /** Report `prompt_tokens_details.image_tokens` (OpenAI's chat API does not). @default false */
  reportImageTokens?: boolean;
  /** Answer `text` even when a json_schema was asked (a model ignoring the format). @default false */
  ignoreSchema?: boolean;
  /** End a stream cleanly but without a finish_reason and `[DONE]`. @default false */
  streamWithoutFinish?: boolean;
  /** `error.code` of rate_limit faults ("insufficient_quota" is the billing 429). @default "rate_limit_exceeded" */
  rateLimitCode?: string;
  /** Reasoning tokens the model spent; OpenAI counts them inside completion_tokens. @default 0 */
  reasoningTokens?: number;
}

/** A running OpenAI emulator. */
export interface OpenAIEmulator extends Emulator {
  options: OpenAIEmulatorOptions;
}

/** Dated snapshot names OpenAI answers with for its aliases. */
const SNAPSHOTS: Record<string, string> = {
  "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
  "gpt-4o": "gpt-4o-2024-08-06",
};

const REFUSAL = "I'm sorry, but I can't help with that.";

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function errorBody(
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
): Json {
  return { error: { message, type, param, code } };
}

/** A request the emulator refuses: the 400 message, and the parameter and code OpenAI names. */
interface Refusal {
  message: string;
  param?: string;
  code?: string;
}

/** Image tokens the platform would bill for an image of this size. */
export function billedImageTokens(
  model: string,
  size: { width: number; height: number; detail: "low" | "high" | "auto" },
): number {
  // Kimi's vision encoder cuts the image into 14×14 px patches, one token each.
  if (/^moonshotai\/kimi/i.test(model)) return kimiImageTokens(size);
  // Models outside the 4o family are billed here like gpt-4o (the emulator needs some number).
  const known = openAITileRates(model) ? model : "gpt-4o";
  return openAIImageTokens({
    model: known,
    width: size.width,
    height: size.height,
    detail: size.detail,
  });
}

interface ParsedChat {
  model: string;
  prompt: string;
  images: { width: number; height: number; detail: "low" | "high" | "auto" }[];
  maxTokens?: number;
  stream: boolean;
  includeUsage: boolean;
  includeObfuscation: boolean;
  schema?: unknown;
}

/** Reads the request; a string or {@link Refusal} result is the 400. */
async function parseChat(body: unknown): Promise<ParsedChat | string | Refusal> {
  if (!isRecord(body) || typeof body.model !== "string") {
    return "you must provide a model parameter";
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return "'messages' must contain at least one message";
  }
  const parsed: ParsedChat = {
    model: body.model,
    prompt: "",
    images: [],
    maxTokens: Number(body.max_completion_tokens ?? body.max_tokens) || undefined,
    stream: body.stream === true,
    includeUsage: isRecord(body.stream_options) && body.stream_options.include_usage === true,
    includeObfuscation: !isRecord(body.stream_options) ||
      body.stream_options.include_obfuscation !== false,
  };
  if (isRecord(body.response_format) && body.response_format.type === "json_schema") {
    const format = body.response_format.json_schema;
    if (!isRecord(format) || typeof format.name !== "string") {
      // As OpenAI answers it: the parameter's path and a code (recorded 400s name both).
      return {
        message: "Missing required parameter: 'response_format.json_schema.name'.",
        param: "response_format.json_schema.name",
        code: "missing_required_parameter",
      };
    }
    parsed.schema = format.schema;
  }
  for (const message of body.messages) {
    const content = isRecord(message) ? message.content : undefined;
    const parts = typeof content === "string" ? [{ type: "text", text: content }] : content;
    if (!Array.isArray(parts)) return "Invalid 'messages[0].content'";
    for (const part of parts) {
      if (!isRecord(part)) continue;
      if (part.type === "text") parsed.prompt += `${part.text} `;
      if (part.type === "image_url" && isRecord(part.image_url)) {
        const data = base64OfDataUrl(String(part.image_url.url));
        if (!data) return "Invalid image URL: expected a base64 data URL.";
        try {
          const { width, height } = await imageSizeOfBase64(data);
          const detail = part.image_url.detail;
          parsed.images.push({
            width,
            height,
            detail: detail === "low" || detail === "high" ? detail : "auto",
          });
        } catch {
          return "You uploaded an unsupported image. Please make sure your image is valid.";
        }
      }
    }
  }
  return parsed;
}

/** The request handler, reusable under any path prefix ending in `/v1`. */
export function openAIHandler(options: OpenAIEmulatorOptions = {}): Handler {
  return async (request, context) => {
    const { recorded, fault, behaviour } = context;
    const key = options.apiKey ?? EMULATOR_OPENAI_KEY;
    const authorization = recorded.headers.authorization ?? "";
    if (
      fault === "auth" || (authorization !== `Bearer ${key}` && authorization !== `Api-Key ${key}`)
    ) {
      // OpenAI echoes a masked key: the last four characters only.
      const shown = authorization.replace(/^(Bearer|Api-Key)\s+/, "");
      return json(
        errorBody(
          `Incorrect API key provided: ${shown.slice(0, 3)}****${shown.slice(-4)}. ` +
            "You can find your API key at https://platform.openai.com/account/api-keys.",
          "invalid_request_error",
          "invalid_api_key",
        ),
        401,
      );
    }
    if (fault === "object_error") {
      // A compatible server whose error message is an object, not the documented string.
      return json(
        {
          error: { message: { detail: "invalid api key" }, type: "auth", code: "invalid_api_key" },
        },
        401,
      );
    }
    if (fault === "error_in_200") {
      return json(
        errorBody(
          "Invalid image: the image data could not be decoded.",
          "invalid_request_error",
          "invalid_image_format",
        ),
        200,
      );
    }
    if (fault === "rate_limit") {
      return json(
        errorBody(
          "Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3, Requested 1.",
          options.rateLimitCode === "insufficient_quota" ? "insufficient_quota" : "requests",
          options.rateLimitCode ?? "rate_limit_exceeded",
        ),
        429,
        {
          "retry-after": String(behaviour.retryAfterSeconds),
          "retry-after-ms": String(behaviour.retryAfterSeconds * 1000),
        },
      );
    }
    if (fault === "server_error") {
      return json(
        errorBody(
          "The server had an error while processing your request. Sorry about that!",
          "server_error",
          null,
        ),
        500,
      );
    }
    if (fault === "overloaded") {
      return json(
        errorBody(
          "The engine is currently overloaded, please try again later.",
          "server_error",
          null,
        ),
        503,
      );
    }
    if (request.method === "GET" && recorded.path.endsWith("/v1/models")) {
      return json({
        object: "list",
        data: ["gpt-4o-mini", "gpt-4o", "moonshotai/Kimi-K2.6"].map((id) => ({
          id,
          object: "model",
          created: 1721172741,
          owned_by: "system",
        })),
      });
    }
    if (request.method !== "POST" || !recorded.path.endsWith("/v1/chat/completions")) {
      return json(
        errorBody(
          `Invalid URL (${request.method} ${recorded.path})`,
          "invalid_request_error",
          null,
        ),
        404,
      );
    }
    const chat = await parseChat(recorded.body);
    if (typeof chat === "string") return json(errorBody(chat, "invalid_request_error", null), 400);
    if ("message" in chat) {
      return json(
        errorBody(chat.message, "invalid_request_error", chat.code ?? null, chat.param ?? null),
        400,
      );
    }
    if (fault === "malformed" && !chat.stream) return malformed();
    return chat.stream
      ? streamAnswer(chat, options, context)
      : await wholeAnswer(chat, options, context);
  };
}

interface Answer {
  content: string;
  refusal: string | null;
  finishReason: "stop" | "length" | "content_filter";
  usage?: Json;
}

function answerFor(
  chat: ParsedChat,
  options: OpenAIEmulatorOptions,
  context: HandlerContext,
): Answer {
  const { behaviour, fault } = context;
  let content = chat.schema !== undefined && !options.ignoreSchema
    ? JSON.stringify(sampleFromSchema(chat.schema, behaviour.text))
    : behaviour.text;
  if (fault === "empty") content = "";
  const refusal = fault === "refusal" ? REFUSAL : null;
  if (refusal) content = "";
  let finishReason: Answer["finishReason"] = "stop";
  let outputTokens = behaviour.outputTokens ?? countWords(content);
  if (chat.maxTokens !== undefined && outputTokens > chat.maxTokens) {
    content = deltas(content).slice(0, chat.maxTokens).join("");
    outputTokens = chat.maxTokens;
    finishReason = "length";
  }
  if (refusal) outputTokens = countWords(refusal);
  const imageTokens = chat.images.reduce(
    (sum, image) => sum + billedImageTokens(chat.model, image),
    0,
  );
  const promptTokens = countWords(chat.prompt) + imageTokens;
  const kimi = /^moonshotai\//i.test(chat.model);
  const reasoningTokens = options.reasoningTokens ?? 0;
  const completionTokens = outputTokens + reasoningTokens;
  const usage: Json = {
    prompt_tokens: reported(behaviour, promptTokens),
    completion_tokens: reported(behaviour, completionTokens),
    total_tokens: reported(behaviour, promptTokens + completionTokens),
    // vLLM-based servers (Baseten) send null details; OpenAI sends the breakdown.
    prompt_tokens_details: kimi ? null : {
      cached_tokens: 0,
      audio_tokens: 0,
      ...(options.reportImageTokens ? { image_tokens: imageTokens } : {}),
    },
    ...(kimi ? {} : {
      completion_tokens_details: {
        reasoning_tokens: reasoningTokens,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    }),
  };
  return { content, refusal, finishReason, usage: options.omitUsage ? undefined : usage };
}

function envelope(chat: ParsedChat, object: string): Json {
  const kimi = /^moonshotai\//i.test(chat.model);
  return {
    id: `chatcmpl-${crypto.randomUUID().replaceAll("-", "").slice(0, 29)}`,
    object,
    created: Math.floor(Date.now() / 1000),
    model: SNAPSHOTS[chat.model] ?? chat.model,
    ...(kimi ? {} : { service_tier: "default", system_fingerprint: "fp_560af6e559" }),
  };
}

async function wholeAnswer(
  chat: ParsedChat,
  options: OpenAIEmulatorOptions,
  context: HandlerContext,
): Promise<Response> {
  const answer = answerFor(chat, options, context);
  await sleep(context.behaviour.latencyMs, context.signal);
  return json(
    {
      ...envelope(chat, "chat.completion"),
      choices: [{
        index: 0,
        message: {
          role: "assistant",
          content: answer.refusal ? null : answer.content,
          refusal: answer.refusal,
          annotations: [],
        },
        logprobs: null,
        finish_reason: answer.finishReason,
      }],
      ...(answer.usage ? { usage: answer.usage } : {}),
    },
    200,
    { "x-request-id": `req_${crypto.randomUUID().replaceAll("-", "")}` },
  );
}

function streamAnswer(
  chat: ParsedChat,
  options: OpenAIEmulatorOptions,
  context: HandlerContext,
): Response {
  const answer = answerFor(chat, options, context);
  const head = envelope(chat, "chat.completion.chunk");
  const usageField = chat.includeUsage ? { usage: null } : {};
  // OpenAI pads every chunk with a random-length `obfuscation` string (against length side
  // channels; on unless `stream_options.include_obfuscation` is false), as recorded streams show.
  // vLLM-based servers (Baseten's Kimi) do not.
  const padded = chat.includeObfuscation && !/^moonshotai\//i.test(chat.model);
  const obfuscation = padded ? () => ({ obfuscation: padding() }) : () => ({});
  const chunk = (delta: Json, finishReason: string | null = null) => ({
    ...head,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...usageField,
    ...obfuscation(),
  });
  const events: unknown[] = [chunk({ role: "assistant", content: "", refusal: null })];
  const pieces = answer.refusal ? deltas(answer.refusal) : deltas(answer.content);
  for (const piece of pieces) {
    events.push(chunk(answer.refusal ? { refusal: piece } : { content: piece }));
  }
  if (!options.streamWithoutFinish) {
    events.push(chunk({}, answer.finishReason));
    if (chat.includeUsage && answer.usage) {
      events.push({ ...head, choices: [], usage: answer.usage, ...obfuscation() });
    }
  }
  const frames = events.map((event) => `data: ${JSON.stringify(event)}\n\n`);
  if (context.fault === "malformed") {
    frames.splice(1, 0, 'data: {"id": "chatcmpl-broken", "choices": [\n\n');
  }
  if (!options.streamWithoutFinish) frames.push("data: [DONE]\n\n");
  const { behaviour } = context;
  return stream(frames, {
    contentType: "text/event-stream; charset=utf-8",
    ttftMs: behaviour.ttftMs ?? behaviour.latencyMs,
    chunkDelayMs: behaviour.chunkDelayMs,
    cutAfter: context.fault === "stream_cut" ? Math.ceil(frames.length / 2) : undefined,
    signal: context.signal,
  });
}

/** 0–15 random letters, like the `obfuscation` values of recorded streams. */
function padding(): string {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const length = Math.floor(Math.random() * 16);
  return Array.from({ length }, () => letters[Math.floor(Math.random() * letters.length)]).join("");
}

/**
 * Starts an OpenAI-compatible emulator on a free port. Point the SDK at `${url}/v1`.
 *
 * @example
 * ```ts
 * const emulator = startOpenAIEmulator();
 * const adapter = createOpenAI({ apiKey: EMULATOR_OPENAI_KEY, baseUrl: `${emulator.url}/v1`, model: "gpt-4o-mini" });
 * emulator.fail("rate_limit");
 * await emulator.close();
 * ```
 */
export function startOpenAIEmulator(options: OpenAIEmulatorOptions = {}): OpenAIEmulator {
  const {
    apiKey: _key,
    omitUsage: _usage,
    reportImageTokens: _image,
    ignoreSchema: _schema,
    streamWithoutFinish: _finish,
    rateLimitCode: _code,
    reasoningTokens: _reasoning,
    ...behaviour
  } = options;
  const emulator = startEmulator(openAIHandler(options), behaviour);
  return { ...emulator, options };
}
