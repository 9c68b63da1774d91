/**
 * Error mapping every adapter needs once: an aborted call (timeout or cancel, told apart by the
 * signal's reason), a fetch that failed on the wire, and an HTTP status with its Retry-After.
 * Platform files refine these with their own codes.
 *
 * @module
 */
import {
  findVisionBenchError,
  kindFromStatus,
  retryAfterFromHeaders,
  VisionBenchError,
} from "../lib/contract/errors.ts";
import { redact } from "../lib/util/secrets.ts";

/** How long an error message built from a platform's words may be (an HTML error page is not). */
export const MAX_ERROR_MESSAGE_LENGTH = 300;

/** Where a transport error came from: the platform id and the call's signal. */
export interface TransportErrorContext {
  platform?: string;
  signal?: AbortSignal;
}

/**
 * The error for a call whose signal aborted: `timeout` when the reason is a `TimeoutError`
 * (`AbortSignal.timeout`, the runner's deadline), `cancelled` otherwise.
 *
 * @example
 * ```ts
 * const signal = AbortSignal.abort(new DOMException("deadline", "TimeoutError"));
 * abortedError(signal, { platform: "openai" }).kind; // "timeout"
 * ```
 */
export function abortedError(
  signal: AbortSignal | undefined,
  options: { platform?: string; cause?: unknown } = {},
): VisionBenchError {
  const reason: unknown = signal?.reason;
  const timedOut = reason instanceof DOMException && reason.name === "TimeoutError";
  return timedOut
    ? new VisionBenchError("timeout", "the call timed out", {
      platform: options.platform,
      cause: options.cause ?? reason,
    })
    : new VisionBenchError("cancelled", "the call was cancelled", {
      platform: options.platform,
      cause: options.cause ?? reason,
    });
}

/**
 * Maps what `fetch` (or reading its body) threw: an abort through {@link abortedError}, invalid
 * JSON to `invalid_response`, anything else to `network` (connection refused, reset, DNS).
 */
export function transportError(
  error: unknown,
  context: TransportErrorContext = {},
): VisionBenchError {
  const inner = findVisionBenchError(error);
  if (inner) return inner;
  if (context.signal?.aborted) return abortedError(context.signal, { ...context, cause: error });
  if (error instanceof SyntaxError) {
    return new VisionBenchError("invalid_response", "the platform answered with invalid JSON", {
      platform: context.platform,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new VisionBenchError("network", `connection failed: ${platformText(message)}`, {
    platform: context.platform,
    cause: error,
  });
}

/**
 * The error for a non-2xx HTTP answer: kind from the status, `retryAfterMs` from the headers.
 * `message` should come from the platform's error body, never from the request.
 */
export function httpError(
  response: { status: number; headers?: Headers },
  options: { message: string; platform?: string; code?: string | number; cause?: unknown },
): VisionBenchError {
  return new VisionBenchError(kindFromStatus(response.status), options.message, {
    status: response.status,
    retryAfterMs: retryAfterFromHeaders(response.headers),
    platform: options.platform,
    code: options.code,
    cause: options.cause,
  });
}

/**
 * Text a platform (or an SDK quoting it) wrote, made fit for an error message: every secret out
 * (the registered ones and `secret`, the key this call was given), cut to
 * {@link MAX_ERROR_MESSAGE_LENGTH} characters.
 *
 * @example
 * ```ts
 * platformText("<html>" + "x".repeat(50_000_000)).length; // 301
 * ```
 */
export function platformText(text: string, secret?: string): string {
  return redact(text, { also: [secret], maxLength: MAX_ERROR_MESSAGE_LENGTH });
}

/**
 * A setting the adapter cannot work without, or a `config` error naming it. Default models and
 * base URLs live in data/presets.json only; `lib/platforms/resolve.ts` hands them in.
 *
 * @example
 * ```ts
 * declare const settings: { model?: string };
 * requiredSetting(settings.model, { name: "model", platform: "openai" }); // throws when unset
 * ```
 */
export function requiredSetting<T>(
  value: T | undefined,
  where: { name: string; platform: string },
): T {
  if (value === undefined || value === "") {
    throw new VisionBenchError(
      "config",
      `${where.platform}: the ${where.name} setting is required (presets in data/presets.json give it)`,
      { platform: where.platform },
    );
  }
  return value;
}

/**
 * A platform's error value as words: the string itself, the `message` / `detail` / `error` of an
 * object, or the object as JSON — never "[object Object]".
 *
 * @example
 * ```ts
 * readableMessage({ message: "unauthorized", code: 401 }); // "unauthorized"
 * readableMessage({ error_type: "OOM" }); // '{"error_type":"OOM"}'
 * ```
 */
export function readableMessage(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of ["message", "detail", "error", "msg"]) {
      if (typeof record[key] === "string") return record[key] as string;
    }
    try {
      return JSON.stringify(value);
    } catch {
      return "(an unreadable error value)";
    }
  }
  return String(value);
}
