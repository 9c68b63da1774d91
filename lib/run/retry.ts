/**
 * Retry with exponential backoff and full jitter. The decision to retry reads only
 * `error.retryable` (a {@link VisionBenchError}); a platform's Retry-After is honoured.
 *
 * @module
 */
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
  /** Upper bound of any wait, Retry-After included. @default 30000 */
  maxDelayMs?: number;
  /** Stops waiting (and retrying) when aborted; the wait then rejects with a `cancelled` error. */
  signal?: AbortSignal;
  /** Called before each wait (progress events, logs). */
  onRetry?: (info: RetryInfo) => void;
  /** Source of jitter in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * The delay before the attempt after `attempt`: full jitter (uniform in [0, cap]) where the cap
 * doubles per attempt, raised to the platform's Retry-After when it asked for more; never above
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
  return asked === undefined ? jittered : Math.min(maxDelayMs, Math.max(jittered, asked));
}

/**
 * Calls `fn(attempt)` until it succeeds, the error is not retryable, attempts run out or
 * `signal` aborts; then throws the last error unchanged. `fn` receives the 1-based attempt number,
 * which is how the caller knows how many attempts were made.
 *
 * @example
 * ```ts
 * const value = await retry((attempt) => callPlatform(attempt), { maxAttempts: 4, baseDelayMs: 250 });
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
      if (!retryable || attempt >= maxAttempts || options.signal?.aborted) throw error;
      const delayMs = backoffDelay(attempt, error, options);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}

/** Waits `ms`, rejecting with a `cancelled` error as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = () => new VisionBenchError("cancelled", "cancelled while waiting to retry");
    if (signal?.aborted) return reject(cancelled());
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
