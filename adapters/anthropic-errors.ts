/**
 * Maps what the Anthropic SDK throws onto {@link VisionBenchError}. The error `type` in the
 * body (`{"type":"error","error":{"type","message"}}`) decides first — it is the only thing an
 * `event: error` in the middle of a stream carries — and the HTTP status second.
 *
 * @module
 */
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from "@anthropic-ai/sdk";
import {
  type ErrorKind,
  findVisionBenchError,
  kindFromStatus,
  retryAfterFromHeaders,
  VisionBenchError,
} from "../lib/contract/errors.ts";
import { abortedError, platformText, readableMessage } from "./shared-errors.ts";

/** Anthropic error types, as documented, with their normalized kind. */
const KIND_BY_ERROR_TYPE: Record<string, ErrorKind> = {
  invalid_request_error: "bad_request",
  authentication_error: "auth",
  permission_error: "auth",
  billing_error: "auth",
  not_found_error: "not_found",
  request_too_large: "bad_request",
  rate_limit_error: "rate_limit",
  api_error: "server",
  overloaded_error: "overloaded",
  timeout_error: "timeout",
};

/** Context a mapping needs: who we are, the key to keep out of messages, the call's signal. */
export interface AnthropicErrorContext {
  platform: string;
  apiKey?: string;
  signal?: AbortSignal;
}

/**
 * Turns anything the SDK (or our stream reading) threw into a {@link VisionBenchError}.
 *
 * @example
 * ```ts
 * import type Anthropic from "@anthropic-ai/sdk";
 * declare const client: Anthropic;
 * declare const params: Anthropic.MessageCreateParamsNonStreaming;
 * try { await client.messages.create(params); }
 * catch (error) { throw anthropicError(error, { platform: "anthropic" }); }
 * ```
 */
export function anthropicError(error: unknown, context: AnthropicErrorContext): VisionBenchError {
  const { platform } = context;
  const inner = findVisionBenchError(error);
  if (inner) return inner;
  if (context.signal?.aborted || error instanceof APIUserAbortError) {
    return abortedError(context.signal, { platform, cause: error });
  }
  const clean = (text: string) => platformText(text, context.apiKey);
  if (error instanceof APIConnectionTimeoutError) {
    return new VisionBenchError("timeout", `${platform}: ${clean(error.message)}`, {
      platform,
      cause: error,
    });
  }
  if (error instanceof APIConnectionError) {
    const detail = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return new VisionBenchError("network", clean(`${platform}: ${error.message}${detail}`), {
      platform,
      cause: error,
    });
  }
  if (error instanceof APIError) {
    const type = error.type ?? undefined;
    const kind = (type && KIND_BY_ERROR_TYPE[type]) ?? kindFromStatus(error.status);
    const where = error.status === undefined ? "error event in stream" : String(error.status);
    const message = error.apiMessage === null || error.apiMessage === undefined
      ? error.message
      : readableMessage(error.apiMessage);
    return new VisionBenchError(
      kind,
      clean(`${platform} ${where} ${type ?? "error"}: ${message}`),
      {
        platform,
        status: error.status,
        code: type,
        retryAfterMs: retryAfterFromHeaders(error.headers),
        cause: error,
      },
    );
  }
  if (error instanceof SyntaxError) {
    return new VisionBenchError(
      "invalid_response",
      clean(`${platform}: the answer is not valid JSON (${error.message})`),
      { platform, cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new VisionBenchError("network", clean(`${platform}: ${message}`), {
    platform,
    cause: error,
  });
}

/**
 * The error for an Anthropic error object (`{"type","message"}`) that came with HTTP 200: kind
 * from its `type`, message in its words.
 *
 * @example
 * ```ts
 * errorInBody({ type: "invalid_request_error", message: "Could not process image" }, { platform: "anthropic" }).kind;
 * // "bad_request"
 * ```
 */
export function errorInBody(error: unknown, context: AnthropicErrorContext): VisionBenchError {
  const fields = typeof error === "object" && error !== null
    ? error as { type?: unknown; message?: unknown }
    : {};
  const type = typeof fields.type === "string" ? fields.type : undefined;
  const kind = (type && KIND_BY_ERROR_TYPE[type]) || "server";
  const words = fields.message === undefined
    ? readableMessage(error)
    : readableMessage(fields.message);
  return new VisionBenchError(
    kind,
    platformText(`${context.platform} 200 ${type ?? "error"}: ${words}`, context.apiKey),
    { platform: context.platform, code: type },
  );
}
