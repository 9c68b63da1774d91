/**
 * visionbench — the one public entry. Re-exports `lib/` (records, images, runner, pricing,
 * analysis, charts, display, report helpers) and every platform adapter factory.
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

// Contract
export * from "./lib/adapter.ts";
export * from "./lib/errors.ts";
export * from "./lib/price-card.ts";
export * from "./lib/record.ts";

// Configuration and platforms
export * from "./lib/config.ts";
export { redact, registerSecret } from "./lib/secrets.ts";
export * from "./lib/presets.ts";
export * from "./lib/platforms.ts";
export * from "./lib/discovery.ts";
export * from "./lib/schemas.ts";
export * from "./lib/paths.ts";

// Running
export * from "./lib/bench.ts";
export * from "./lib/images.ts";
export { readManifest } from "./lib/manifest.ts";
export * from "./lib/runner.ts";
export { newRunId, validateRunId } from "./lib/run-id.ts";
export * from "./lib/store.ts";
export * from "./lib/parquet.ts";
export { createTerminalProgress } from "./lib/progress.ts";

// Prices
export * from "./lib/pricing.ts";
export {
  anthropicImageTokens,
  geminiImageTokens,
  kimiImageTokens,
  openAIImageTokens,
} from "./lib/image-tokens.ts";
export * from "./lib/reference.ts";

// Quality
export * from "./lib/labels.ts";
export * from "./lib/quality.ts";
export * from "./lib/quality-frame.ts";
export * from "./lib/agreement.ts";
export * from "./lib/judge.ts";
export * from "./lib/ratings.ts";

// Analysis, charts, display, report
export * from "./lib/analysis.ts";
export * from "./lib/charts.ts";
export * from "./lib/display.ts";
export * from "./lib/report-sections.ts";
export * from "./lib/quality-report.ts";
export { type NotebookParams, notebookParams } from "./lib/report.ts";

// Adapters
export { ADAPTER_FACTORIES } from "./adapters/mod.ts";
export { createLocal } from "./adapters/local.ts";
export { createOpenAI } from "./adapters/openai.ts";
export { createAnthropic } from "./adapters/anthropic.ts";
export { createGemini } from "./adapters/gemini.ts";
export { createOllama, listVisionModels } from "./adapters/ollama.ts";
export { createReplicate } from "./adapters/replicate.ts";
export { createCloudflare } from "./adapters/cloudflare.ts";
export { createRunPod } from "./adapters/runpod.ts";
