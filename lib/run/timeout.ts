/**
 * One platform call under a deadline and the run's cancel signal. A timeout and a user cancel
 * both abort the call, but they mean different things: a timeout is a retryable failure that is
 * recorded, a cancel is not a result at all.
 *
 * @module
 */
import { toVisionBenchError, VisionBenchError } from "../contract/errors.ts";

/**
 * The longest deadline a timer can hold: setTimeout keeps delays in a signed 32-bit int, and a
 * longer one fires at once — every call would "time out" after 1 ms.
 */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Throws a `config` error unless `timeoutMs` is a deadline a timer can hold (see
 * {@link MAX_TIMEOUT_MS}).
 *
 * @example
 * ```ts
 * checkTimeoutMs(60_000); // 60000
 * ```
 */
export function checkTimeoutMs(timeoutMs: number): number {
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
    throw new VisionBenchError(
      "config",
      `timeout must be between 1 ms and ${MAX_TIMEOUT_MS} ms (24.8 days), got ${timeoutMs} ms`,
    );
  }
  return timeoutMs;
}

/** Options of {@link withTimeout}. */
export interface TimeoutOptions {
  /** @default 60000 */
  timeoutMs?: number;
  /** The run's signal (Ctrl-C). */
  signal?: AbortSignal;
  /** Platform id put on the errors. */
  platform?: string;
  /** How long an aborted call may take to finish its cleanup before we move on. @default 3000 */
  cleanupGraceMs?: number;
}

/**
 * Runs `fn(signal)` where `signal` aborts on the deadline or on the run signal. Rejects with a
 * `timeout` error (retryable) or a `cancelled` error (not retryable); other errors pass through
 * {@link toVisionBenchError}. A deadline a timer cannot hold is a `config` error. The call is
 * also abandoned when `fn` ignores its signal; an aborted call gets `cleanupGraceMs` to finish.
 *
 * The deadline is a cleared `setTimeout` rather than `AbortSignal.timeout` so no timer outlives
 * the call (Deno's test sanitizer) and fake clocks drive it in tests.
 *
 * @example
 * ```ts
 * const text = await withTimeout((signal) => fetch(url, { signal }).then((r) => r.text()), { timeoutMs: 5000 });
 * ```
 */
export async function withTimeout<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  options: TimeoutOptions = {},
): Promise<T> {
  const timeoutMs = checkTimeoutMs(options.timeoutMs ?? 60_000);
  const { platform } = options;
  // One controller per call, fed by the deadline and by the run's signal through a listener
  // removed when the call ends. (`AbortSignal.any` would tie every call's signal to the run's
  // long-lived one: about 260 bytes held per call until the run ends.)
  const combined = new AbortController();
  let deadlinePassed = false;
  const classify = (error: unknown): VisionBenchError => {
    if (options.signal?.aborted) {
      return new VisionBenchError("cancelled", "the call was cancelled", {
        platform,
        cause: error,
      });
    }
    if (deadlinePassed) {
      return new VisionBenchError("timeout", `no answer within ${timeoutMs} ms`, {
        platform,
        cause: error,
      });
    }
    return toVisionBenchError(error, platform);
  };
  const onRunAbort = () => combined.abort(options.signal?.reason);
  if (options.signal?.aborted) onRunAbort();
  else options.signal?.addEventListener("abort", onRunAbort, { once: true });
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(classify(combined.signal.reason));
    if (combined.signal.aborted) onAbort();
    else combined.signal.addEventListener("abort", onAbort, { once: true });
  });
  const timer = setTimeout(() => {
    deadlinePassed = true;
    combined.abort(new DOMException("deadline", "TimeoutError"));
  }, timeoutMs);
  const call = fn(combined.signal);
  try {
    return await Promise.race([call, aborted]);
  } catch (error) {
    // An aborted call may still be cleaning up (Replicate cancels its prediction so it stops
    // billing): give it a bounded moment, so a CLI that exits next does not cut the cleanup.
    if (combined.signal.aborted) await settledWithin(call, options.cleanupGraceMs ?? 3000);
    throw classify(error);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onRunAbort);
    combined.signal.removeEventListener("abort", onAbort);
    // The race's loser must not surface as an unhandled rejection.
    aborted.catch(() => {});
  }
}

/** Waits until `promise` settles or `ms` pass, whichever is first; never rejects. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const elapsed = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  try {
    await Promise.race([promise.then(() => {}, () => {}), elapsed]);
  } finally {
    clearTimeout(timer);
  }
}
