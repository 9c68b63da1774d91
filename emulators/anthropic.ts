/**
 * A local, wire-faithful Anthropic Messages API (`POST /v1/messages`) for tests: JSON and SSE
 * answers framed as Anthropic frames them (`event:` + `data:` lines, a `ping`), forced tools
 * answered with a `tool_use` block, input tokens = text words + image tokens by Anthropic's
 * rule, and every fault of the harness plus Anthropic-specific ones.
 *
 * @module
 */
import { anthropicImageTokens } from "../lib/price/image-tokens.ts";
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

/** Faults only Anthropic has, queued with {@link AnthropicEmulator.failWith}. */
export type AnthropicFault =
  | "stream_error" // `event: error` (overloaded_error) after the first deltas of a stream
  | "bad_request" // 400 invalid_request_error
  | "permission" // 403 permission_error
  | "request_too_large"; // 413 request_too_large

/** Anthropic-specific knobs. */
export interface AnthropicEmulatorOptions {
  /** Models the emulator serves; anything else is a 404 not_found_error. */
  models: string[];
  /** Leave `usage` out of answers (to test "not reported → undefined"). @default false */
  omitUsage: boolean;
}

/** A running Anthropic emulator. */
export interface AnthropicEmulator extends EmulatorWithOwnFaults<AnthropicFault> {
  options: AnthropicEmulatorOptions;
}

/** Models served by default: current ones only (3 and 3.5 Haiku are retired). */
export const ANTHROPIC_EMULATOR_MODELS = [
  "claude-haiku-4-5",
  "claude-haiku-4-5-20251001",
  "claude-sonnet-4-5",
  "claude-sonnet-4-6",
  "claude-opus-4-5",
];

interface ImageSeen {
  width: number;
  height: number;
  tokens: number;
}

// deno-lint-ignore no-explicit-any
type Json = any; // the emulator reads whatever the client sent, like a server does

/**
 * Starts the emulator on 127.0.0.1.
 *
 * @example
 * ```ts
 * const emulator = startAnthropicEmulator({ text: "A cat." });
 * const adapter = createAnthropic({ apiKey: "test-key", baseUrl: emulator.url, model: "claude-haiku-4-5" });
 * ```
 */
export function startAnthropicEmulator(
  behaviour: Partial<EmulatorBehaviour> & Partial<AnthropicEmulatorOptions> = {},
): AnthropicEmulator {
  const { models, omitUsage, ...harnessBehaviour } = behaviour;
  const options: AnthropicEmulatorOptions = {
    models: models ?? ANTHROPIC_EMULATOR_MODELS,
    omitUsage: omitUsage ?? false,
  };
  const emulator = startWithOwnFaults<AnthropicFault>(
    (request, context) => handle(request, context, options, context.ownFault),
    harnessBehaviour,
  );
  return { ...emulator, options };
}

function errorBody(type: string, message: string) {
  return { type: "error", error: { type, message } };
}

/** An error body as the HTTP API answers it: recorded ones carry the `request_id` too. */
function httpErrorBody(type: string, message: string) {
  return { ...errorBody(type, message), request_id: `req_${id()}` };
}

function error(
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
) {
  return json(httpErrorBody(type, message), status, { "request-id": `req_${id()}`, ...headers });
}

function id(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 24);
}

async function handle(
  request: Request,
  context: HandlerContext,
  options: AnthropicEmulatorOptions,
  ownFault: AnthropicFault | undefined,
): Promise<Response> {
  const url = new URL(request.url);
  if (request.method !== "POST" || url.pathname !== "/v1/messages") {
    return error(404, "not_found_error", `Not found: ${request.method} ${url.pathname}`);
  }
  const headers = context.recorded.headers;
  const bearer = headers["authorization"]?.match(/^Bearer\s+(\S+)$/)?.[1];
  if (!headers["x-api-key"] && !bearer) {
    return error(401, "authentication_error", "x-api-key header is required");
  }
  if (!headers["anthropic-version"]) {
    return error(400, "invalid_request_error", "anthropic-version: header is required");
  }
  const { fault, behaviour } = context;
  if (fault === "auth") return error(401, "authentication_error", "invalid x-api-key");
  if (fault === "object_error") {
    return json({
      type: "error",
      error: { type: "authentication_error", message: { detail: "invalid x-api-key" } },
    }, 401);
  }
  if (fault === "error_in_200") {
    return error(200, "invalid_request_error", "Could not process image");
  }
  if (fault === "rate_limit") {
    return error(
      429,
      "rate_limit_error",
      "Number of request tokens has exceeded your per-minute rate limit",
      { "retry-after": String(behaviour.retryAfterSeconds) },
    );
  }
  if (fault === "overloaded") return error(529, "overloaded_error", "Overloaded");
  if (fault === "server_error") return error(500, "api_error", "Internal server error");
  if (ownFault === "bad_request") return error(400, "invalid_request_error", "messages: bad");
  if (ownFault === "permission") {
    return error(
      403,
      "permission_error",
      "Your API key does not have permission to use the specified resource.",
    );
  }
  if (ownFault === "request_too_large") {
    return error(413, "request_too_large", "Request exceeds the maximum allowed number of bytes.");
  }

  const body: Json = context.recorded.body;
  if (typeof body !== "object" || body === null) {
    return error(400, "invalid_request_error", "request body is not JSON");
  }
  if (typeof body.max_tokens !== "number") {
    return error(400, "invalid_request_error", "max_tokens: Field required");
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return error(400, "invalid_request_error", "messages: Field required");
  }
  if (!options.models.includes(body.model)) {
    return error(404, "not_found_error", `model: ${body.model}`);
  }
  let images: ImageSeen[];
  try {
    images = await imagesIn(body.messages);
  } catch (problem) {
    return error(400, "invalid_request_error", (problem as Error).message);
  }
  const textWords = body.messages.flatMap((message: Json) =>
    typeof message.content === "string"
      ? [message.content]
      : message.content.filter((block: Json) => block.type === "text").map((block: Json) =>
        block.text
      )
  ).reduce((sum: number, text: string) => sum + countWords(text), 0);
  const inputTokens = textWords + images.reduce((sum, image) => sum + image.tokens, 0);

  const tool = body.tool_choice?.type === "tool"
    ? body.tools?.find((candidate: Json) => candidate.name === body.tool_choice.name)
    : undefined;
  const refusal = fault === "refusal";
  const text = fault === "empty" || refusal ? "" : behaviour.text;
  const toolInput = tool && !refusal
    ? sampleFromSchema(tool.input_schema, behaviour.text)
    : undefined;
  const answer: Answer = {
    id: `msg_${id()}`,
    model: body.model,
    text: refusal ? "I can't help with that." : text,
    tool: toolInput === undefined ? undefined : { name: tool.name, input: toolInput },
    stopReason: refusal
      ? "refusal"
      : toolInput !== undefined
      ? "tool_use"
      : countWords(text) > body.max_tokens
      ? "max_tokens"
      : "end_turn",
    inputTokens: reported(behaviour, inputTokens),
    outputTokens: reported(
      behaviour,
      behaviour.outputTokens ??
        countWords(toolInput === undefined ? text : JSON.stringify(toolInput)),
    ),
    omitUsage: options.omitUsage,
  };
  if (answer.tool) answer.text = "";
  if (fault === "malformed") {
    return body.stream ? malformedStream(context) : malformed();
  }
  if (body.stream) return streamAnswer(answer, context, ownFault);
  await sleep(behaviour.latencyMs, context.signal);
  return json(messageObject(answer), 200, { "request-id": `req_${id()}` });
}

async function imagesIn(messages: Json[]): Promise<ImageSeen[]> {
  const seen: ImageSeen[] = [];
  for (const message of messages) {
    if (!Array.isArray(message.content)) continue;
    for (const block of message.content) {
      if (block.type !== "image") continue;
      if (block.source?.type !== "base64") throw new Error("image.source.type: expected base64");
      const { width, height, format } = await imageSizeOfBase64(block.source.data).catch(() => {
        throw new Error("Could not process image");
      });
      const declared = String(block.source.media_type).replace("image/", "").replace("jpg", "jpeg");
      if (format !== declared) {
        throw new Error(`Image does not match the provided media type ${block.source.media_type}`);
      }
      seen.push({ width, height, tokens: anthropicImageTokens({ width, height }) });
    }
  }
  return seen;
}

interface Answer {
  id: string;
  model: string;
  text: string;
  tool?: { name: string; input: unknown };
  stopReason: string;
  inputTokens: number;
  outputTokens: number;
  omitUsage: boolean;
}

function usageObject(answer: Answer) {
  return {
    input_tokens: answer.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    // The cache writes split by TTL, as recorded answers have them (no cache here: zeros).
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: answer.outputTokens,
    service_tier: "standard",
  };
}

function contentBlocks(answer: Answer) {
  if (answer.tool) {
    return [{
      type: "tool_use",
      id: `toolu_${id()}`,
      name: answer.tool.name,
      input: answer.tool.input,
    }];
  }
  return [{ type: "text", text: answer.text }];
}

function messageObject(answer: Answer) {
  return {
    id: answer.id,
    type: "message",
    role: "assistant",
    model: answer.model,
    content: contentBlocks(answer),
    stop_reason: answer.stopReason,
    stop_sequence: null,
    ...(answer.omitUsage ? {} : { usage: usageObject(answer) }),
  };
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function streamAnswer(
  answer: Answer,
  context: HandlerContext,
  ownFault: AnthropicFault | undefined,
): Response {
  const start = frame("message_start", {
    type: "message_start",
    message: {
      id: answer.id,
      type: "message",
      role: "assistant",
      model: answer.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      ...(answer.omitUsage ? {} : {
        usage: { ...usageObject(answer), output_tokens: 1, inference_geo: "not_available" },
      }),
    },
  });
  const blockStart = frame("content_block_start", {
    type: "content_block_start",
    index: 0,
    content_block: answer.tool
      ? { type: "tool_use", id: `toolu_${id()}`, name: answer.tool.name, input: {} }
      : { type: "text", text: "" },
  });
  const ping = frame("ping", { type: "ping" });
  const pieces = answer.tool ? jsonPieces(JSON.stringify(answer.tool.input)) : deltas(answer.text);
  const deltaFrames = pieces.map((piece) =>
    frame("content_block_delta", {
      type: "content_block_delta",
      index: 0,
      delta: answer.tool
        ? { type: "input_json_delta", partial_json: piece }
        : { type: "text_delta", text: piece },
    })
  );
  const tail = [
    frame("content_block_stop", { type: "content_block_stop", index: 0 }),
    frame("message_delta", {
      type: "message_delta",
      delta: { stop_reason: answer.stopReason, stop_sequence: null },
      // Recorded streams repeat the input counts in the final usage, not only output_tokens.
      ...(answer.omitUsage ? {} : {
        usage: {
          input_tokens: answer.inputTokens,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: answer.outputTokens,
        },
      }),
    }),
    frame("message_stop", { type: "message_stop" }),
  ];
  // The first chunk carries the first delta, so the harness's ttftMs is the time to first token.
  const [firstDelta = "", ...restDeltas] = deltaFrames;
  let chunks = [start + blockStart + ping + firstDelta, ...restDeltas, ...tail];
  if (ownFault === "stream_error") {
    const errorEvent = frame("error", errorBody("overloaded_error", "Overloaded"));
    chunks = [chunks[0], chunks[1] ?? "", errorEvent];
  }
  const cutAfter = context.fault === "stream_cut"
    ? Math.max(1, Math.floor(chunks.length / 2))
    : undefined;
  return stream(chunks, {
    contentType: "text/event-stream; charset=utf-8",
    ttftMs: context.behaviour.ttftMs ?? context.behaviour.latencyMs,
    chunkDelayMs: context.behaviour.chunkDelayMs,
    cutAfter,
    signal: context.signal,
    headers: { "request-id": `req_${id()}`, "cache-control": "no-cache" },
  });
}

/** Splits serialized tool input into a few pieces, as Anthropic streams partial JSON. */
function jsonPieces(serialized: string): string[] {
  const size = Math.max(8, Math.ceil(serialized.length / 4));
  const pieces: string[] = [];
  for (let offset = 0; offset < serialized.length; offset += size) {
    pieces.push(serialized.slice(offset, offset + size));
  }
  return pieces;
}

function malformedStream(context: HandlerContext): Response {
  return stream(['event: message_start\ndata: {"type": "message_start", "message": {\n\n'], {
    contentType: "text/event-stream; charset=utf-8",
    ttftMs: 0,
    chunkDelayMs: 0,
    signal: context.signal,
  });
}
