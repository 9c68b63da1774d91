/**
 * Original against resized: per platform · model, a dot per variant joined by a line.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { formatCount, formatDuration } from "../../util/format.ts";
import type { HtmlFragment } from "../../util/html.ts";
import { isNumber, seriesLabel, type SummaryData, summaryRows } from "./data.ts";
import { emptyChart, renderPlot } from "./svg.ts";
import { describeChart } from "./text-view.ts";
import { labelMargin, ROW_CHART, scaleFor, usdTick } from "./readable.ts";

const FORMATS: Record<string, (value: number) => string> = {
  p50LatencyMs: formatDuration,
  costPer1k: usdTick,
  meanInputTokens: formatCount,
};

const LABELS: Record<string, string> = {
  p50LatencyMs: "p50 latency per image →",
  meanInputTokens: "input tokens per call →",
  costPer1k: "USD per 1,000 images →",
};

const DEFAULTS = {
  ...ROW_CHART,
} satisfies Plot.PlotOptions;

/** Options of {@link resizeChart}; any other Plot option is passed through. */
export interface ResizeChartOptions extends Plot.PlotOptions {
  /** Summary column compared. @default "p50LatencyMs" */
  metric?: string;
  /** @default "original" */
  base?: string;
  /** @default "512" */
  compare?: string;
}

/**
 * Expects a summary grouped by variant (the default {@link summarize} grouping).
 *
 * @example
 * ```ts
 * import type pl from "nodejs-polars";
 * import { showChart } from "../display.ts";
 * import { summarize } from "../../analysis/summary.ts";
 * declare const frame: pl.DataFrame;
 * showChart(resizeChart(summarize(frame), { metric: "costPer1k" }));
 * ```
 */
export function resizeChart(data: SummaryData, options: ResizeChartOptions = {}): HtmlFragment {
  const {
    metric = "p50LatencyMs",
    base = "original",
    compare = "512",
    marks = [],
    ...plotOptions
  } = options;
  const rows = summaryRows(data)
    .filter((row) => (row.variant === base || row.variant === compare) && isNumber(row[metric]))
    .map((row) => ({
      series: seriesLabel(row),
      variant: String(row.variant),
      value: row[metric] as number,
      tip: `${seriesLabel(row)}\n${
        row.variant === "original" ? "original" : `${row.variant} px`
      }: ${(FORMATS[metric] ?? String)(row[metric] as number)}\nn: ${row.n ?? "—"}`,
    }));
  if (rows.length === 0) return emptyChart(`no data: no ${metric} for ${base} or ${compare}`);
  const bySeries = Map.groupBy(rows, (row) => row.series);
  const pairs = [...bySeries].flatMap(([series, group]) => {
    const from = group.find((row) => row.variant === base);
    const to = group.find((row) => row.variant === compare);
    return from && to ? [{ series, from: from.value, to: to.value }] : [];
  });
  const measure = (LABELS[metric] ?? metric).replace(/ →$/, "");
  const summary = `Each row is a platform · model: its ${measure} with the ${base} image and at ` +
    `${compare} px, joined by a line. ${
      pairs.length
        ? `${compare} px is lower for ${
          pairs.filter((pair) => pair.to < pair.from).length
        } of ${pairs.length}.`
        : `No platform · model has both sizes.`
    }`;
  const chart = renderPlot({
    ...DEFAULTS,
    height: 70 + 36 * bySeries.size,
    marginLeft: labelMargin(bySeries.keys()),
    x: {
      ...scaleFor(rows.map((row) => row.value), FORMATS[metric] ?? String),
      label: LABELS[metric] ?? `${metric} →`,
      grid: true,
    },
    color: { type: "ordinal", domain: [base, compare] },
    symbol: {
      legend: true,
      type: "ordinal",
      domain: [base, compare],
      range: ["circle", "diamond"],
    },
    ...plotOptions,
    marks: [
      // A link rather than an arrow: an arrow shorter than its inset vanishes; colour gives direction.
      Plot.link(pairs, {
        x1: "from",
        x2: "to",
        y1: "series",
        y2: "series",
        stroke: "#888",
        strokeWidth: 2,
      }),
      Plot.dot(rows, {
        x: "value",
        y: "series",
        fill: "variant",
        symbol: "variant",
        r: 5,
        title: "tip",
      }),
      ...marks,
    ],
  });
  return describeChart(chart, summary);
}
