/**
 * Ollama through the official `ollama` package — one adapter, three presets:
 * `ollama-local` (this machine, `OLLAMA_HOST`), `ollama-vps` (a CPU VPS, `OLLAMA_VPS_HOST`) and
 * `ollama-cloud` (`https://ollama.com`, `Authorization: Bearer <OLLAMA_API_KEY>`). Same routes
 * everywhere: `POST /api/chat` with the image as base64 in `messages[].images`.
 *
 * Wire facts checked against ollama 0.6.4 (`src/browser.ts`, `src/utils.ts`):
 * - a streamed chat gets an internal AbortController and a non-streamed one no signal at all, so
 *   the caller's signal reaches the socket through a fetch wrapper made per call;
 * - HTTP errors are thrown as an unexported `ResponseError {error, status_code}` (recognized here
 *   by shape); an `{"error"}` line inside a stream is thrown as a plain `Error`;
 * - the SDK reads `process.env.OLLAMA_API_KEY` by itself for `https://ollama.com` when no
 *   Authorization header is given — we always pass the header, so the adapter never relies on env;
 * - the final `done:true` object carries the stats, durations in NANOSECONDS, and
 *   `prompt_eval_count` is omitted when the prompt came from the cache: the SDK types claim every
 *   field is present, so the stats are validated with zod here.
 *
 * @module
 */
import { simulationOf } from "../lib/contract/simulation.ts";
import { Ollama } from "ollama";
import { z } from "zod";
import type {
  Adapter,
  AdapterSettings,
  DescribeOptions,
  DescribeRequest,
  Description,
  FinishReason,
  PlatformTiming,
  Usage,
} from "../lib/contract/adapter.ts";
import {
  findVisionBenchError,
  kindFromStatus,
  retryAfterFromHeaders,
  VisionBenchError,
} from "../lib/contract/errors.ts";
import {
  abortedError,
  platformText,
  readableMessage,
  requiredSetting,
  transportError,
} from "./shared-errors.ts";
import { imageBase64 } from "../lib/contract/image-transport.ts";
import { redact } from "../lib/util/secrets.ts";
import { parseStructuredOutput } from "../lib/contract/structured-output.ts";
import { WireNumber } from "./wire.ts";

// ---------------------------------------------------------------------------------------------
// Wire types

/** The last object of a chat (streamed or not). Only the fields we read. */
const ChatStatsSchema = z.object({
  model: z.string().optional(),
  message: z.object({ content: z.string().default("") }).optional(),
  done: z.boolean().optional(),
  done_reason: z.string().optional(),
  total_duration: WireNumber,
  load_duration: WireNumber,
  prompt_eval_count: WireNumber,
  prompt_eval_duration: WireNumber,
  eval_count: WireNumber,
  eval_duration: WireNumber,
  /** An error sent with HTTP 200 (`{"error": "…"}`): the chat failed. */
  error: z.unknown().optional(),
});
type ChatStats = z.infer<typeof ChatStatsSchema>;

/** The SDK's (unexported) `ResponseError`; `error` is whatever the body's `error` held. */
const ResponseErrorSchema = z.object({
  name: z.literal("ResponseError"),
  error: z.unknown(),
  status_code: z.number(),
});

const ShowSchema = z.object({ capabilities: z.array(z.string()).optional() });
const TagsSchema = z.object({ models: z.array(z.object({ name: z.string() })) });

/** Settings of {@link createOllama}. */
export interface OllamaSettings extends AdapterSettings {
  /** `ollama-local`, `ollama-vps` or `ollama-cloud` (the id records carry). @default "ollama-local" */
  platform?: string;
  /** Required, e.g. "moondream" (the preset's model). */
  model?: string;
  /** Required host, e.g. `http://127.0.0.1:11434` or `https://ollama.com` (the preset's). */
  baseUrl?: string;
  /** Ollama Cloud key, sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** Extra headers (e.g. a reverse proxy's auth on a VPS). */
  headers?: Record<string, string>;
  /** How long Ollama keeps the model loaded after the call. @default the server's (5m) */
  keepAlive?: string | number;
  /** `load_duration` at or above this marks a cold start (as does load > half of total). @default 1000 */
  coldStartLoadMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Build request

function buildChatRequest(request: DescribeRequest, model: string, keepAlive?: string | number) {
  return {
    model,
    messages: [{ role: "user", content: request.prompt, images: [imageBase64(request.image)] }],
    format: request.schema ? z.toJSONSchema(request.schema.schema) as object : undefined,
    keep_alive: keepAlive,
    options: { temperature: request.temperature, num_predict: request.maxOutputTokens },
  };
}

/** What the per-call fetch saw last: the SDK's `ResponseError` drops the headers (Retry-After). */
interface Transport {
  fetch: typeof fetch;
  lastHeaders?: Headers;
}

/** A fetch that also aborts when `signal` does: the SDK gives a non-streamed chat no signal. */
function makeTransport(base: typeof fetch, signal: AbortSignal | undefined): Transport {
  const transport: Transport = {
    fetch: async (input, init) => {
      const merged = signal && init?.signal
        ? AbortSignal.any([init.signal, signal])
        : signal ?? init?.signal;
      const response = await base(input, { ...init, signal: merged });
      transport.lastHeaders = response.headers;
      return response;
    },
  };
  return transport;
}

function makeClient(host: string, settings: OllamaSettings, transport: Transport): Ollama {
  const headers: Record<string, string> = { ...settings.headers };
  // `http://user:pass@vps:11434` (an authenticating proxy in front of a VPS's Ollama): fetch
  // refuses URLs with credentials, so they travel as the Basic header the proxy expects.
  const url = new URL(host);
  if (url.username || url.password) {
    const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.Authorization = `Basic ${btoa(pair)}`;
    url.username = "";
    url.password = "";
    host = url.href.replace(/\/$/, "");
  }
  if (settings.apiKey) headers.Authorization = `Bearer ${settings.apiKey}`;
  return new Ollama({ host, headers, fetch: transport.fetch });
}

// ---------------------------------------------------------------------------------------------
// Call SDK

async function chat(
  client: Ollama,
  request: DescribeRequest,
  settings: { model: string; keepAlive?: string | number; platform: string; apiKey?: string },
  options: DescribeOptions,
): Promise<{ text: string; stats: ChatStats }> {
  const body = buildChatRequest(request, settings.model, settings.keepAlive);
  if (!request.stream) {
    const response = await client.chat({ ...body, stream: false });
    const stats = ChatStatsSchema.parse(response);
    // The same error as an `{"error"}` line of a stream: the server failed while answering.
    if (stats.error !== undefined) {
      throw serverSaid(readableMessage(stats.error), settings.platform, settings.apiKey);
    }
    return { text: stats.message?.content ?? "", stats };
  }
  const parts: string[] = [];
  let last: unknown;
  let notified = false;
  try {
    for await (const part of await client.chat({ ...body, stream: true })) {
      const content = part.message?.content ?? "";
      if (content && !notified) {
        notified = true;
        options.onFirstToken?.();
      }
      parts.push(content);
      last = part;
    }
  } catch (error) {
    // Not one NDJSON line was readable: the answer was never a stream, not a cut one.
    if (
      last === undefined && error instanceof Error && /Did not receive done/.test(error.message)
    ) {
      throw new VisionBenchError("invalid_response", "ollama: the answer is not an NDJSON stream", {
        platform: settings.platform,
        cause: error,
      });
    }
    throw error;
  }
  return { text: parts.join(""), stats: ChatStatsSchema.parse(last) };
}

/** What Ollama error mapping needs to know about the call. */
interface OllamaErrorContext {
  platform: string;
  apiKey?: string;
  model: string;
  host: string;
  signal?: AbortSignal;
  headers?: Headers;
}

function mapError(error: unknown, context: OllamaErrorContext): VisionBenchError {
  if (context.signal?.aborted) return abortedError(context.signal, { ...context, cause: error });
  const inner = findVisionBenchError(error);
  if (inner) return inner;
  const response = ResponseErrorSchema.safeParse(error);
  if (response.success) {
    const { status_code: status } = response.data;
    const message = readableMessage(response.data.error);
    const notFound = status === 404 || /not found/i.test(message);
    const hint = notFound && context.platform !== "ollama-cloud"
      ? ` — run \`ollama pull ${context.model}\` on ${redact(context.host)}`
      : "";
    return new VisionBenchError(
      notFound ? "not_found" : kindFromStatus(status),
      `ollama: ${platformText(message, context.apiKey)}${hint}`,
      {
        status,
        retryAfterMs: retryAfterFromHeaders(context.headers),
        platform: context.platform,
        cause: error,
      },
    );
  }
  // A stream that ends without its `done` line: the connection dropped mid-answer.
  if (error instanceof Error && /Did not receive done/.test(error.message)) {
    return new VisionBenchError("network", "ollama: the stream ended before its final line", {
      platform: context.platform,
      cause: error,
    });
  }
  if (error instanceof z.ZodError) {
    const field = error.issues[0]?.path.join(".") || "the answer";
    return new VisionBenchError(
      "invalid_response",
      `ollama: unexpected response shape (${field})`,
      {
        platform: context.platform,
        cause: error,
      },
    );
  }
  // An `{"error"}` line inside a stream, or an `{"error"}` answered with 200, arrives as a plain
  // Error: the server failed while answering (a model that is missing is still not_found).
  if (error instanceof Error && error.constructor === Error) {
    return serverSaid(error.message, context.platform, context.apiKey, error);
  }
  return transportError(error, context);
}

/** An error the server reported while answering (a model that is missing is still not_found). */
function serverSaid(
  message: string,
  platform: string,
  apiKey: string | undefined,
  cause?: unknown,
): VisionBenchError {
  const notFound = /model .*not found/i.test(message);
  return new VisionBenchError(
    notFound ? "not_found" : "server",
    `ollama: ${platformText(message, apiKey)}`,
    { platform, cause },
  );
}

// ---------------------------------------------------------------------------------------------
// Map finish reason

function mapFinishReason(doneReason: string | undefined): FinishReason {
  if (doneReason === "stop") return "stop";
  if (doneReason === "length") return "length";
  // "load" / "unload" answer a request without generation; anything else is new to us.
  return "other";
}

// ---------------------------------------------------------------------------------------------
// Map usage (and timing)

function mapUsage(stats: ChatStats): Usage {
  const inputTokens = stats.prompt_eval_count;
  const outputTokens = stats.eval_count;
  return {
    inputTokens,
    outputTokens,
    totalTokens: inputTokens !== undefined && outputTokens !== undefined
      ? inputTokens + outputTokens
      : undefined,
  };
}

// A non-number passes through unchanged, for lib/run's usage check to name.
const nanosToMs = (value: number | undefined) => typeof value === "number" ? value / 1e6 : value;

function mapTiming(stats: ChatStats, coldStartLoadMs: number): PlatformTiming {
  const serverMs = nanosToMs(stats.total_duration);
  const loadMs = nanosToMs(stats.load_duration);
  return {
    serverMs,
    loadMs,
    promptEvalMs: nanosToMs(stats.prompt_eval_duration),
    evalMs: nanosToMs(stats.eval_duration),
    coldStart: loadMs === undefined ? undefined : loadMs >= coldStartLoadMs ||
      (serverMs !== undefined && serverMs > 0 && loadMs / serverMs > 0.5),
  };
}

// ---------------------------------------------------------------------------------------------
// Factory

/**
 * Creates the Ollama adapter (local, VPS or Cloud — `settings.platform` says which).
 *
 * @example
 * ```ts
 * import type { DescribeRequest } from "../lib/contract/adapter.ts";
 * declare const image: DescribeRequest["image"];
 * const adapter = createOllama({ platform: "ollama-local", model: "moondream", baseUrl: "http://127.0.0.1:11434" });
 * const description = await adapter.describe({ image, prompt: "Describe the image.", maxOutputTokens: 300, stream: true });
 * description.timing?.coldStart; // true when the model had to be loaded
 * ```
 */
export function createOllama(settings: OllamaSettings = {}): Adapter {
  const platform = settings.platform ?? "ollama-local";
  const cloud = platform === "ollama-cloud";
  const model = requiredSetting(settings.model, { name: "model", platform });
  const host = requiredSetting(settings.baseUrl, { name: "baseUrl", platform });
  const coldStartLoadMs = settings.coldStartLoadMs ?? 1000;
  return {
    id: platform,
    model,
    capabilities: { streaming: true, structuredOutput: true, imageUrl: false, batch: false },
    billing: cloud ? "subscription" : platform === "ollama-vps" ? "hourly" : "free",
    async describe(request, options = {}) {
      const { signal } = options;
      if (signal?.aborted) throw abortedError(signal, { platform });
      const transport = makeTransport(settings.fetch ?? globalThis.fetch, signal);
      const client = makeClient(host, settings, transport);
      let result: { text: string; stats: ChatStats };
      try {
        result = await chat(
          client,
          request,
          { model, keepAlive: settings.keepAlive, platform, apiKey: settings.apiKey },
          options,
        );
      } catch (error) {
        throw mapError(error, {
          platform,
          apiKey: settings.apiKey,
          model,
          host,
          signal,
          headers: transport.lastHeaders,
        });
      }
      const { text, stats } = result;
      const description: Description = {
        text,
        structured: request.schema
          ? parseStructuredOutput({ json: text }, request.schema, platform)
          : undefined,
        finishReason: mapFinishReason(stats.done_reason),
        rawFinishReason: stats.done_reason,
        usage: mapUsage(stats),
        timing: mapTiming(stats, coldStartLoadMs),
        responseModel: stats.model,
      };
      const simulation = simulationOf(transport.lastHeaders);
      return simulation ? { ...description, simulation } : description;
    },
  };
}

/** Options of {@link listVisionModels}. */
export interface ListVisionModelsOptions {
  /** The Ollama host, e.g. "http://127.0.0.1:11434" (the preset's). */
  host: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/**
 * Names of the models on an Ollama host whose `/api/show` capabilities include `vision`
 * (`GET /api/tags`, then `POST /api/show` per model). Used by platform discovery.
 *
 * @example
 * ```ts
 * await listVisionModels({ host: "http://127.0.0.1:11434" }); // ["moondream:latest", "llava:7b"]
 * ```
 */
export async function listVisionModels(options: ListVisionModelsOptions): Promise<string[]> {
  const host = options.host;
  const transport = makeTransport(options.fetch ?? globalThis.fetch, options.signal);
  const client = new Ollama({ host, headers: options.headers, fetch: transport.fetch });
  const context = { platform: "ollama", model: "", host, signal: options.signal };
  try {
    const tags = TagsSchema.parse(await client.list());
    const vision: string[] = [];
    for (const { name } of tags.models) {
      const show = ShowSchema.parse(await client.show({ model: name }));
      if (show.capabilities?.includes("vision")) vision.push(name);
    }
    return vision;
  } catch (error) {
    throw mapError(error, context);
  }
}
