/**
 * visionbench — the one public entry. The contract first (what an adapter implements, the one
 * error type, what a run records), then each concern of lib/ through its folder's mod.ts, then the
 * platform adapters. Helpers a folder keeps internal are not exported here.
 *
 * @example
 * ```ts
 * import { readRuns, recordsToFrame, runBenchmark, summarize } from "./mod.ts";
 * await runBenchmark({ platforms: ["local"], limit: 3 });
 * const summary = summarize(recordsToFrame((await readRuns("results")).records));
 * ```
 *
 * @module
 */

// The contract, named one by one: changing it is a decision, not a side effect.
export {
  type Adapter,
  type AdapterCapabilities,
  type AdapterFactory,
  type AdapterSettings,
  type BatchAdapter,
  type BatchCallOptions,
  type BatchItem,
  type BatchItemResult,
  type BatchJob,
  type BatchLimits,
  type BatchOutcome,
  type BatchResults,
  type BatchState,
  COST_BASES,
  type CostBasis,
  type DescribeOptions,
  type DescribeRequest,
  type Description,
  ERROR_KINDS,
  type ErrorKind,
  type FinishReason,
  imageBase64,
  imageDataUrl,
  type ImageMimeType,
  type ImagePayload,
  isVisionBenchError,
  kindFromStatus,
  type ModelProbe,
  type ModelProbeOptions,
  parseRetryAfter,
  type PlatformTiming,
  type PriceCard,
  PriceCardSchema,
  type ResultRecord,
  ResultRecordSchema,
  retryAfterFromHeaders,
  type RunEvent,
  SCHEMAS,
  type StructuredSchema,
  toVisionBenchError,
  type Usage,
  type Venue,
  VENUE_SCHEMA,
  VenueSchema,
  VisionBenchError,
  type VisionBenchErrorOptions,
} from "./lib/contract/mod.ts";

// Each concern of lib/, through its folder.
export * from "./lib/util/mod.ts";
export * from "./lib/platforms/mod.ts";
export * from "./lib/images/mod.ts";
export * from "./lib/price/mod.ts";
export * from "./lib/run/mod.ts";
export * from "./lib/analysis/mod.ts";
export * from "./lib/quality/mod.ts";
export * from "./lib/present/mod.ts";
export * from "./lib/app/mod.ts";

// Platform adapters (the registry and each factory).
export { ADAPTER_FACTORIES, BATCH_ADAPTER_FACTORIES, MODEL_PROBES } from "./adapters/mod.ts";
export { createLocal } from "./adapters/local.ts";
export { createOpenAI } from "./adapters/openai.ts";
export { createAnthropic } from "./adapters/anthropic.ts";
export { createGemini } from "./adapters/gemini.ts";
export { createOllama, listVisionModels } from "./adapters/ollama.ts";
export { createReplicate } from "./adapters/replicate.ts";
export { createCloudflare } from "./adapters/cloudflare.ts";
export { createRunPod } from "./adapters/runpod.ts";
export { createOpenAIBatch } from "./adapters/openai-batch.ts";
export { createAnthropicBatch } from "./adapters/anthropic-batch.ts";
export { createGeminiBatch } from "./adapters/gemini-batch.ts";
