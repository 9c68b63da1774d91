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
 * const url = "https://example.com";
 * await withTimeout((signal) => fetch(url, { signal }).then((r) => r.text()), { timeoutMs: 5000 });
 * ```
 */
export async function withTimeout<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  options: TimeoutOptions = {},
): Promise<T> {
  const timeoutMs = checkTimeoutMs(options.timeoutMs ?? 60_000);
  const { platform } = options;
  // One controller per call, fed by the deadline and by the run's signal. Neither adds an event
  // listener per call: the run's signal has one listener for all its calls (`onAbortOf`), and
  // the deadline aborts the call itself. (With a listener added and removed per call, V8 began
  // allocating listener records in the old generation in CLI runs: `--trace-deopt` showed
  // `addEventListener` deoptimized for it. `AbortSignal.any` would tie every call's signal to
  // the run's one: about 260 bytes held per call until the run ends.)
  const combined = new AbortController();
  let deadlinePassed = false;
  // What the call billed before it was stopped (Replicate's cancelled prediction), known once
  // it settled: kept on the timeout or cancel error.
  let billed: VisionBenchError["billed"];
  const classify = (error: unknown): VisionBenchError => {
    if (options.signal?.aborted) {
      return new VisionBenchError("cancelled", "the call was cancelled", {
        platform,
        cause: error,
        billed,
      });
    }
    if (deadlinePassed) {
      return new VisionBenchError("timeout", `no answer within ${timeoutMs} ms`, {
        platform,
        cause: error,
        billed,
      });
    }
    return toVisionBenchError(error, platform);
  };
  let rejectAborted: (error: VisionBenchError) => void = () => {};
  const aborted = new Promise<never>((_, reject) => rejectAborted = reject);
  const abort = (reason: unknown) => {
    if (combined.signal.aborted) return;
    combined.abort(reason);
    rejectAborted(classify(reason));
  };
  const stopWatching = onAbortOf(options.signal, () => abort(options.signal?.reason));
  const timer = setTimeout(() => {
    deadlinePassed = true;
    abort(new DOMException("deadline", "TimeoutError"));
  }, timeoutMs);
  const call = fn(combined.signal);
  call.catch((error) => billed = (error as VisionBenchError)?.billed);
  try {
    return await Promise.race([call, aborted]);
  } catch (error) {
    // An aborted call may still be cleaning up (Replicate cancels its prediction so it stops
    // billing): give it a bounded moment, so a CLI that exits next does not cut the cleanup.
    if (combined.signal.aborted) await settledWithin(call, options.cleanupGraceMs ?? 3000);
    throw classify(error);
  } finally {
    clearTimeout(timer);
    stopWatching();
    // The race's loser must not surface as an unhandled rejection.
    aborted.catch(() => {});
  }
}

/** The callbacks waiting on each run signal; one event listener per signal calls them all. */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `onAbort` when `signal` aborts (at once if it has), until the returned function is
 * called. Every caller of one signal shares a single event listener.
 */
function onAbortOf(signal: AbortSignal | undefined, onAbort: () => void): () => void {
  if (!signal) return () => {};
  if (signal.aborted) {
    onAbort();
    return () => {};
  }
  let callbacks = waiting.get(signal);
  if (!callbacks) {
    const all = callbacks = new Set();
    waiting.set(signal, all);
    signal.addEventListener("abort", () => {
      for (const callback of [...all]) callback();
      all.clear();
    }, { once: true });
  }
  callbacks.add(onAbort);
  const registered = callbacks;
  return () => registered.delete(onAbort);
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
