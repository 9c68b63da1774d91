/**
 * Anthropic Messages API through the official `@anthropic-ai/sdk`. One image (base64 source
 * block) + the prompt go out as one user message; structured output is a forced tool whose
 * `input_schema` is the zod schema, so the answer arrives as a `tool_use` block.
 *
 * @module
 */
import { type Simulation, simulationOf } from "../lib/contract/simulation.ts";
import Anthropic from "@anthropic-ai/sdk";
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
import { anthropicError, type AnthropicErrorContext, errorInBody } from "./anthropic-errors.ts";
import { requiredSetting } from "./shared-errors.ts";
import { imageBase64 } from "../lib/contract/image-transport.ts";
import { parseStructuredOutput, type StructuredAnswer } from "../lib/contract/structured-output.ts";

// ---------------------------------------------------------------------------------------------
// wire types

/** The request body we send (`stream` is added by the call). */
export type AnthropicMessageParams = Anthropic.MessageCreateParamsNonStreaming;

/**
 * Usage as it arrives. The SDK types every field as present, but an emulator or proxy may omit
 * them, and "not reported" must stay `undefined`, so every field is read as optional.
 */
interface WireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** What one call produced, streamed or not, before it becomes a {@link Description}. */
export interface CollectedMessage {
  text: string;
  /** Input of the forced tool, when the model called it: parsed (whole answer) or JSON (stream). */
  toolInput?: StructuredAnswer;
  stopReason?: string;
  usage: WireUsage;
  model?: string;
  /** What an emulator's response headers said (see lib/contract/simulation.ts). */
  simulation?: Simulation;
}

/**
 * Why a requested temperature is not sent: `@anthropic-ai/sdk` 1.13.0, which pins
 * anthropic-version 2026-10-21, has no `temperature` (nor `top_p`) on message params any more.
 */
export const TEMPERATURE_WARNING =
  "temperature ignored: the Anthropic Messages API (anthropic-version 2026-10-21, SDK 1.13.0) has no temperature parameter";

// ---------------------------------------------------------------------------------------------
// build request

/**
 * The Messages API body for one describe request: image block first, then the prompt (the
 * order Anthropic recommends for image questions).
 */
export function buildMessageParams(
  model: string,
  request: DescribeRequest,
): AnthropicMessageParams {
  const params: AnthropicMessageParams = {
    model,
    max_tokens: request.maxOutputTokens,
    messages: [{
      role: "user",
      content: [
        {
          type: "image",
          source: {
            type: "base64",
            media_type: request.image.mimeType,
            data: imageBase64(request.image),
          },
        },
        { type: "text", text: request.prompt },
      ],
    }],
  };
  // No temperature: SDK 1.13.0 (anthropic-version 2026-10-21) has no such field; see
  // TEMPERATURE_WARNING.
  if (request.schema) {
    params.tools = [toolFor(request.schema)];
    params.tool_choice = { type: "tool", name: request.schema.name };
  }
  return params;
}

function toolFor(structured: StructuredSchema): Anthropic.Tool {
  // `$schema` is metadata, not part of the tool's input contract.
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(structured.schema);
  if (jsonSchema.type !== "object") {
    throw new VisionBenchError(
      "unsupported",
      `anthropic: a structured-output schema must be an object (tool input), got ${
        String(jsonSchema.type)
      }`,
      { platform: "anthropic" },
    );
  }
  return {
    name: structured.name,
    description: structured.description ?? "Record the description of the image.",
    input_schema: jsonSchema as Anthropic.Tool.InputSchema,
  };
}

// ---------------------------------------------------------------------------------------------
// call SDK

async function createMessage(
  client: Anthropic,
  params: AnthropicMessageParams,
  options: DescribeOptions,
  context: AnthropicErrorContext,
): Promise<CollectedMessage> {
  const toolName = params.tool_choice?.type === "tool" ? params.tool_choice.name : undefined;
  const { data: message, response } = await client.messages.create(params, {
    signal: options.signal,
  }).withResponse();
  return {
    ...collectMessage(message, toolName, context),
    simulation: simulationOf(response.headers),
  };
}

/**
 * A whole (not streamed) Messages answer as text, tool input, stop reason and usage. Also reads
 * the answers of Message Batches (adapters/anthropic-batch.ts), which are the same objects.
 */
export function collectMessage(
  message: Anthropic.Messages.Message,
  toolName: string | undefined,
  context: AnthropicErrorContext,
): CollectedMessage {
  // `{"type":"error","error":{…}}` answered with HTTP 200: an error in Anthropic's words.
  const body = message as unknown as { type?: unknown; error?: unknown };
  if (body.type === "error") throw errorInBody(body.error, context);
  if (!Array.isArray(message.content)) {
    throw new VisionBenchError(
      "invalid_response",
      `${context.platform}: the answer has no content`,
      {
        platform: context.platform,
      },
    );
  }
  let text = "";
  let toolInput: StructuredAnswer | undefined;
  for (const block of message.content) {
    if (block.type === "text") text += block.text;
    if (block.type === "tool_use" && block.name === toolName) {
      toolInput = { value: block.input };
    }
  }
  return {
    text,
    toolInput,
    stopReason: message.stop_reason ?? undefined,
    usage: message.usage ?? {},
    model: message.model,
  };
}

/**
 * Streams the answer: message_start (input usage) → content_block_start / delta / stop →
 * message_delta (stop_reason, cumulative output_tokens) → message_stop. The SDK drops `ping`
 * and throws on `event: error`.
 */
async function streamMessage(
  client: Anthropic,
  params: AnthropicMessageParams,
  options: DescribeOptions,
  context: AnthropicErrorContext,
): Promise<CollectedMessage> {
  const { data: events, response } = await client.messages.create({ ...params, stream: true }, {
    signal: options.signal,
  }).withResponse();
  // A 200 that is not an event stream (a JSON error, an HTML page, nothing) is read as what it
  // is, not as a stream that was cut.
  if (!(response.headers.get("content-type") ?? "").includes("text/event-stream")) {
    throw await notAStream(response, context);
  }
  const collected: CollectedMessage = {
    text: "",
    usage: {},
    simulation: simulationOf(response.headers),
  };
  let toolJson: string | undefined;
  let firstTokenSeen = false;
  let stopped = false;
  const firstToken = () => {
    if (firstTokenSeen) return;
    firstTokenSeen = true;
    options.onFirstToken?.();
  };
  for await (const event of events) {
    switch (event.type) {
      case "message_start":
        collected.model = event.message.model;
        collected.usage = { ...(event.message.usage ?? {}) };
        break;
      case "content_block_start":
        if (event.content_block.type === "tool_use") toolJson = "";
        break;
      case "content_block_delta":
        if (event.delta.type === "text_delta") {
          if (event.delta.text) firstToken();
          collected.text += event.delta.text;
        } else if (event.delta.type === "input_json_delta") {
          if (event.delta.partial_json) firstToken();
          toolJson = (toolJson ?? "") + event.delta.partial_json;
        }
        break;
      case "message_delta":
        collected.stopReason = event.delta.stop_reason ?? collected.stopReason;
        // message_delta carries cumulative counts; later values win.
        collected.usage = { ...collected.usage, ...definedFields(event.usage ?? {}) };
        break;
      case "message_stop":
        stopped = true;
        break;
    }
  }
  // The SDK ends the iteration quietly when the signal aborts: tell an abort from a cut stream.
  if (options.signal?.aborted) throw anthropicError(undefined, context);
  if (!stopped) {
    throw new VisionBenchError("network", "anthropic: the stream ended before message_stop", {
      platform: context.platform,
    });
  }
  // An empty input_json_delta sequence is an empty object, as the SDK's own accumulator treats it.
  if (toolJson !== undefined) {
    collected.toolInput = { json: toolJson.trim() === "" ? "{}" : toolJson };
  }
  return collected;
}

/** The error for a 200 answer to a streamed request that is not an event stream. */
async function notAStream(
  response: Response,
  context: AnthropicErrorContext,
): Promise<VisionBenchError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { type?: unknown; error?: unknown };
    if (body.type === "error") return errorInBody(body.error, context);
  } catch { /* not JSON: said below */ }
  const type = response.headers.get("content-type") || "no content-type";
  return new VisionBenchError(
    "invalid_response",
    `${context.platform}: asked for a stream, the answer is not an event stream (${type}, ${text.length} characters)`,
    { platform: context.platform },
  );
}

function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== null && field !== undefined),
  ) as Partial<T>;
}

// ---------------------------------------------------------------------------------------------
// map finish reason

/**
 * Anthropic `stop_reason` → {@link FinishReason}.
 *
 * @example
 * ```ts
 * mapStopReason("max_tokens"); // "length"
 * ```
 */
export function mapStopReason(stopReason: string | undefined): FinishReason {
  switch (stopReason) {
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool";
    case "refusal":
      return "content_filter";
    default:
      return "other";
  }
}

// ---------------------------------------------------------------------------------------------
// map usage

/**
 * Anthropic usage → {@link Usage}. Anthropic's `input_tokens` excludes cache reads and writes;
 * `inputTokens` is the whole prompt (all three), `cachedInputTokens` the cache reads, as on the
 * other platforms. Fields Anthropic did not send stay `undefined`.
 */
export function mapUsage(usage: WireUsage): Usage {
  // Values pass through as sent (null = not reported): lib/run judges what is not a plausible
  // count and says so, instead of the adapter dropping it silently.
  const count = (value: number | null | undefined) => value ?? undefined;
  const input = count(usage.input_tokens);
  const cacheWrite = count(usage.cache_creation_input_tokens);
  const cacheRead = count(usage.cache_read_input_tokens);
  const outputTokens = count(usage.output_tokens);
  const numeric = [input, cacheWrite, cacheRead, outputTokens].every((value) =>
    value === undefined || typeof value === "number"
  );
  const inputTokens = input === undefined || !numeric
    ? input
    : input + (cacheWrite ?? 0) + (cacheRead ?? 0);
  return {
    inputTokens,
    outputTokens,
    cachedInputTokens: cacheRead,
    totalTokens: numeric && inputTokens !== undefined && outputTokens !== undefined
      ? inputTokens + outputTokens
      : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// factory

/** Settings of {@link createAnthropic}. */
export interface AnthropicSettings extends AdapterSettings {
  /** Required, e.g. "claude-haiku-4-5" (the preset's model). */
  model?: string;
  /** Required, e.g. "https://api.anthropic.com" (the preset's base URL). */
  baseUrl?: string;
}

/**
 * An adapter for the Anthropic Messages API. The SDK never retries (`maxRetries: 0`): the
 * runner owns retries. Retired models (data/model-lifecycle.json) are refused where a platform is
 * resolved (lib/platforms/resolve.ts), for every platform.
 *
 * @example
 * ```ts
 * import type { DescribeRequest } from "../lib/contract/adapter.ts";
 * declare const image: DescribeRequest["image"];
 * const claude = createAnthropic({ apiKey: "sk-ant-…", model: "claude-haiku-4-5", baseUrl: "https://api.anthropic.com" });
 * const answer = await claude.describe({ image, prompt: "Describe this image.", maxOutputTokens: 300, stream: true });
 * console.log(answer);
 * ```
 */
export function createAnthropic(settings: AnthropicSettings): Adapter {
  const platform = settings.platform ?? "anthropic";
  const model = requiredSetting(settings.model, { name: "model", platform });
  const baseURL = requiredSetting(settings.baseUrl, { name: "baseUrl", platform });
  if (!settings.apiKey) {
    // Without a key the SDK would fall back to env variables and profiles on disk.
    throw new VisionBenchError("config", `${platform}: an API key is required`, { platform });
  }
  const client = new Anthropic({
    apiKey: settings.apiKey,
    baseURL,
    maxRetries: 0,
    fetch: settings.fetch,
  });

  async function describe(
    request: DescribeRequest,
    options: DescribeOptions = {},
  ): Promise<Description> {
    const context: AnthropicErrorContext = {
      platform,
      apiKey: settings.apiKey,
      signal: options.signal,
    };
    const params = buildMessageParams(model, request);
    let collected: CollectedMessage;
    try {
      collected = request.stream
        ? await streamMessage(client, params, options, context)
        : await createMessage(client, params, options, context);
    } catch (error) {
      throw anthropicError(error, context);
    }
    const description = toDescription(collected, request.schema, platform);
    return request.temperature === undefined
      ? description
      : { ...description, warnings: [...(description.warnings ?? []), TEMPERATURE_WARNING] };
  }

  return {
    id: platform,
    model,
    capabilities: { streaming: true, structuredOutput: true, imageUrl: true, batch: true },
    billing: "tokens",
    describe,
  };
}

/** A collected message as a {@link Description} (also used for batch results). */
export function toDescription(
  collected: CollectedMessage,
  structured: StructuredSchema | undefined,
  platform: string,
): Description {
  const finishReason = mapStopReason(collected.stopReason);
  const description: Description = {
    text: collected.text,
    finishReason,
    rawFinishReason: collected.stopReason,
    usage: mapUsage(collected.usage),
    responseModel: collected.model,
  };
  if (collected.simulation) description.simulation = collected.simulation;
  if (!structured || finishReason === "content_filter") return description;
  if (collected.toolInput === undefined) {
    throw new VisionBenchError(
      "invalid_response",
      `${platform}: asked for tool ${structured.name}, got no tool_use block (stop_reason ${collected.stopReason})`,
      { platform },
    );
  }
  const parsed = parseStructuredOutput(collected.toolInput, structured, platform);
  const text = "json" in collected.toolInput
    ? collected.toolInput.json
    : JSON.stringify(collected.toolInput.value);
  return { ...description, text, structured: parsed };
}
