/**
 * Cost against latency, one dot per summary row, the Pareto frontier joined and labelled (the
 * rest named in tooltips), log axes when values span more than 10×, a click on a dot going to
 * that platform's descriptions.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import pl from "nodejs-polars";
import { pareto } from "../../analysis/compare.ts";
import { formatDuration, formatUsd } from "../../util/format.ts";
import type { HtmlFragment } from "../../util/html.ts";
import type { SummaryRow } from "../../analysis/summary.ts";
import { platformAnchor } from "../anchors.ts";
import { costColumnOf, isNumber, seriesLabel, type SummaryData, summaryRows } from "./data.ts";
import {
  CHART_STYLE,
  CHART_WIDTH,
  rowTooltip,
  scaleFor,
  usdTick,
  X_AXIS_ROOM,
} from "./readable.ts";
import { plotWithFrontierLabels } from "./frontier-labels.ts";
import { emptyChart } from "./svg.ts";
import { describeChart, extreme } from "./text-view.ts";

const GROUPS = ["on the frontier", "dominated"];
const DEFAULTS = {
  width: CHART_WIDTH,
  height: 440,
  marginLeft: 70,
  marginRight: 30,
  marginTop: 34,
  marginBottom: X_AXIS_ROOM.marginBottom,
  style: CHART_STYLE,
  color: { domain: GROUPS, range: ["#d62728", "#8a8a8a"] },
  symbol: { legend: true, domain: GROUPS, range: ["circle", "circle"] },
} satisfies Plot.PlotOptions;

/** Options of {@link costLatencyChart}; any other Plot option is passed through. */
export interface CostLatencyChartOptions extends Plot.PlotOptions {
  /** @default "p50LatencyMs" */
  latency?: string;
  /** @default "costPer1kToday" when rows have it, else "costPer1k" */
  cost?: string;
}

/**
 * Each summary row at (latency, cost); the rows no other row beats on both (the two-axis
 * {@link pareto} frontier of what is drawn) are red, joined by a dashed line and named; every dot has a
 * tooltip and links to `#platform-…` (the platform's descriptions). Free rows cannot sit on a
 * log scale: the caption names them.
 *
 * @example
 * ```ts
 * import type pl from "nodejs-polars";
 * import { showChart } from "../display.ts";
 * import { summarize } from "../../analysis/summary.ts";
 * declare const frame: pl.DataFrame;
 * showChart(costLatencyChart(summarize(frame, { by: ["platform", "model", "variant"] })));
 * ```
 */
export function costLatencyChart(
  data: SummaryData,
  options: CostLatencyChartOptions = {},
): HtmlFragment {
  const all = summaryRows(data);
  const {
    latency = "p50LatencyMs",
    cost = costColumnOf(all),
    marks = [],
    ...plotOptions
  } = options;
  let rows = all.filter((row) => isNumber(row[latency]) && isNumber(row[cost]));
  const free = rows.filter((row) => (row[cost] as number) <= 0);
  rows = rows.filter((row) => (row[cost] as number) > 0);
  if (rows.length === 0) {
    return emptyChart(
      free.length
        ? `only free rows: ${free.map((row) => seriesLabel(row, { variant: true })).join(", ")}`
        : "no data: no row has both latency and cost",
    );
  }
  // The frontier of what is drawn: no other dot is both cheaper and faster. (A row's own
  // `onFrontier` may be the three-axis one, with quality, which zigzags on these two axes.)
  const frame = pl.DataFrame(rows.map((row) => ({ [latency]: row[latency], [cost]: row[cost] })));
  const flags = pareto(frame, { x: latency, y: cost }).getColumn("onFrontier").toArray();
  rows = rows.map((row, index) => ({ ...row, onFrontier: flags[index] }));
  const points: (SummaryRow & { name: string; group: string; tip: string; href: string })[] = rows
    .map((row) => ({
      ...row,
      name: seriesLabel(row, { variant: "variant" in row }),
      group: row.onFrontier ? GROUPS[0] : GROUPS[1],
      tip: rowTooltip({ ...row, costPer1kToday: row[cost] }),
      href: `#${platformAnchor(String(row.platform), String(row.model))}`,
    }));
  const frontier = points.filter((point) => point.onFrontier)
    .sort((a, b) => (a[latency] as number) - (b[latency] as number));
  const scale = (channel: string, format: (value: number) => string) =>
    scaleFor(points.map((point) => point[channel] as number), format);
  const base: Plot.PlotOptions = {
    ...DEFAULTS,
    x: { ...scale(latency, formatDuration), label: "p50 latency per image →", grid: true },
    y: { ...scale(cost, usdTick), label: "↑ USD per 1,000 images", grid: true },
    caption: free.length
      ? `Free (not on the log scale): ${
        free.map((row) => seriesLabel(row, { variant: true })).join(", ")
      }`
      : undefined,
    ...plotOptions,
  };
  const position = { x: latency, y: cost };
  const link = { title: "tip", href: "href" };
  const dotMarks = [
    Plot.line(frontier, { ...position, stroke: "#d62728", strokeDasharray: "4,3" }),
    Plot.dot(points, { ...position, fill: "group", symbol: "group", r: 6, ...link }),
  ];
  const fastest = extreme(points, (point) => point[latency] as number)!;
  const cheapest = extreme(points, (point) => point[cost] as number)!;
  const chart = plotWithFrontierLabels({ ...base, marks: dotMarks }, {
    ...position,
    frontier,
    points,
    gap: 9,
    over: marks,
  });
  return describeChart(
    chart,
    `Each dot is a platform · model · size at its p50 latency per image and cost per 1,000 ` +
      `images; ${frontier.length} of ${points.length} are on the frontier (nothing is both ` +
      `cheaper and faster). The fastest is ${fastest.name}, ${
        formatDuration(fastest[latency] as number)
      }; the cheapest ${cheapest.name}, ${formatUsd(cheapest[cost] as number)} per 1,000.`,
  );
}
