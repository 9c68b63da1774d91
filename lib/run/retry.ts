/**
 * Retry with exponential backoff and full jitter. The decision to retry reads only
 * `error.retryable` (a {@link VisionBenchError}). A platform's Retry-After (or Gemini's
 * `RetryInfo.retryDelay`) is obeyed exactly — retrying inside the window the platform named only
 * earns another 429 and holds a concurrency slot — up to `maxRetryAfterMs`; a longer wait ends
 * the case as a `rate_limit` error that names it.
 *
 * @module
 */
import { wait } from "../util/wait.ts";
import { isVisionBenchError, VisionBenchError } from "../contract/errors.ts";

/** What {@link RetryOptions.onRetry} is told before each wait. */
export interface RetryInfo {
  /** The attempt that just failed (1-based). */
  attempt: number;
  /** How long we wait before the next attempt. */
  delayMs: number;
  error: VisionBenchError;
}

/** Options of {@link retry}. */
export interface RetryOptions {
  /** Total attempts, the first one included. @default 3 */
  maxAttempts?: number;
  /** Backoff base: the cap before jitter is `baseDelayMs * 2^(attempt-1)`. @default 500 */
  baseDelayMs?: number;
  /** Upper bound of a backoff wait (not of a platform's Retry-After). @default 30000 */
  maxDelayMs?: number;
  /**
   * The longest Retry-After obeyed; a platform asking for more ends the case as a `rate_limit`
   * error naming the wait. @default 120000
   */
  maxRetryAfterMs?: number;
  /** Stops waiting (and retrying) when aborted; the wait then rejects with a `cancelled` error. */
  signal?: AbortSignal;
  /** Called before each wait (progress events, logs). */
  onRetry?: (info: RetryInfo) => void;
  /** Source of jitter in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * The delay before the attempt after `attempt`: the platform's Retry-After exactly when it named
 * one; otherwise full jitter (uniform in [0, cap]) where the cap doubles per attempt, never above
 * `maxDelayMs`.
 */
export function backoffDelay(
  attempt: number,
  error: VisionBenchError | undefined,
  options: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs" | "random"> = {},
): number {
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const random = options.random ?? Math.random;
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(random() * cap);
  const asked = error?.retryAfterMs;
  return asked === undefined ? jittered : Math.ceil(asked);
}

/** The longest Retry-After obeyed unless told otherwise. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 120_000;

/** Seconds for a message: "34.4 s", "99999 s". */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * `error` as the end of the case when the platform asked to wait longer than `maxRetryAfterMs`:
 * a `rate_limit` error, not retryable, whose message names the wait.
 */
function waitTooLong(error: VisionBenchError, maxRetryAfterMs: number): VisionBenchError {
  return new VisionBenchError(
    "rate_limit",
    `${error.message} — the platform asked to wait ${seconds(error.retryAfterMs ?? 0)} ` +
      `(longer than the maximum wait of ${seconds(maxRetryAfterMs)}); not retried`,
    {
      status: error.status,
      retryable: false,
      retryAfterMs: error.retryAfterMs,
      platform: error.platform,
      code: error.code,
      cause: error,
    },
  );
}

/**
 * Calls `fn(attempt)` until it succeeds, the error is not retryable, attempts run out or
 * `signal` aborts; then throws the last error unchanged. `fn` receives the 1-based attempt number,
 * which is how the caller knows how many attempts were made.
 *
 * @example
 * ```ts
 * declare function callPlatform(attempt: number): Promise<string>;
 * await retry((attempt) => callPlatform(attempt), { maxAttempts: 4, baseDelayMs: 250 });
 * ```
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new VisionBenchError("usage", `maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  }
  for (let attempt = 1;; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const retryable = isVisionBenchError(error) && error.retryable;
      if (!retryable || options.signal?.aborted) throw error;
      // Said even on the last attempt: the row should tell how long the platform wanted.
      const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
      if ((error.retryAfterMs ?? 0) > maxRetryAfterMs) throw waitTooLong(error, maxRetryAfterMs);
      if (attempt >= maxAttempts) throw error;
      const delayMs = backoffDelay(attempt, error, options);
      options.onRetry?.({ attempt, delayMs, error });
      if (!(await wait(delayMs, options.signal))) {
        throw new VisionBenchError("cancelled", "cancelled while waiting to retry");
      }
    }
  }
}
