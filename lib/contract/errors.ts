/**
 * The one error type of visionbench. Every failure that can end up in a record — a platform
 * error, a broken image, a bad config, a cost that cannot be computed — is a
 * {@link VisionBenchError} with a `kind`. Retry decisions read `retryable`, never message text.
 *
 * @module
 */

/** What went wrong, normalized across platforms. */
export const ERROR_KINDS = [
  // platform / transport
  "rate_limit",
  "overloaded",
  "timeout",
  "auth",
  "bad_request",
  "not_found",
  "content_filter",
  "server",
  "network",
  "invalid_response",
  "unsupported",
  "cancelled",
  // images (one per failure a loader can meet)
  "image_empty",
  "image_not_image",
  "image_unsupported",
  "image_too_large",
  "image_corrupt",
  "image_not_file", // a directory, FIFO, device or socket where an image file was expected
  "image_unreadable", // a dangling symlink, a symlink loop, no permission
  // local
  "config",
  "pricing",
  /** A function was called with arguments outside its documented range (a caller's bug). */
  "usage",
  /** A notebook failed while the report was being built. */
  "notebook",
] as const;

/** A normalized error kind. */
export type ErrorKind = typeof ERROR_KINDS[number];

/** Kinds worth another attempt, unless a platform says otherwise. */
const RETRYABLE_KINDS: ReadonlySet<ErrorKind> = new Set([
  "rate_limit",
  "overloaded",
  "timeout",
  "server",
  "network",
]);

/** Fields of a {@link VisionBenchError}. */
export interface VisionBenchErrorOptions {
  /** HTTP status the platform answered with, when there was one. */
  status?: number;
  /** @default true for rate_limit, overloaded, timeout, server, network; false otherwise */
  retryable?: boolean;
  /** How long the platform asked us to wait (Retry-After, retry_after, retry-after-ms). */
  retryAfterMs?: number;
  /** Platform id the error came from, when any. */
  platform?: string;
  /** Platform-specific code (e.g. Cloudflare 3040, Gemini RESOURCE_EXHAUSTED). */
  code?: string | number;
  /** The underlying error. Never serialized into records. */
  cause?: unknown;
  /**
   * What the platform billed for the failed call (a cancelled prediction's predict time, a job
   * whose output cannot be read): kept on the error row with its cost, so every billed second
   * is counted. A billed failure is not retried unless `retryable` says so.
   */
  billed?: BilledWork;
}

/** Work a platform billed for a call that then failed. */
export interface BilledWork {
  gpuSeconds?: number;
  inputTokens?: number;
  outputTokens?: number;
}

/**
 * The error every visionbench function throws.
 *
 * @example
 * ```ts
 * throw new VisionBenchError("rate_limit", "429 Too Many Requests", { status: 429, retryAfterMs: 5000 });
 * ```
 */
export class VisionBenchError extends Error {
  override readonly name = "VisionBenchError";
  readonly kind: ErrorKind;
  readonly status?: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly platform?: string;
  readonly code?: string | number;
  readonly billed?: BilledWork;

  constructor(kind: ErrorKind, message: string, options: VisionBenchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.status = options.status;
    this.retryable = options.retryable ??
      (options.billed === undefined && RETRYABLE_KINDS.has(kind));
    this.billed = options.billed;
    this.retryAfterMs = options.retryAfterMs;
    this.platform = options.platform;
    this.code = options.code;
  }
}

/** True when `error` is a {@link VisionBenchError} (optionally of one of `kinds`). */
export function isVisionBenchError(
  error: unknown,
  ...kinds: ErrorKind[]
): error is VisionBenchError {
  return error instanceof VisionBenchError && (kinds.length === 0 || kinds.includes(error.kind));
}

/**
 * The usual meaning of an HTTP status, for adapters whose platform gives nothing more precise.
 * Adapters refine it with the platform's own codes (e.g. 529 → overloaded, SAFETY → content_filter).
 */
export function kindFromStatus(status: number | undefined): ErrorKind {
  if (status === undefined) return "network";
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  if (status === 408 || status === 504) return "timeout";
  if (status === 413 || status === 400 || status === 422) return "bad_request";
  if (status === 429) return "rate_limit";
  if (status === 503 || status === 529) return "overloaded";
  if (status >= 500) return "server";
  return "bad_request";
}

/**
 * Parses a Retry-After style value into milliseconds: seconds ("5", "0.5") or an HTTP date.
 * Returns `undefined` for anything else.
 */
export function parseRetryAfter(
  value: string | number | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  }
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Reads the retry delay a response asked for: `retry-after-ms` (OpenAI) first, then `retry-after`.
 */
export function retryAfterFromHeaders(
  headers: Headers | Record<string, string | null | undefined> | undefined,
): number | undefined {
  if (!headers) return undefined;
  const get = (name: string) =>
    headers instanceof Headers ? headers.get(name) : headers[name] ?? headers[name.toLowerCase()];
  const ms = Number(get("retry-after-ms"));
  if (get("retry-after-ms") && Number.isFinite(ms) && ms >= 0) return ms;
  return parseRetryAfter(get("retry-after"));
}

/**
 * The {@link VisionBenchError} inside `error`: itself, or the first one down its `cause` chain
 * (an SDK wrapping what our fetch threw, e.g. a response over the size limit).
 *
 * @example
 * ```ts
 * const inner = new VisionBenchError("invalid_response", "too large");
 * const wrapped = Object.assign(new SyntaxError("Connection error."), { cause: inner }); // as an SDK wraps it
 * findVisionBenchError(wrapped) === inner; // true
 * ```
 */
export function findVisionBenchError(error: unknown): VisionBenchError | undefined {
  let current = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (current instanceof VisionBenchError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Turns anything thrown into a {@link VisionBenchError} (unknown errors become `network`/`server`). */
export function toVisionBenchError(error: unknown, platform?: string): VisionBenchError {
  const inner = findVisionBenchError(error);
  if (inner) return inner;
  if (error instanceof DOMException && (error.name === "TimeoutError")) {
    return new VisionBenchError("timeout", "the call timed out", { platform, cause: error });
  }
  if (error instanceof DOMException && error.name === "AbortError") {
    return new VisionBenchError("cancelled", "the call was cancelled", { platform, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new VisionBenchError("network", message, { platform, cause: error });
}
