/**
 * visionbench — what a notebook author uses: run platforms over images, read the records, frame
 * and summarise them with Polars, and show charts, tables and descriptions inline. Every export is
 * named here; nothing else is public from the root.
 *
 * For more specific work there are entry files of their own:
 * - `adapters/mod.ts`: the platform adapters (factories and the registry), to call one directly
 *   (importing it loads every SDK; `runBenchmark` loads only the platforms a run uses);
 * - `lib/contract/mod.ts`: the adapter contract and the record schema, to add a platform;
 * - `emulators/mod.ts`: the local API emulators, for offline runs and tests.
 *
 * @example
 * ```ts
 * import { readRuns, recordsToFrame, runBenchmark, summarize, summaryTable } from "./mod.ts";
 * await runBenchmark({ platforms: ["local"], limit: 3 });
 * const { records } = await readRuns("results");
 * summaryTable(summarize(recordsToFrame(records)));
 * ```
 *
 * @module
 */

// Running a benchmark, from a notebook or a script.
export {
  BATCH_PLATFORMS,
  type BenchOptions,
  type BenchResult,
  type CompareReport,
  compareReport,
  DEFAULT_PROMPT,
  findPlatforms,
  judgeSection,
  type NotebookParams,
  notebookParams,
  pointsAtLocalEndpoints,
  type PricingParams,
  pricingParams,
  renderReport,
  runBenchmark,
} from "./lib/app/mod.ts";

// What a run wrote.
export { type ReadResult, readRun, readRuns } from "./lib/run/mod.ts";
export { type ImageEntry, loadImageSet, readImageManifest } from "./lib/images/mod.ts";

// Frames and summaries (Polars).
export {
  cheapestWithin,
  decide,
  type Decision,
  errorsByKind,
  exportParquet,
  loadRunFrame,
  pareto,
  recordsToFrame,
  resizeEffect,
  summarize,
  type SummaryRow,
} from "./lib/analysis/mod.ts";

// Prices.
export {
  computeCost,
  costPerThousand,
  estimateImageTokens,
  loadPriceCards,
  projectCost,
  repriceRecord,
} from "./lib/price/mod.ts";

// Quality: reference labels, scores, a judge, people's ratings.
export {
  joinQuality,
  type LabelSet,
  loadLabels,
  loadQualityFrame,
  qualitySummary,
  type Rating,
  ratingsByGroup,
  readRatings,
  readRatingsFolder,
  runJudge,
  sampleDescriptions,
  scoreDescription,
  withQuality,
} from "./lib/quality/mod.ts";

// Charts, tables and sections for a notebook or the report.
export {
  agreementTable,
  attributionList,
  batchComparison,
  compareAgainst,
  costChart,
  costLatencyChart,
  decisionCard,
  descriptionBrowser,
  descriptionTable,
  errorsChart,
  latencyChart,
  leaderboardTable,
  methodSection,
  notebookProgress,
  platformsNote,
  publishedTable,
  qualityCostLatencyChart,
  ratingsSummary,
  recallHeatmap,
  referenceChart,
  resizeChart,
  showChart,
  simulatedBanner,
  summaryTable,
} from "./lib/present/mod.ts";

// HTML that escapes by default, and the number formats the tables use.
export {
  formatCount,
  formatDuration,
  formatUsd,
  HtmlFragment,
  raw,
  safeHtml,
} from "./lib/util/mod.ts";

// The record and the one error type.
export {
  type ErrorKind,
  isVisionBenchError,
  type PriceCard,
  type ResultRecord,
  ResultRecordSchema,
  VisionBenchError,
} from "./lib/contract/mod.ts";
