/**
 * Quality charts: quality against cost and latency with the three-axis Pareto frontier, and a
 * per-image × platform recall heatmap.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import pl from "nodejs-polars";
import { pareto } from "../../analysis/compare.ts";
import { formatScore, formatUsd } from "../../util/format.ts";
import type { HtmlFragment } from "../../util/html.ts";
import { rowsOf } from "../../analysis/frames.ts";
import { costColumnOf, isNumber, seriesLabel, type SummaryData, summaryRows } from "./data.ts";
import { emptyChart, renderPlot } from "./svg.ts";
import { plotWithFrontierLabels } from "./frontier-labels.ts";
import { describeChart, extreme } from "./text-view.ts";
import { platformAnchor } from "../anchors.ts";
import {
  CHART_FONT_PX,
  CHART_STYLE,
  CHART_WIDTH,
  labelMargin,
  rowTooltip,
  scaleFor,
  usdTick,
  X_AXIS_ROOM,
} from "./readable.ts";

type Point = Record<string, unknown> & { onFrontier: boolean; name: string };

const QUALITY_DEFAULTS = {
  width: CHART_WIDTH,
  height: 460,
  marginLeft: 56,
  marginRight: 30,
  marginTop: 34,
  marginBottom: X_AXIS_ROOM.marginBottom,
  style: CHART_STYLE,
  y: {
    label: "↑ keyword recall score (0–10)",
    domain: [0, 10],
    grid: true,
    tickFormat: formatScore,
  },
  // Quantized: a continuous legend needs a canvas, which server-side rendering does not have.
  color: {
    legend: true,
    type: "quantize",
    n: 5,
    scheme: "viridis",
    reverse: true,
    label: "p50 latency per image (ms)",
  },
} satisfies Plot.PlotOptions;

/** Options of {@link qualityCostLatencyChart}; any other Plot option is passed through. */
export interface QualityCostLatencyChartOptions extends Plot.PlotOptions {
  /** @default "meanScore" */
  quality?: string;
  /** @default "costPer1kToday" when rows have it, else "costPer1k" */
  cost?: string;
  /** @default "p50LatencyMs" */
  latency?: string;
  /** Draws the quality floor of the pick as a dashed line. */
  minQuality?: number;
}

/**
 * Each summary row (e.g. `joinQuality(summarize(frame), qualitySummary(frame, { labels }))`) at
 * (cost, quality), coloured by latency. Rows on the 3-axis Pareto frontier (no other row is at
 * least as cheap, as fast and as good, and better on one) are ringed in red, joined by a line
 * and named (when their names fit without overlapping); every dot has a tooltip and links to the
 * platform's descriptions. Rows missing any of the three values are left out.
 *
 * @example
 * ```ts
 * import { showChart } from "../display.ts";
 * declare const summary: Parameters<typeof qualityCostLatencyChart>[0]; // joinQuality(...)
 * showChart(qualityCostLatencyChart(summary));
 * ```
 */
export function qualityCostLatencyChart(
  data: SummaryData,
  options: QualityCostLatencyChartOptions = {},
): HtmlFragment {
  const all = summaryRows(data);
  const {
    quality = "meanScore",
    cost = costColumnOf(all),
    latency = "p50LatencyMs",
    minQuality,
    marks = [],
    ...plotOptions
  } = options;
  const complete = all.filter((row) =>
    isNumber(row[quality]) && isNumber(row[cost]) && isNumber(row[latency])
  );
  const rows = complete.filter((row) => (row[cost] as number) > 0);
  const free = complete.filter((row) => (row[cost] as number) <= 0);
  if (rows.length === 0) {
    return emptyChart("no data: no row has quality, cost and latency");
  }
  const frame = pl.DataFrame(
    rows.map((row) => ({ latency: row[latency], cost: row[cost], quality: row[quality] })),
  );
  const flags = pareto(frame, { x: "latency", y: "cost", extra: "quality" })
    .getColumn("onFrontier").toArray() as boolean[];
  const points = rows.map((row, index): Point => ({
    ...row,
    onFrontier: flags[index],
    name: seriesLabel(row, { variant: "variant" in row }),
    tip: rowTooltip({ ...row, costPer1kToday: row[cost], meanScore: row[quality] }),
    href: `#${platformAnchor(String(row.platform), String(row.model))}`,
  }));
  const frontier = points.filter((point) => point.onFrontier)
    .sort((a, b) => (a[cost] as number) - (b[cost] as number));
  const base: Plot.PlotOptions = {
    ...QUALITY_DEFAULTS,
    x: {
      ...scaleFor(points.map((point) => point[cost] as number), usdTick),
      label: "USD per 1,000 images →",
      grid: true,
    },
    caption: free.length
      ? `Free (not on the cost axis): ${
        free.map((row) => seriesLabel(row, { variant: true })).join(", ")
      }`
      : undefined,
    ...plotOptions,
  };
  const position = { x: cost, y: quality };
  const link = { title: "tip", href: "href" };
  const dotMarks = [
    ...(minQuality === undefined ? [] : [
      Plot.ruleY([minQuality], {
        stroke: "#d62728",
        strokeDasharray: "2,4",
        title: () => `quality floor of the pick: ${minQuality}/10`,
      }),
    ]),
    Plot.line(frontier, { ...position, stroke: "#d62728", strokeDasharray: "4,3" }),
    Plot.dot(frontier, { ...position, r: 10, stroke: "#d62728", strokeWidth: 2, ...link }),
    Plot.dot(points, { ...position, fill: latency, r: 6, ...link }),
  ];
  const value = (point: Point, column: string) => point[column] as number;
  const floor = minQuality ?? -Infinity;
  const cheapest = extreme(
    points.filter((point) => value(point, quality) >= floor),
    (point) => value(point, cost),
  );
  const best = extreme(points, (point) => value(point, quality), { largest: true })!;
  const above = minQuality === undefined ? "" : ` at or above the quality floor (${minQuality}/10)`;
  const chart = plotWithFrontierLabels({ ...base, marks: dotMarks }, {
    ...position,
    frontier,
    points,
    gap: 13,
    over: marks,
  });
  return describeChart(
    chart,
    `Each dot is a platform · model · size at its cost per 1,000 images and mean quality (of 10), ` +
      `coloured by p50 latency. ${
        cheapest
          ? `${cheapest.name} is the cheapest${above}, at ${
            formatUsd(value(cheapest, cost))
          } per 1,000.`
          : `None reaches the quality floor of ${minQuality}/10.`
      } The best quality is ${best.name}, ${formatScore(value(best, quality))}/10.`,
  );
}

const HEATMAP_DEFAULTS = {
  marginLeft: 200,
  style: CHART_STYLE,
  marginBottom: 80,
  // Upright-rotated labels: slanted ones collide at this spacing; long names are cut (full in tooltips).
  x: {
    label: null,
    tickRotate: -90,
    tickFormat: (name: string) => name.length > 30 ? `${name.slice(0, 29)}…` : name,
  },
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
 * import { showChart } from "../display.ts";
 * declare const frame: Parameters<typeof recallHeatmap>[0]; // withQuality(recordsToFrame(records), labels)
 * showChart(recallHeatmap(frame));
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
    tip: `${cell.imageId}\nplatform: ${cell.series}\nrecall: ${
      (cell.sum / cell.n).toFixed(2)
    } (n ${cell.n})`,
  }));
  const imageIds = [...new Set(points.map((point) => point.imageId))].sort();
  const series = [...new Set(points.map((point) => point.series))].sort();
  const longest = Math.min(30, Math.max(...series.map((name) => name.length)));
  const bottom = Math.ceil(longest * CHART_FONT_PX * 0.62) + 16;
  const width = Math.max(360, labelMargin(imageIds) + 46 * series.length + 20);
  const recallOf = (name: string, by: "series" | "imageId") => {
    const group = points.filter((point) => point[by] === name);
    return group.reduce((sum, point) => sum + (point[value] as number), 0) / group.length;
  };
  const bestSeries = extreme(series, (name) => recallOf(name, "series"), { largest: true })!;
  const hardest = extreme(imageIds, (imageId) => recallOf(imageId, "imageId"))!;
  const summary = `Each cell is the share of an image's labelled items a platform named (0–1). ` +
    `${bestSeries} names the most, ${recallOf(bestSeries, "series").toFixed(2)} on average; ` +
    `${hardest} is the hardest image, ${recallOf(hardest, "imageId").toFixed(2)}.`;
  const chart = renderPlot({
    ...HEATMAP_DEFAULTS,
    marginLeft: labelMargin(imageIds),
    marginBottom: bottom,
    width,
    height: 30 + bottom + 26 * imageIds.length,
    // Wider than the usual drawing: never shrunk on a phone below 10 px text (see report.css).
    style: { ...CHART_STYLE, minWidth: `${Math.round((width * 760) / CHART_WIDTH)}px` },
    ...plotOptions,
    x: { ...HEATMAP_DEFAULTS.x, domain: series, ...plotOptions.x },
    y: { ...HEATMAP_DEFAULTS.y, domain: imageIds, ...plotOptions.y },
    marks: [
      Plot.cell(points, { x: "series", y: "imageId", fill: value, inset: 0.5, title: "tip" }),
      Plot.text(points, {
        x: "series",
        y: "imageId",
        text: "label",
        fill: (point: Record<string, number>) => point[value] > 0.6 ? "white" : "black",
      }),
      ...marks,
    ],
  });
  return describeChart(chart, summary);
}
