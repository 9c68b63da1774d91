/**
 * Quality charts: quality against cost and latency with the three-axis Pareto frontier, and a
 * per-image × platform recall heatmap.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import pl from "nodejs-polars";
import { pareto } from "../../analysis/compare.ts";
import type { HtmlFragment } from "../../util/html.ts";
import { rowsOf } from "../../analysis/frames.ts";
import { isNumber, seriesLabel, type SummaryData, summaryRows } from "./data.ts";
import { emptyChart, renderPlot } from "./svg.ts";

const QUALITY_DEFAULTS = {
  width: 720,
  height: 440,
  marginRight: 200,
  y: { label: "↑ mean quality score (0–10)", domain: [0, 10], grid: true },
  // Quantized: a continuous legend needs a canvas, which server-side rendering does not have.
  color: {
    legend: true,
    type: "quantize",
    n: 5,
    scheme: "viridis",
    reverse: true,
    label: "p50 latency (ms)",
  },
} satisfies Plot.PlotOptions;

/** Options of {@link qualityCostLatencyChart}; any other Plot option is passed through. */
export interface QualityCostLatencyChartOptions extends Plot.PlotOptions {
  /** @default "meanScore" */
  quality?: string;
  /** @default "costPer1k" */
  cost?: string;
  /** @default "p50LatencyMs" */
  latency?: string;
}

/**
 * Each summary row (e.g. `joinQuality(summarize(frame), qualitySummary(frame, { labels }))`) at
 * (cost, quality), coloured by latency. Rows on the 3-axis Pareto frontier (no other row is at
 * least as cheap, as fast and as good, and better on one) are ringed in red, joined by a line
 * and named in bold; rows missing any of the three values are left out.
 *
 * @example
 * ```ts
 * showChart(qualityCostLatencyChart(joinQuality(summarize(frame), qualitySummary(frame, { labels }))));
 * ```
 */
export function qualityCostLatencyChart(
  data: SummaryData,
  options: QualityCostLatencyChartOptions = {},
): HtmlFragment {
  const {
    quality = "meanScore",
    cost = "costPer1k",
    latency = "p50LatencyMs",
    marks = [],
    ...plotOptions
  } = options;
  const rows = summaryRows(data).filter((row) =>
    isNumber(row[quality]) && isNumber(row[cost]) && isNumber(row[latency])
  );
  if (rows.length === 0) {
    return emptyChart("no data: no row has quality, cost and latency");
  }
  const frame = pl.DataFrame(
    rows.map((row) => ({ latency: row[latency], cost: row[cost], quality: row[quality] })),
  );
  const flags = pareto(frame, { x: "latency", y: "cost", extra: "quality" })
    .getColumn("onFrontier").toArray() as boolean[];
  const points: (Record<string, unknown> & { onFrontier: boolean; name: string })[] = rows.map((
    row,
    index,
  ) => ({
    ...row,
    onFrontier: flags[index],
    name: `${seriesLabel(row, { variant: "variant" in row })} (${
      Math.round(row[latency] as number).toLocaleString("en-US")
    } ms)`,
  }));
  const frontier = points.filter((point) => point.onFrontier)
    .sort((a, b) => (a[cost] as number) - (b[cost] as number));
  const logCost = points.every((point) => (point[cost] as number) > 0);
  return renderPlot({
    ...QUALITY_DEFAULTS,
    x: {
      type: logCost ? "log" : "linear",
      label: "USD per 1,000 images →",
      grid: true,
      tickFormat: "$~g",
    },
    ...plotOptions,
    marks: [
      Plot.line(frontier, { x: cost, y: quality, stroke: "#d62728", strokeDasharray: "4,3" }),
      Plot.dot(frontier, { x: cost, y: quality, r: 9, stroke: "#d62728", strokeWidth: 2 }),
      Plot.dot(points, { x: cost, y: quality, fill: latency, r: 5 }),
      ...[true, false].map((onFrontier) =>
        Plot.text(points.filter((point) => point.onFrontier === onFrontier), {
          x: cost,
          y: quality,
          text: "name",
          dx: 12,
          textAnchor: "start",
          fontWeight: onFrontier ? "bold" : "normal",
        })
      ),
      ...marks,
    ],
  });
}

const HEATMAP_DEFAULTS = {
  marginLeft: 200,
  marginBottom: 80,
  x: { label: null, tickRotate: -35 },
  y: { label: null },
  color: { legend: true, type: "quantize", n: 5, scheme: "blues", domain: [0, 1], label: "recall" },
} satisfies Plot.PlotOptions;

/** Options of {@link recallHeatmap}; any other Plot option is passed through. */
export interface RecallHeatmapOptions extends Plot.PlotOptions {
  /** Column to colour by (0–1). @default "recall" */
  value?: string;
  /** Put the variant in the column name. @default true when rows have several variants */
  variant?: boolean;
}

/**
 * One cell per image (rows) × platform · model (columns): mean recall over that pair's scored
 * records, the value printed in the cell. Takes the frame of `withQuality` (or its rows);
 * unscored records (errors, unlabelled images) are left out, so a blank cell means "nothing to
 * score", not 0.
 *
 * @example
 * ```ts
 * showChart(recallHeatmap(withQuality(recordsToFrame(records), labels)));
 * ```
 */
export function recallHeatmap(
  data: pl.DataFrame | readonly Record<string, unknown>[],
  options: RecallHeatmapOptions = {},
): HtmlFragment {
  const { value = "recall", variant, marks = [], ...plotOptions } = options;
  const rows = rowsOf<Record<string, unknown>>(data).filter((row) => isNumber(row[value]));
  if (rows.length === 0) return emptyChart(`no data: no row has a ${value}`);
  const withVariant = variant ?? new Set(rows.map((row) => row.variant)).size > 1;
  const cells = new Map<string, { imageId: string; series: string; sum: number; n: number }>();
  for (const row of rows) {
    const series = seriesLabel(row, { variant: withVariant });
    const imageId = String(row.imageId);
    const key = `${imageId}\u0000${series}`;
    const cell = cells.get(key) ?? { imageId, series, sum: 0, n: 0 };
    cell.sum += row[value] as number;
    cell.n++;
    cells.set(key, cell);
  }
  const points = [...cells.values()].map((cell) => ({
    imageId: cell.imageId,
    series: cell.series,
    [value]: cell.sum / cell.n,
    label: (cell.sum / cell.n).toFixed(2),
  }));
  const imageIds = [...new Set(points.map((point) => point.imageId))].sort();
  const series = [...new Set(points.map((point) => point.series))].sort();
  return renderPlot({
    ...HEATMAP_DEFAULTS,
    width: Math.max(360, HEATMAP_DEFAULTS.marginLeft + 90 * series.length),
    height: 30 + HEATMAP_DEFAULTS.marginBottom + 24 * imageIds.length,
    ...plotOptions,
    x: { ...HEATMAP_DEFAULTS.x, domain: series, ...plotOptions.x },
    y: { ...HEATMAP_DEFAULTS.y, domain: imageIds, ...plotOptions.y },
    marks: [
      Plot.cell(points, { x: "series", y: "imageId", fill: value, inset: 0.5 }),
      Plot.text(points, {
        x: "series",
        y: "imageId",
        text: "label",
        fill: (point: Record<string, number>) => point[value] > 0.6 ? "white" : "black",
      }),
      ...marks,
    ],
  });
}
