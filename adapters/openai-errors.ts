/**
 * Maps what the `openai` SDK throws to {@link VisionBenchError}. Shared by every OpenAI-compatible
 * platform (OpenAI, Baseten, RunPod vLLM workers): they all answer
 * `{"error":{"message","type","param","code"}}`.
 *
 * @module
 */
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  OpenAIError,
} from "openai";
import {
  type ErrorKind,
  findVisionBenchError,
  kindFromStatus,
  retryAfterFromHeaders,
  VisionBenchError,
} from "../lib/contract/errors.ts";
import {
  abortedError,
  platformText,
  readableMessage,
  transportError,
  type TransportErrorContext,
} from "./shared-errors.ts";

/** What OpenAI error mapping needs: who we are, the call's signal, the key to keep out. */
export interface OpenAIErrorContext extends TransportErrorContext {
  apiKey?: string;
}

/** Error codes OpenAI and Azure OpenAI use when a safety system blocked the request. */
const CONTENT_POLICY_CODES = new Set(["content_policy_violation", "content_filter"]);

/** Codes of a 429 that waiting will not fix (billing, not pacing). */
const NOT_RETRYABLE_429_CODES = new Set(["insufficient_quota", "billing_hard_limit_reached"]);

/**
 * Turns an SDK error into a {@link VisionBenchError}: status → kind, refined by the body's `code`;
 * `retryAfterMs` from `retry-after-ms` / `retry-after`; aborts told apart by `signal.reason`.
 *
 * @example
 * ```ts
 * import type OpenAI from "openai";
 * declare const client: OpenAI;
 * declare const body: OpenAI.ChatCompletionCreateParamsNonStreaming;
 * declare const signal: AbortSignal;
 * try { await client.chat.completions.create(body, { signal }); }
 * catch (error) { throw openAIError(error, { platform: "openai", signal }); }
 * ```
 */
export function openAIError(error: unknown, context: OpenAIErrorContext = {}): VisionBenchError {
  const { platform } = context;
  const inner = findVisionBenchError(error);
  if (inner) return inner;
  const clean = (text: string) => platformText(text, context.apiKey);
  // Order matters: the abort and timeout errors are APIConnectionError / APIError subclasses.
  if (error instanceof APIUserAbortError) {
    return abortedError(context.signal, { platform, cause: error });
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new VisionBenchError("timeout", "the request timed out", { platform, cause: error });
  }
  if (error instanceof APIConnectionError) {
    if (context.signal?.aborted) return abortedError(context.signal, { platform, cause: error });
    return new VisionBenchError("network", `connection failed: ${clean(error.message)}`, {
      platform,
      cause: error,
    });
  }
  if (error instanceof APIError) return apiError(error, context);
  if (error instanceof OpenAIError && !context.signal?.aborted) {
    return new VisionBenchError("invalid_response", clean(error.message), {
      platform,
      cause: error,
    });
  }
  return transportError(error, context);
}

function apiError(error: APIError, context: OpenAIErrorContext): VisionBenchError {
  const { platform } = context;
  const code = error.code ?? undefined;
  const message = platformText(error.message, context.apiKey);
  const options = {
    status: error.status,
    retryAfterMs: retryAfterFromHeaders(error.headers),
    platform,
    code,
    cause: error,
  };
  if (code && CONTENT_POLICY_CODES.has(code)) {
    return new VisionBenchError("content_filter", message, options);
  }
  if (error.status === 429 && code && NOT_RETRYABLE_429_CODES.has(code)) {
    return new VisionBenchError("rate_limit", message, { ...options, retryable: false });
  }
  // An `{"error":…}` event inside a 200 stream has no status: its type and code say what failed.
  if (error.status === undefined) {
    return new VisionBenchError(kindOfBody(error.type ?? undefined, code), message, options);
  }
  return new VisionBenchError(kindFromStatus(error.status), message, options);
}

/** Kind of an error that came without an HTTP status (in a 200 body or a stream event). */
function kindOfBody(type: string | undefined, code: string | undefined): ErrorKind {
  const words = `${type ?? ""} ${code ?? ""}`;
  if (code && CONTENT_POLICY_CODES.has(code)) return "content_filter";
  if (/rate_limit|requests|tokens|quota/.test(words)) return "rate_limit";
  if (/auth|api_key|permission/.test(words)) return "auth";
  if (/not_found|model_not_found/.test(words)) return "not_found";
  if (/invalid_request|invalid_image|bad_request/.test(words)) return "bad_request";
  return "server";
}

/**
 * The error for an `{"error": {message, type, code}}` a platform answered with HTTP 200: kind
 * from its type and code, message in its own words.
 *
 * @example
 * ```ts
 * errorInBody({ message: "Invalid image", type: "invalid_request_error" }, "openai").kind; // "bad_request"
 * ```
 */
export function errorInBody(body: unknown, platform: string): VisionBenchError {
  const fields = typeof body === "object" && body !== null
    ? body as { type?: unknown; code?: unknown }
    : {};
  const type = typeof fields.type === "string" ? fields.type : undefined;
  const code = typeof fields.code === "string" ? fields.code : undefined;
  return new VisionBenchError(
    kindOfBody(type, code),
    platformText(`${platform}: ${readableMessage(body)}`),
    {
      platform,
      code: code ?? type,
      retryable: kindOfBody(type, code) === "rate_limit" ? true : undefined,
    },
  );
}
