/**
 * One platform call under a deadline and the run's cancel signal. A timeout and a user cancel
 * both abort the call, but they mean different things: a timeout is a retryable failure that is
 * recorded, a cancel is not a result at all.
 *
 * @module
 */
import { toVisionBenchError, VisionBenchError } from "../contract/errors.ts";

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
 * {@link toVisionBenchError}. The call is also abandoned when `fn` ignores its signal.
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
  const timeoutMs = options.timeoutMs ?? 60_000;
  const { platform } = options;
  const deadline = new AbortController();
  const combined = options.signal
    ? AbortSignal.any([options.signal, deadline.signal])
    : deadline.signal;
  const classify = (error: unknown): VisionBenchError => {
    if (options.signal?.aborted) {
      return new VisionBenchError("cancelled", "the call was cancelled", {
        platform,
        cause: error,
      });
    }
    if (deadline.signal.aborted) {
      return new VisionBenchError("timeout", `no answer within ${timeoutMs} ms`, {
        platform,
        cause: error,
      });
    }
    return toVisionBenchError(error, platform);
  };
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(classify(combined.reason));
    if (combined.aborted) onAbort();
    else combined.addEventListener("abort", onAbort, { once: true });
  });
  const timer = setTimeout(
    () => deadline.abort(new DOMException("deadline", "TimeoutError")),
    timeoutMs,
  );
  const call = fn(combined);
  try {
    return await Promise.race([call, aborted]);
  } catch (error) {
    // An aborted call may still be cleaning up (Replicate cancels its prediction so it stops
    // billing): give it a bounded moment, so a CLI that exits next does not cut the cleanup.
    if (combined.aborted) await settledWithin(call, options.cleanupGraceMs ?? 3000);
    throw classify(error);
  } finally {
    clearTimeout(timer);
    combined.removeEventListener("abort", onAbort);
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
