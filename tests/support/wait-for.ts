/**
 * Waiting for a condition instead of for a number of milliseconds: a test that sleeps either
 * wastes time on a quiet machine or fails on a loaded one. `waitFor` polls until the condition
 * holds and fails with what it waited for when it never does.
 *
 * @module
 */

// Captured at import, before a test installs fake timers, so polling keeps real time.
const realSetTimeout = globalThis.setTimeout;
const realNow = performance.now.bind(performance);

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** What is awaited, for the error when it never happens. @default "condition" */
  what?: string;
  /** Give up (and throw) after this long; a bound on failure, not on speed. @default 30_000 */
  timeoutMs?: number;
  /** Pause between two checks. @default 5 */
  intervalMs?: number;
}

/**
 * Resolves with the condition's first truthy value; throws once `timeoutMs` passed without one.
 *
 * @example
 * ```ts
 * const batch = await waitFor(async () => {
 *   const body = await (await fetch(url)).json();
 *   return body.status === "completed" && body;
 * }, { what: "the batch completed" });
 * ```
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<Exclude<T, false | null | undefined | 0 | "">> {
  const { what = "condition", timeoutMs = 30_000, intervalMs = 5 } = options;
  const deadline = realNow() + timeoutMs;
  while (true) {
    const value = await condition();
    if (value) return value as Exclude<T, false | null | undefined | 0 | "">;
    if (realNow() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => realSetTimeout(resolve, intervalMs));
  }
}
