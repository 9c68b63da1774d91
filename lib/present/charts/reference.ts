/**
 * Measured against published reference figures (data/reference-figures.json): seconds per image
 * or USD per 1,000 images, per preset.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { formatSeconds } from "../../util/format.ts";
import type { HtmlFragment } from "../../util/html.ts";
import { isNumber, type SummaryData, summaryRows } from "./data.ts";
import { emptyChart, renderPlot } from "./svg.ts";
import { describeChart } from "./text-view.ts";
import { labelMargin, logDomain, logTicks, ROW_CHART, usdTick, X_AXIS_ROOM } from "./readable.ts";

/** The fields of a published figure this chart reads (see lib/reference.ts). */
export interface ReferenceFigureLike {
  preset: string;
  model?: string;
  label?: string;
  avgSeconds?: number | null;
  fastestSeconds?: number | null;
  usdPer1000?: number | null;
}

const DEFAULTS = {
  ...ROW_CHART,
} satisfies Plot.PlotOptions;

/** Options of {@link referenceChart}; any other Plot option is passed through. */
export interface ReferenceChartOptions extends Plot.PlotOptions {
  /** Published figures, e.g. `await loadReferenceFigures()`. @default [] */
  reference?: readonly ReferenceFigureLike[];
  /** @default "seconds" */
  metric?: "seconds" | "usdPer1000";
}

/**
 * Expects a summary with a `preset` (or `platform`) column. Only presets with both a measured
 * and a published value are drawn.
 *
 * @example
 * ```ts
 * import type pl from "nodejs-polars";
 * import { loadReferenceFigures } from "../../analysis/reference-figures.ts";
 * import { showChart } from "../display.ts";
 * import { summarize } from "../../analysis/summary.ts";
 * declare const frame: pl.DataFrame;
 * showChart(referenceChart(summarize(frame, { by: ["preset"] }), { reference: await loadReferenceFigures() }));
 * ```
 */
export function referenceChart(
  data: SummaryData,
  options: ReferenceChartOptions = {},
): HtmlFragment {
  const { reference = [], metric = "seconds", marks = [], ...plotOptions } = options;
  // Latency is compared as a p50; cost per 1,000 is a mean over the calls.
  const measuredLabel = metric === "seconds" ? "measured p50" : "measured mean";
  const measured = new Map<string, number>();
  for (const row of summaryRows(data)) {
    const preset = String(row.preset ?? row.platform ?? "");
    const value = metric === "seconds"
      ? (isNumber(row.p50LatencyMs) ? row.p50LatencyMs / 1000 : undefined)
      : (isNumber(row.costPer1k) ? row.costPer1k : undefined);
    if (preset && value !== undefined) measured.set(preset, value);
  }
  const points = reference.filter((figure) => measured.has(figure.preset)).flatMap((figure) => {
    // The preset id, not the study's long model description: it fits the margin and matches runs.
    const series = figure.label ?? figure.preset;
    const published = metric === "seconds"
      ? [["published average", figure.avgSeconds], [
        "published fastest",
        figure.fastestSeconds,
      ]] as const
      : [["published average", figure.usdPer1000]] as const;
    return [
      { series, source: measuredLabel, value: measured.get(figure.preset)! },
      ...published.filter(([, value]) => isNumber(value)).map(([source, value]) => ({
        series,
        source,
        value: value!,
      })),
    ];
  }).filter((point, _, all) =>
    all.some((other) => other.series === point.series && other.source !== measuredLabel)
  );
  if (points.length === 0) {
    return emptyChart("no data: no preset has both a measurement and a published figure");
  }
  const domain = logDomain(points.map((point) => point.value));
  const format = metric === "seconds"
    ? (value: number) => `${formatSeconds(value * 1000)} s`
    : usdTick;
  const sources = [measuredLabel, "published average", "published fastest"];
  const withTips = points.map((point) => ({
    ...point,
    tip: `${point.series}\n${point.source}: ${format(point.value)}`,
  }));
  const measuredPoints = points.filter((point) => point.source === measuredLabel);
  const averages = new Map(
    points.filter((point) => point.source === "published average")
      .map((point) => [point.series, point.value]),
  );
  const atOrBelow =
    measuredPoints.filter((point) =>
      averages.has(point.series) && point.value <= averages.get(point.series)!
    ).length;
  const summary = `Each row is a preset: the ${measuredLabel} here beside the study's published ` +
    `figures. ${atOrBelow} of ${measuredPoints.length} measured at or below the published average.`;
  const chart = renderPlot({
    ...DEFAULTS,
    marginLeft: labelMargin(points.map((point) => point.series)),
    // One legend, of symbols in their colours: it matches the marks exactly.
    color: { domain: sources },
    symbol: { legend: true, domain: sources },
    height: 70 + 36 * new Set(points.map((point) => point.series)).size,
    x: {
      type: "log",
      domain,
      ticks: logTicks(...domain),
      tickFormat: format,
      labelOffset: X_AXIS_ROOM.labelOffset,
      grid: true,
      label: metric === "seconds" ? "seconds per image →" : "USD per 1,000 images →",
    },
    ...plotOptions,
    marks: [
      Plot.ruleY(
        points,
        Plot.groupY({ x1: "min", x2: "max" }, { y: "series", x: "value", strokeOpacity: 0.3 }),
      ),
      Plot.dot(withTips, {
        x: "value",
        y: "series",
        fill: "source",
        symbol: "source",
        r: 5,
        title: "tip",
      }),
      ...marks,
    ],
  });
  return describeChart(chart, summary);
}
