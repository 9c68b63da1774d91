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
  findVisionBenchError,
  kindFromStatus,
  retryAfterFromHeaders,
  VisionBenchError,
} from "../lib/contract/errors.ts";
import {
  abortedError,
  platformText,
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
  // An `{"error":…}` event inside a 200 stream has no status: the server failed mid-answer.
  if (error.status === undefined) return new VisionBenchError("server", message, options);
  return new VisionBenchError(kindFromStatus(error.status), message, options);
}
