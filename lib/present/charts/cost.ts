/**
 * Cost per 1,000 images per platform (real-time filled, batch API hollow), log scale. Given the
 * leaderboard's rows (`compareReport().rows`), it draws exactly the leaderboard's numbers: one
 * row per image size, at today's prices (`costPer1kToday`, `batchCostPer1kToday`).
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { HtmlFragment } from "../../util/html.ts";
import { isNumber, seriesLabel, type SummaryData, summaryRows } from "./data.ts";
import { emptyChart, renderPlot } from "./svg.ts";
import { describeChart, extreme } from "./text-view.ts";
import { labelMargin, logDomain, logTicks, ROW_CHART, usdTick, X_AXIS_ROOM } from "./readable.ts";

const DEFAULTS = {
  ...ROW_CHART,
  marginRight: 90,
} satisfies Plot.PlotOptions;

/** Options of {@link costChart}; any other Plot option is passed through. */
export interface CostChartOptions extends Plot.PlotOptions {
  /** Name rows with their variant too. @default true when the summary has a `variant` column */
  byVariant?: boolean;
}

/**
 * A lollipop per summary row: cost per 1,000 images (filled dot) and through the batch API
 * (hollow dot). Free rows cannot sit on a log scale; they are named in the caption instead.
 *
 * @example
 * ```ts
 * import type pl from "nodejs-polars";
 * import { showChart } from "../display.ts";
 * import { summarize } from "../../analysis/summary.ts";
 * declare const frame: pl.DataFrame;
 * showChart(costChart(summarize(frame, { by: ["platform", "model"] })));
 * // Equal to the leaderboard, per size and at today's prices:
 * // showChart(costChart((await compareReport({ out: "results" })).rows));
 * ```
 */
export function costChart(data: SummaryData, options: CostChartOptions = {}): HtmlFragment {
  // Today's prices when the rows carry them (the leaderboard's rows), else as recorded.
  const all = summaryRows(data).map((row) => ({
    ...row,
    costPer1k: "costPer1kToday" in row ? row.costPer1kToday : row.costPer1k,
    batchCostPer1k: "batchCostPer1kToday" in row ? row.batchCostPer1kToday : row.batchCostPer1k,
  }));
  const { byVariant = all.some((row) => "variant" in row), marks = [], ...plotOptions } = options;
  // The axis names a model by its last path part ("llama-3.2-11b-vision-instruct", not
  // "@cf/meta/…"): with the size, full names outgrow the margin; the tooltip keeps them whole.
  const rows = all.filter((row) => isNumber(row.costPer1k) && row.costPer1k > 0)
    .map((row) => ({
      ...row,
      series: seriesLabel(row, { variant: byVariant }),
      axis: seriesLabel({
        ...row,
        model: String((row as { model?: unknown }).model ?? "").split("/").pop(),
      }, {
        variant: byVariant,
      }),
    }));
  const free = all.filter((row) => row.costPer1k === 0).map((row) =>
    seriesLabel(row, { variant: byVariant })
  );
  if (rows.length === 0) {
    return emptyChart(free.length ? `free: ${free.join(", ")}` : "no data: no costs");
  }
  const batch = rows.filter((row) => isNumber(row.batchCostPer1k) && row.batchCostPer1k > 0);
  const domain = logDomain([
    ...rows.map((row) => row.costPer1k as number),
    ...batch.map((row) => row.batchCostPer1k as number),
  ]);
  const floor = domain[0];
  const tip = (row: Record<string, unknown>) =>
    `${row.series}\nreal-time: ${usdTick(row.costPer1k as number)} per 1,000 images${
      isNumber(row.batchCostPer1k) ? `\nbatch API: ${usdTick(row.batchCostPer1k)}` : ""
    }\nn: ${row.n ?? "—"}`;
  const cheapest = extreme(rows, (row) => row.costPer1k as number)!;
  const dearest = extreme(rows, (row) => row.costPer1k as number, { largest: true })!;
  const summary = `Each row is a platform · model at its cost per 1,000 images in real time ` +
    `(and with the batch API where it has one). The cheapest is ${cheapest.series}, ${
      usdTick(cheapest.costPer1k as number)
    }; the dearest ${dearest.series}, ${usdTick(dearest.costPer1k as number)}.`;
  const chart = renderPlot({
    ...DEFAULTS,
    marginLeft: labelMargin(rows.map((row) => row.axis)),
    x: {
      type: "log",
      domain,
      ticks: logTicks(...domain),
      tickFormat: usdTick,
      labelOffset: X_AXIS_ROOM.labelOffset,
      label: "USD per 1,000 images (● real time, ○ batch API) →",
      grid: true,
    },
    height: 70 + 28 * rows.length,
    caption: free.length ? `Free (not on the log scale): ${free.join(", ")}` : undefined,
    ...plotOptions,
    marks: [
      Plot.ruleY(rows, { y: "axis", x1: floor, x2: "costPer1k", strokeOpacity: 0.4, title: tip }),
      Plot.dot(rows, { x: "costPer1k", y: "axis", fill: "currentColor", r: 4, title: tip }),
      Plot.dot(batch, {
        x: "batchCostPer1k",
        y: "axis",
        stroke: "currentColor",
        fill: "white",
        r: 4,
        title: tip,
      }),
      Plot.text(rows, {
        x: "costPer1k",
        y: "axis",
        text: (row: { costPer1k: number }) => usdTick(row.costPer1k),
        dx: 8,
        textAnchor: "start",
      }),
      ...marks,
    ],
  });
  return describeChart(chart, summary);
}
