/**
 * Cost per 1,000 images per platform (real-time filled, batch API hollow), log scale.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { HtmlFragment } from "../../util/html.ts";
import { isNumber, seriesLabel, type SummaryData, summaryRows } from "./data.ts";
import { emptyChart, renderPlot } from "./svg.ts";

const DEFAULTS = {
  width: 720,
  marginLeft: 200,
  marginRight: 80,
  x: { type: "log", label: "USD per 1,000 images →", grid: true },
  y: { label: null },
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
 * showChart(costChart(summarize(frame, { by: ["platform", "model"] })));
 * ```
 */
export function costChart(data: SummaryData, options: CostChartOptions = {}): HtmlFragment {
  const all = summaryRows(data);
  const { byVariant = all.some((row) => "variant" in row), marks = [], ...plotOptions } = options;
  const rows = all.filter((row) => isNumber(row.costPer1k) && row.costPer1k > 0)
    .map((row) => ({ ...row, series: seriesLabel(row, { variant: byVariant }) }));
  const free = all.filter((row) => row.costPer1k === 0).map((row) =>
    seriesLabel(row, { variant: byVariant })
  );
  if (rows.length === 0) {
    return emptyChart(free.length ? `free: ${free.join(", ")}` : "no data: no costs");
  }
  const floor = Math.min(...rows.map((row) => row.costPer1k as number)) / 2;
  const batch = rows.filter((row) => isNumber(row.batchCostPer1k) && row.batchCostPer1k > 0);
  return renderPlot({
    ...DEFAULTS,
    height: 60 + 28 * rows.length,
    caption: free.length ? `Free (not on the log scale): ${free.join(", ")}` : undefined,
    ...plotOptions,
    marks: [
      Plot.ruleY(rows, { y: "series", x1: floor, x2: "costPer1k", strokeOpacity: 0.4 }),
      Plot.dot(rows, { x: "costPer1k", y: "series", fill: "currentColor", r: 4 }),
      Plot.dot(batch, { x: "batchCostPer1k", y: "series", stroke: "currentColor", r: 4 }),
      Plot.text(rows, {
        x: "costPer1k",
        y: "series",
        text: (row: { costPer1k: number }) => `$${formatUsd(row.costPer1k)}`,
        dx: 8,
        textAnchor: "start",
      }),
      ...marks,
    ],
  });
}

/** Dollars with enough digits to tell cheap platforms apart. */
export function formatUsd(value: number): string {
  if (value === 0) return "0";
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toPrecision(2);
}
