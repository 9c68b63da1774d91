/**
 * Cloudflare Workers AI over REST with fetch (no SDK needed):
 * `POST {baseUrl}/client/v4/accounts/{accountId}/ai/run/{model}`, Bearer token, answer in the
 * envelope `{result, success, errors:[{code,message}], messages}`.
 *
 * The preset's model is `@cf/meta/llama-3.2-11b-vision-instruct`. The catalog has no Qwen-VL model, so the
 * seed article's "Qwen on Cloudflare" figure cannot be reproduced here.
 *
 * Request shape depends on the model (from the model schemas in cloudflare-docs
 * `src/content/workers-ai-models/*.json`):
 * - `bytes` (llama-3.2-11b-vision): `{messages:[{role,content:string}], image: number[]}`; its
 *   schema has no `response_format`, so structured output is answered with an "unsupported" warning;
 * - `content` (gemma-3-12b-it, llama-4-scout, mistral-small-3.1, and any other model by default):
 *   OpenAI-style `content:[{type:"text"},{type:"image_url",image_url:{url:"data:…"}}]`; structured
 *   output through JSON Mode `response_format:{type:"json_schema", json_schema}` (then
 *   `result.response` may come back as an object);
 * - `llava` (llava-1.5-7b-hf): `{image: number[], prompt}` → `result.description`.
 *
 * License handshake: Meta's Llama 3.2 vision model answers error 5016 until the account has sent
 * `{"prompt":"agree"}` once. With `agreeToLicense: true` the adapter sends that agreement and
 * repeats the call once (a one-time protocol step, not a retry); otherwise it throws a
 * `bad_request` saying how to agree.
 *
 * /ai/run reports no finish reason: `length` is inferred when completion_tokens reaches max_tokens.
 *
 * @module
 */
import { type Simulation, simulationOf } from "../lib/contract/simulation.ts";
import { z } from "zod";
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
import { envelopeError, errorFrom, licenseError } from "./cloudflare-errors.ts";
import { abortedError, requiredSetting, transportError } from "./shared-errors.ts";
import { imageDataUrl } from "../lib/contract/image-transport.ts";
import { parseStructuredOutput } from "../lib/contract/structured-output.ts";

// ---------------------------------------------------------------------------------------------
// Wire types

/**
 * A count as the server sent it. Not validated here: lib/run judges usage (`withSaneUsage`), so
 * an absurd value becomes "left out, with a warning", not a lost answer.
 */
const WireCount = z.unknown().transform((value) => value as number | undefined).optional();

const UsageSchema = z.object({
  prompt_tokens: WireCount,
  completion_tokens: WireCount,
  total_tokens: WireCount,
});

const ResultSchema = z.object({
  response: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown()), z.null()])
    .optional(),
  description: z.string().optional(),
  usage: UsageSchema.optional(),
  finish_reason: z.string().optional(),
});

const EnvelopeSchema = z.object({
  result: ResultSchema.nullish(),
  success: z.boolean(),
  errors: z.array(z.object({ code: z.number().optional(), message: z.unknown() })).default([]),
});

/** One SSE event of /ai/run streaming (or an OpenAI-style chunk on newer models). */
const StreamEventSchema = z.object({
  response: z.string().nullish(),
  usage: UsageSchema.nullish(),
  finish_reason: z.string().nullish(),
  choices: z.array(z.object({
    delta: z.object({ content: z.string().nullish() }).optional(),
    finish_reason: z.string().nullish(),
  })).optional(),
});

/** How a model takes its image. */
export type CloudflareInputStyle = "bytes" | "content" | "llava";

/** Settings of {@link createCloudflare}. */
export interface CloudflareSettings extends AdapterSettings {
  /** Account id (CLOUDFLARE_ACCOUNT_ID). Required. */
  accountId?: string;
  /** Required, e.g. "@cf/meta/llama-3.2-11b-vision-instruct" (the preset's model). */
  model?: string;
  /** Required, e.g. "https://api.cloudflare.com" (the preset's base URL). */
  baseUrl?: string;
  /** Send Meta's license agreement on error 5016 and repeat the call once. @default false */
  agreeToLicense?: boolean;
  /** Overrides the request shape chosen from the model name. */
  inputStyle?: CloudflareInputStyle;
}

// ---------------------------------------------------------------------------------------------
// Build request

function inputStyleFor(model: string): CloudflareInputStyle {
  if (model.includes("llama-3.2-11b-vision")) return "bytes";
  if (model.includes("llava")) return "llava";
  return "content";
}

function buildBody(request: DescribeRequest, style: CloudflareInputStyle): Record<string, unknown> {
  const common = {
    max_tokens: request.maxOutputTokens,
    temperature: request.temperature,
    stream: request.stream,
  };
  if (style === "llava") {
    return { ...common, prompt: request.prompt, image: Array.from(request.image.bytes) };
  }
  if (style === "bytes") {
    return {
      ...common,
      messages: [{ role: "user", content: request.prompt }],
      image: Array.from(request.image.bytes),
    };
  }
  const url = imageDataUrl(request.image);
  return {
    ...common,
    messages: [{
      role: "user",
      content: [{ type: "text", text: request.prompt }, { type: "image_url", image_url: { url } }],
    }],
    response_format: request.schema
      ? { type: "json_schema", json_schema: z.toJSONSchema(request.schema.schema) }
      : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Call the REST API

interface CallContext {
  url: string;
  apiKey?: string;
  fetch: typeof fetch;
  platform: string;
  model: string;
  accountId: string;
  signal?: AbortSignal;
}

interface RunOutcome {
  text: string;
  /** What an emulator's response headers said (see lib/contract/simulation.ts). */
  simulation?: Simulation;
  structured?: unknown;
  usage?: z.infer<typeof UsageSchema>;
  finishReason?: string;
}

async function post(body: Record<string, unknown>, context: CallContext): Promise<Response> {
  try {
    return await context.fetch(context.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${context.apiKey ?? ""}`,
      },
      body: JSON.stringify(body),
      signal: context.signal,
    });
  } catch (error) {
    throw transportError(error, context);
  }
}

async function readJson(response: Response, context: CallContext): Promise<RunOutcome> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw transportError(error, context); // the connection dropped mid-body
  }
  let envelope: z.infer<typeof EnvelopeSchema>;
  try {
    envelope = EnvelopeSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new VisionBenchError("invalid_response", "cloudflare: unexpected response shape", {
      platform: context.platform,
      cause: error,
    });
  }
  // `"success": false` with HTTP 200 is still an error, in the envelope's own words.
  if (!envelope.success) throw envelopeError(response, envelope.errors, context);
  const result = envelope.result ?? {};
  const response_ = result.response ?? result.description ?? "";
  return typeof response_ === "string"
    ? { text: response_, usage: result.usage, finishReason: result.finish_reason }
    : {
      text: JSON.stringify(response_),
      structured: response_,
      usage: result.usage,
      finishReason: result.finish_reason,
    };
}

async function readStream(
  response: Response,
  context: CallContext,
  options: DescribeOptions,
): Promise<RunOutcome> {
  const parts: string[] = [];
  let usage: z.infer<typeof UsageSchema> | undefined;
  let finishReason: string | undefined;
  let finished = false;
  let events = 0;
  let buffer = "";
  const decoder = new TextDecoder();
  const take = (line: string) => {
    if (!line.startsWith("data:")) return;
    events++;
    const data = line.slice(5).trim();
    if (data === "[DONE]") {
      finished = true;
      return;
    }
    const event = StreamEventSchema.parse(JSON.parse(data));
    const delta = event.response ?? event.choices?.[0]?.delta?.content ?? "";
    if (delta && parts.length === 0) options.onFirstToken?.();
    if (delta) parts.push(delta);
    usage = event.usage ?? usage;
    finishReason = event.finish_reason ?? event.choices?.[0]?.finish_reason ?? finishReason;
  };
  try {
    for await (const chunk of response.body ?? new ReadableStream<Uint8Array>()) {
      buffer += decoder.decode(chunk, { stream: true });
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      lines.forEach(take);
    }
    take(buffer);
  } catch (error) {
    if (error instanceof z.ZodError || error instanceof SyntaxError) {
      throw new VisionBenchError("invalid_response", "cloudflare: unreadable stream event", {
        platform: context.platform,
        cause: error,
      });
    }
    throw transportError(error, context);
  }
  if (events === 0) {
    // Not a cut stream: the answer was never an event stream at all.
    throw new VisionBenchError(
      "invalid_response",
      "cloudflare: the answer is not an event stream",
      {
        platform: context.platform,
      },
    );
  }
  if (!finished) {
    throw new VisionBenchError("network", "cloudflare: the stream ended before [DONE]", {
      platform: context.platform,
    });
  }
  return { text: parts.join(""), usage, finishReason };
}

async function run(
  body: Record<string, unknown>,
  context: CallContext,
  options: DescribeOptions,
  agree: boolean,
): Promise<RunOutcome> {
  const response = await post(body, context);
  if (!response.ok) {
    const error = await errorFrom(response, context);
    if (error.code !== 5016) throw error;
    if (!agree) throw licenseError(context, error);
    const agreement = await post({ prompt: "agree" }, context);
    if (!agreement.ok) throw await errorFrom(agreement, context);
    await agreement.body?.cancel();
    return run(body, context, options, false);
  }
  // A JSON answer to a streamed request is the envelope (usually an error), not a cut stream.
  const outcome = body.stream && !isJson(response)
    ? await readStream(response, context, options)
    : await readJson(response, context);
  return { ...outcome, simulation: simulationOf(response.headers) };
}

function isJson(response: Response): boolean {
  return response.headers.get("content-type")?.includes("application/json") ?? false;
}

// ---------------------------------------------------------------------------------------------
// Map finish reason

function mapFinishReason(outcome: RunOutcome, maxOutputTokens: number): FinishReason {
  const raw = outcome.finishReason;
  if (raw === "stop" || raw === "eos") return "stop";
  if (raw === "length" || raw === "max_tokens") return "length";
  if (raw !== undefined) return "other";
  const completion = outcome.usage?.completion_tokens;
  return completion !== undefined && completion >= maxOutputTokens ? "length" : "stop";
}

// ---------------------------------------------------------------------------------------------
// Map usage

function mapUsage(usage: z.infer<typeof UsageSchema> | undefined): Usage {
  return {
    inputTokens: usage?.prompt_tokens,
    outputTokens: usage?.completion_tokens,
    totalTokens: usage?.total_tokens,
  };
}

function parseStructured(outcome: RunOutcome, request: DescribeRequest, platform: string): unknown {
  if (!request.schema) return undefined;
  // JSON Mode may answer `result.response` as an object already, or as JSON text.
  const answer = outcome.structured === undefined
    ? { json: outcome.text }
    : { value: outcome.structured };
  return parseStructuredOutput(answer, request.schema, platform);
}

// ---------------------------------------------------------------------------------------------
// Factory

/**
 * Creates the Cloudflare Workers AI adapter.
 *
 * @example
 * ```ts
 * import type { DescribeRequest } from "../lib/contract/adapter.ts";
 * declare const image: DescribeRequest["image"];
 * const settings = { apiKey: "cf-token", accountId: "0123abcd", agreeToLicense: true };
 * const adapter = createCloudflare({ ...settings, model: "@cf/meta/llama-3.2-11b-vision-instruct" });
 * const description = await adapter.describe({ image, prompt: "Describe the image.", maxOutputTokens: 300, stream: true });
 * description.text;
 * ```
 */
export function createCloudflare(settings: CloudflareSettings = {}): Adapter {
  const platform = settings.platform ?? "cloudflare";
  const model = requiredSetting(settings.model, { name: "model", platform });
  const style = settings.inputStyle ?? inputStyleFor(model);
  const accountId = settings.accountId;
  if (!accountId) {
    throw new VisionBenchError("config", "cloudflare needs an account id (CLOUDFLARE_ACCOUNT_ID)", {
      platform,
    });
  }
  const baseUrl = requiredSetting(settings.baseUrl, { name: "baseUrl", platform })
    .replace(/\/+$/, "");
  const url = `${baseUrl}/client/v4/accounts/${encodeURIComponent(accountId)}/ai/run/${model}`;
  return {
    id: platform,
    model,
    capabilities: {
      streaming: true,
      structuredOutput: style === "content",
      imageUrl: false,
      batch: false,
    },
    billing: "tokens",
    async describe(request, options = {}) {
      const { signal } = options;
      if (signal?.aborted) throw abortedError(signal, { platform });
      const context: CallContext = {
        url,
        apiKey: settings.apiKey,
        fetch: settings.fetch ?? globalThis.fetch,
        platform,
        model,
        accountId,
        signal,
      };
      const outcome = await run(
        buildBody(request, style),
        context,
        options,
        settings.agreeToLicense ?? false,
      );
      const structuredSupported = style === "content";
      const description: Description = {
        text: outcome.text,
        structured: structuredSupported ? parseStructured(outcome, request, platform) : undefined,
        finishReason: mapFinishReason(outcome, request.maxOutputTokens),
        rawFinishReason: outcome.finishReason,
        usage: mapUsage(outcome.usage),
        warnings: request.schema && !structuredSupported
          ? [`structured output unsupported on cloudflare (${model})`]
          : undefined,
      };
      if (outcome.simulation) description.simulation = outcome.simulation;
      return description;
    },
  };
}
