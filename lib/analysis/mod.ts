/**
 * Analysis on Polars: records to frames, summaries, comparisons (resize effect, Pareto, pick),
 * Parquet export, the published reference figures.
 *
 * @module
 */
export * from "./frames.ts";
export * from "./summary.ts";
export * from "./compare.ts";
export * from "./parquet.ts";
export * from "./reference-figures.ts";
export * from "./run-frame.ts";
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
} from "./decision.ts";
export * from "./robustness.ts";
export * from "./provenance.ts";
