/**
 * Running cases: the runner (pool, timeout, retry, cache, records), the append-only run store and
 * run ids. (pool, retry, timeout, cases and record builders are internal.)
 *
 * @module
 */
export * from "./runner.ts";
export * from "./run-store.ts";
export * from "./run-id.ts";
export * from "./response-cache.ts";
export type { Prompt, RunTarget } from "./cases.ts";
