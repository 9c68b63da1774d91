/**
 * Maps what `@google/genai` throws onto {@link VisionBenchError}. The SDK's `ApiError` keeps
 * only the HTTP status and a message holding the JSON error body
 * (`{"error":{"code","message","status","details"}}`), so the body is parsed back here (zod at
 * the edge); the Retry-After header is captured by the adapter's fetch, since the SDK drops
 * response headers on errors.
 *
 * @module
 */
import { ApiError } from "@google/genai";
import { z } from "zod";
import {
  type ErrorKind,
  findVisionBenchError,
  kindFromStatus,
  parseRetryAfter,
  VisionBenchError,
} from "../lib/contract/errors.ts";
import { abortedError, platformText, readableMessage } from "./shared-errors.ts";

/** The Google RPC error body, keeping only what we read. */
const GoogleErrorBodySchema = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.unknown().optional(),
    status: z.string().optional(),
    details: z.array(
      z.looseObject({ "@type": z.string().optional(), retryDelay: z.string().optional() }),
    )
      .optional(),
  }),
});

/** Google RPC status → kind; the HTTP status decides when the body has none. */
const KIND_BY_RPC_STATUS: Record<string, ErrorKind> = {
  INVALID_ARGUMENT: "bad_request",
  FAILED_PRECONDITION: "bad_request",
  OUT_OF_RANGE: "bad_request",
  UNAUTHENTICATED: "auth",
  PERMISSION_DENIED: "auth",
  NOT_FOUND: "not_found",
  RESOURCE_EXHAUSTED: "rate_limit",
  INTERNAL: "server",
  UNKNOWN: "server",
  UNAVAILABLE: "overloaded",
  DEADLINE_EXCEEDED: "timeout",
  CANCELLED: "cancelled",
};

/** What a mapping needs to know about the call. */
export interface GeminiErrorContext {
  platform: string;
  apiKey?: string;
  signal?: AbortSignal;
  /** Headers of the last HTTP response of this call (for Retry-After). */
  responseHeaders?: Headers;
}

/**
 * Turns anything the SDK threw into a {@link VisionBenchError}.
 *
 * @example
 * ```ts
 * import type { GenerateContentParameters, GoogleGenAI } from "@google/genai";
 * declare const ai: GoogleGenAI;
 * declare const params: GenerateContentParameters;
 * try { await ai.models.generateContent(params); }
 * catch (error) { throw geminiError(error, { platform: "gemini" }); }
 * ```
 */
export function geminiError(error: unknown, context: GeminiErrorContext): VisionBenchError {
  const { platform } = context;
  const inner = findVisionBenchError(error);
  if (inner) return inner;
  if (context.signal?.aborted) return abortedError(context.signal, { platform, cause: error });
  const clean = (text: string) => platformText(text, context.apiKey);
  if (error instanceof ApiError) {
    const body = parseErrorBody(error.message);
    const rpcStatus = body?.status;
    const kind = (rpcStatus ? KIND_BY_RPC_STATUS[rpcStatus] : undefined) ??
      kindFromStatus(error.status);
    const retryDelay = body?.details?.find((detail) => detail.retryDelay !== undefined)?.retryDelay;
    const retryAfterMs = parseRetryAfter(context.responseHeaders?.get("retry-after")) ??
      parseDuration(retryDelay);
    const detail = body?.message === undefined ? error.message : readableMessage(body.message);
    return new VisionBenchError(
      kind,
      clean(`${platform} ${error.status} ${rpcStatus ?? "error"}: ${detail}`),
      { platform, status: error.status, code: rpcStatus, retryAfterMs, cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SyntaxError || message.startsWith("exception parsing stream chunk")) {
    return new VisionBenchError(
      "invalid_response",
      clean(`${platform}: the answer is not valid JSON`),
      {
        platform,
        cause: error,
      },
    );
  }
  // Everything else is the transport: refused, reset, or a stream cut mid-way
  // ("Incomplete JSON segment at the end").
  return new VisionBenchError("network", clean(`${platform}: ${message}`), {
    platform,
    cause: error,
  });
}

function parseErrorBody(
  message: string,
): z.infer<typeof GoogleErrorBodySchema>["error"] | undefined {
  // Stream errors are prefixed ("got status: …. {json}"); unary ones are the bare JSON.
  const start = message.indexOf("{");
  if (start < 0) return undefined;
  try {
    const parsed = GoogleErrorBodySchema.safeParse(JSON.parse(message.slice(start)));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

/** A protobuf Duration as JSON ("5s", "0.5s") in milliseconds. */
function parseDuration(value: string | undefined): number | undefined {
  const match = value?.match(/^(\d+(?:\.\d+)?)s$/);
  return match ? Number(match[1]) * 1000 : undefined;
}
