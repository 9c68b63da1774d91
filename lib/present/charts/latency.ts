/**
 * Latency per call: one dot per timed call, one row per platform · model, a tick at the median.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { formatDuration } from "../../util/format.ts";
import type { HtmlFragment } from "../../util/html.ts";
import { type CallData, callRows, isNumber, seriesLabel } from "./data.ts";
import { emptyChart, renderPlot } from "./svg.ts";
import { describeChart, extreme } from "./text-view.ts";
import { labelMargin, ROW_CHART, scaleFor } from "./readable.ts";

const DEFAULTS = {
  ...ROW_CHART,
  marginRight: 30,
  // Variants ("original", "512") are categories, not numbers; one legend of the marks' own
  // symbols in their colours.
  color: { type: "ordinal" },
  symbol: { legend: true, type: "ordinal" },
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
 * import type { ResultRecord } from "../../contract/record.ts";
 * import { showChart } from "../display.ts";
 * declare const records: ResultRecord[];
 * showChart(latencyChart(records));
 * ```
 */
export function latencyChart(data: CallData, options: LatencyChartOptions = {}): HtmlFragment {
  const { includeCached = false, byVariant = true, marks = [], ...plotOptions } = options;
  const rows = callRows(data)
    .filter((row) => row.ok && isNumber(row.latencyMs) && (includeCached || !row.cached))
    .map((row) => ({
      ...row,
      series: seriesLabel(row),
      tip: `${seriesLabel(row)}\nimage: ${row.imageId}\nsize: ${
        row.variant === "original" ? "original" : `${row.variant} px`
      }\nlatency: ${formatDuration(row.latencyMs as number)}`,
    }));
  if (rows.length === 0) return emptyChart("no data: no timed calls");
  const series = new Set(rows.map((row) => row.series));
  const medians = [...Map.groupBy(rows, (row) => row.series)].map(([name, group]) => ({
    name,
    median: median(group.map((row) => row.latencyMs as number)),
  }));
  const fastest = extreme(medians, (entry) => entry.median)!;
  const slowest = extreme(medians, (entry) => entry.median, { largest: true })!;
  const summary = `Each circle is one call's latency, a tick each platform · model's median. ` +
    (medians.length === 1
      ? `The median of ${fastest.name} is ${formatDuration(fastest.median)}.`
      : `The fastest median is ${fastest.name}, ${formatDuration(fastest.median)}; the ` +
        `slowest ${slowest.name}, ${formatDuration(slowest.median)}.`);
  const chart = renderPlot({
    ...DEFAULTS,
    marginLeft: labelMargin(series),
    x: {
      ...scaleFor(rows.map((row) => row.latencyMs as number), formatDuration),
      label: "latency per call →",
      grid: true,
    },
    height: 70 + 36 * series.size,
    ...plotOptions,
    marks: [
      Plot.dot(rows, {
        x: "latencyMs",
        y: "series",
        stroke: byVariant ? "variant" : "currentColor",
        symbol: byVariant ? "variant" : undefined,
        fillOpacity: 0,
        r: 3.5,
        title: "tip",
      }),
      Plot.tickX(
        rows,
        Plot.groupY({
          x: "median",
          title: (group: { latencyMs: number; series: string }[]) =>
            `${group[0].series}\nmedian: ${
              formatDuration(median(group.map((row) => row.latencyMs)))
            } over ${group.length} calls`,
        }, { x: "latencyMs", y: "series", strokeWidth: 2.5 }),
      ),
      ...marks,
    ],
  });
  return describeChart(chart, summary);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  return (sorted[Math.floor(middle)] + sorted[Math.ceil(middle)]) / 2;
}
