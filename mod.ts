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
export * from "./lib/contract/adapter.ts";
export * from "./lib/contract/errors.ts";
export * from "./lib/contract/price-card.ts";
export * from "./lib/contract/record.ts";

// Configuration and platforms
export * from "./lib/platforms/config.ts";
export { redact, registerSecret } from "./lib/util/secrets.ts";
export * from "./lib/platforms/presets.ts";
export * from "./lib/platforms/resolve.ts";
export * from "./lib/platforms/discovery.ts";
export * from "./lib/contract/schemas.ts";
export * from "./lib/util/paths.ts";

// Running
export * from "./lib/app/bench.ts";
export * from "./lib/images/image-set.ts";
export { readManifest } from "./lib/images/manifest.ts";
export * from "./lib/run/runner.ts";
export { newRunId, validateRunId } from "./lib/run/run-id.ts";
export * from "./lib/run/run-store.ts";
export * from "./lib/analysis/parquet.ts";
export { createTerminalProgress } from "./lib/present/terminal-progress.ts";

// Prices
export * from "./lib/price/cost.ts";
export {
  anthropicImageTokens,
  geminiImageTokens,
  kimiImageTokens,
  openAIImageTokens,
} from "./lib/price/image-tokens.ts";
export * from "./lib/analysis/reference-figures.ts";

// Quality
export * from "./lib/quality/labels.ts";
export * from "./lib/quality/score.ts";
export * from "./lib/quality/quality-frame.ts";
export * from "./lib/quality/agreement.ts";
export * from "./lib/quality/judge.ts";
export * from "./lib/quality/ratings.ts";

// Analysis, charts, display, report
export * from "./lib/analysis/compare.ts";
export {
  decide,
  type DecideOptions,
  type Decision,
  type DecisionRow,
  DEFAULT_MAX_P50_MS,
  DEFAULT_MIN_QUALITY,
  optionLabel,
  type RankedOption,
  rankOptions,
} from "./lib/analysis/decision.ts";
export * from "./lib/analysis/robustness.ts";
export * from "./lib/analysis/provenance.ts";
export * from "./lib/price/reprice.ts";
export * from "./lib/app/compare-report.ts";
export * from "./lib/present/decision-card.ts";
export * from "./lib/present/leaderboard.ts";
export * from "./lib/present/method.ts";
export * from "./lib/present/charts/mod.ts";
export * from "./lib/present/display.ts";
export * from "./lib/present/report-sections.ts";
export * from "./lib/present/quality-sections.ts";
export { type NotebookParams, notebookParams } from "./lib/app/notebook-runner.ts";

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
