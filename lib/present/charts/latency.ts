/**
 * Latency per call: one dot per timed call, one row per platform · model, a tick at the median.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { HtmlFragment } from "../../util/html.ts";
import { type CallData, callRows, isNumber, seriesLabel } from "./data.ts";
import { emptyChart, renderPlot } from "./svg.ts";

const DEFAULTS = {
  width: 720,
  marginLeft: 200,
  x: { type: "log", label: "latency per call (ms) →", grid: true },
  y: { label: null },
  // Variants ("original", "512") are categories, not numbers.
  color: { legend: true, type: "ordinal" },
} satisfies Plot.PlotOptions;

/** Options of {@link latencyChart}; any other Plot option is passed through. */
export interface LatencyChartOptions extends Plot.PlotOptions {
  /** Plot cache hits too (they repeat the original call's latency). @default false */
  includeCached?: boolean;
  /** Colour dots by variant. @default true */
  byVariant?: boolean;
}

/**
 * Every ok call as a dot per platform, with the median as a tick.
 *
 * @example
 * ```ts
 * showChart(latencyChart(records));
 * ```
 */
export function latencyChart(data: CallData, options: LatencyChartOptions = {}): HtmlFragment {
  const { includeCached = false, byVariant = true, marks = [], ...plotOptions } = options;
  const rows = callRows(data)
    .filter((row) => row.ok && isNumber(row.latencyMs) && (includeCached || !row.cached))
    .map((row) => ({ ...row, series: seriesLabel(row) }));
  if (rows.length === 0) return emptyChart("no data: no timed calls");
  return renderPlot({
    ...DEFAULTS,
    height: 60 + 36 * new Set(rows.map((row) => row.series)).size,
    ...plotOptions,
    marks: [
      Plot.dot(rows, {
        x: "latencyMs",
        y: "series",
        stroke: byVariant ? "variant" : "currentColor",
        fillOpacity: 0,
        r: 3.5,
      }),
      Plot.tickX(
        rows,
        Plot.groupY({ x: "median" }, { x: "latencyMs", y: "series", strokeWidth: 2.5 }),
      ),
      ...marks,
    ],
  });
}
