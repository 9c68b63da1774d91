/**
 * Cost against latency, one named dot per summary row, the Pareto frontier connected.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import pl from "nodejs-polars";
import { pareto } from "../../analysis/compare.ts";
import type { HtmlFragment } from "../../util/html.ts";
import type { SummaryRow } from "../../analysis/summary.ts";
import { isNumber, seriesLabel, type SummaryData, summaryRows } from "./data.ts";
import { emptyChart, renderPlot } from "./svg.ts";

const DEFAULTS = {
  width: 720,
  height: 420,
  marginRight: 180,
  x: { type: "log", label: "p50 latency (ms) →", grid: true },
  y: { label: "↑ USD per 1,000 images", grid: true },
  color: { legend: true, domain: ["on the frontier", "dominated"], range: ["#d62728", "#999"] },
} satisfies Plot.PlotOptions;

/** Options of {@link costLatencyChart}; any other Plot option is passed through. */
export interface CostLatencyChartOptions extends Plot.PlotOptions {
  /** @default "p50LatencyMs" */
  latency?: string;
  /** @default "costPer1k" */
  cost?: string;
}

/**
 * Each summary row at (latency, cost); frontier rows (an `onFrontier` column, computed with
 * {@link pareto} when absent) are red and joined by a line; every dot is named.
 *
 * @example
 * ```ts
 * showChart(costLatencyChart(summarize(frame, { by: ["platform", "model", "variant"] })));
 * ```
 */
export function costLatencyChart(
  data: SummaryData,
  options: CostLatencyChartOptions = {},
): HtmlFragment {
  const { latency = "p50LatencyMs", cost = "costPer1k", marks = [], ...plotOptions } = options;
  let rows = summaryRows(data).filter((row) => isNumber(row[latency]) && isNumber(row[cost]));
  if (rows.length === 0) return emptyChart("no data: no row has both latency and cost");
  if (!rows.every((row) => typeof row.onFrontier === "boolean")) {
    const frame = pl.DataFrame(rows.map((row) => ({ [latency]: row[latency], [cost]: row[cost] })));
    const flags = pareto(frame, { x: latency, y: cost }).getColumn("onFrontier").toArray();
    rows = rows.map((row, index) => ({ ...row, onFrontier: flags[index] }));
  }
  const points: (SummaryRow & { name: string; group: string })[] = rows.map((row) => ({
    ...row,
    name: seriesLabel(row, { variant: "variant" in row }),
    group: row.onFrontier ? "on the frontier" : "dominated",
  }));
  const frontier = points.filter((point) => point.onFrontier)
    .sort((a, b) => (a[latency] as number) - (b[latency] as number));
  return renderPlot({
    ...DEFAULTS,
    ...plotOptions,
    marks: [
      Plot.line(frontier, { x: latency, y: cost, stroke: "#d62728", strokeDasharray: "4,3" }),
      Plot.dot(points, { x: latency, y: cost, fill: "group", r: 5 }),
      ...[true, false].map((onFrontier) =>
        Plot.text(points.filter((point) => point.onFrontier === onFrontier), {
          x: latency,
          y: cost,
          text: "name",
          dx: 8,
          textAnchor: "start",
          fontWeight: onFrontier ? "bold" : "normal",
        })
      ),
      ...marks,
    ],
  });
}
