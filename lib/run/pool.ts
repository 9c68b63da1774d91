/**
 * Bounded concurrency. The runner makes one limiter per platform, so each platform gets its own
 * limit while all platforms run at the same time.
 *
 * @module
 */
import { VisionBenchError } from "../contract/errors.ts";

/** A limiter made by {@link createLimiter}. */
export interface Limiter {
  /** Runs `fn` when fewer than `limit` calls are active; resolves with its result. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Calls running now. */
  readonly active: number;
  /** Calls waiting for a slot. */
  readonly pending: number;
  readonly limit: number;
}

/**
 * A FIFO limiter of `limit` concurrent calls.
 *
 * @example
 * ```ts
 * const limiter = createLimiter(2);
 * const results = await Promise.all(urls.map((url) => limiter.run(() => fetch(url))));
 * ```
 */
export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new VisionBenchError("usage", `concurrency limit must be an integer >= 1, got ${limit}`);
  }
  let active = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    active--;
    const next = queue.shift();
    if (next) next();
  };
  return {
    get active() {
      return active;
    },
    get pending() {
      return queue.length;
    },
    limit,
    run<T>(fn: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const start = () => {
          active++;
          // A synchronous throw in fn must release the slot too, hence the async wrapper.
          // Release before settling so a caller that awaits run() sees the slot free.
          (async () => await fn())().finally(release).then(resolve, reject);
        };
        if (active < limit) start();
        else queue.push(start);
      });
    },
  };
}
