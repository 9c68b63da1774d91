/**
 * Running cases: the runner (per-platform workers, timeout, retry, cache, records), the append-only
 * run store, run ids and locks, batch mode. (retry, timeout, cases and record builders are internal.)
 *
 * @module
 */
export * from "./runner.ts";
export * from "./run-store.ts";
export * from "./run-id.ts";
export * from "./response-cache.ts";
export type { Prompt, RunTarget } from "./cases.ts";
export {
  type BatchRunEvent,
  type BatchRunOptions,
  type BatchRunResult,
  type BatchTarget,
  runBatchCases,
} from "./batch/batch-runner.ts";
export { batchStatus, type BatchStatusRow, cancelBatches } from "./batch/batch-control.ts";
export {
  type BatchManifest,
  manifestPath as batchManifestPath,
  readBatchManifest,
} from "./batch/manifest.ts";
export type { CaseRunOptions, RecordOptions } from "./run-skeleton.ts";
