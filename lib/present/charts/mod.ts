/**
 * Observable Plot charts rendered server-side, as HTML fragments (displayable in a notebook,
 * `String(chart)` is the markup). Each chart is a `(data, options)` function in lib/charts/:
 * defaults at the top of its file, unknown options passed through to `Plot.plot`, and a
 * "no data" chart instead of an exception when there is nothing to draw.
 *
 * @example
 * ```ts
 * import { showChart } from "../display.ts";
 * declare const frame: Parameters<typeof latencyChart>[0]; // recordsToFrame(records)
 * declare const summary: Parameters<typeof costLatencyChart>[0]; // summarize(frame)
 * showChart(latencyChart(frame));
 * showChart(costLatencyChart(summary));
 * ```
 *
 * @module
 */
export { type CallData, type SummaryData } from "./data.ts";
export { costChart, type CostChartOptions } from "./cost.ts";
export { costLatencyChart, type CostLatencyChartOptions } from "./cost-latency.ts";
export { errorsChart } from "./errors.ts";
export { latencyChart, type LatencyChartOptions } from "./latency.ts";
export {
  referenceChart,
  type ReferenceChartOptions,
  type ReferenceFigureLike,
} from "./reference.ts";
export { resizeChart, type ResizeChartOptions } from "./resize.ts";
export { describeChart, type DescribedChart } from "./text-view.ts";
export {
  chartHtml,
  type ChartHtmlOptions,
  emptyChart,
  type EmptyChartOptions,
  renderPlot,
  withSvgNamespace,
} from "./svg.ts";
export {
  qualityCostLatencyChart,
  type QualityCostLatencyChartOptions,
  recallHeatmap,
  type RecallHeatmapOptions,
} from "./quality.ts";
