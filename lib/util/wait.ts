/**
 * One abortable wait, for everything that waits between attempts or polls: the runner's retries,
 * the batch poller, the adapters that poll a platform's job (Replicate, RunPod) and the
 * emulators. It never rejects: each caller decides what an abort means to it.
 *
 * @module
 */

/**
 * Waits `ms`, or until `signal` aborts, whichever is first. Resolves true when the whole wait
 * passed, false when the signal ended it (or had already aborted). No timer or listener is left
 * behind either way.
 *
 * @example
 * ```ts
 * import { VisionBenchError } from "../contract/errors.ts";
 * declare const signal: AbortSignal;
 * if (!(await wait(500, signal))) throw new VisionBenchError("cancelled", "cancelled while waiting");
 * ```
 */
export function wait(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
