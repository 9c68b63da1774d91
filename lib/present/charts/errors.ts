/**
 * Errors per platform, stacked by kind.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { HtmlFragment } from "../../util/html.ts";
import { type CallData, callRows, seriesLabel } from "./data.ts";
import { emptyChart, renderPlot } from "./svg.ts";
import { describeChart } from "./text-view.ts";
import { labelMargin, ROW_CHART, X_AXIS_ROOM } from "./readable.ts";

const DEFAULTS = {
  ...ROW_CHART,
  x: { label: "errors →", grid: true, labelOffset: X_AXIS_ROOM.labelOffset },
  color: { legend: true, scheme: "tableau10" },
} satisfies Plot.PlotOptions;

/**
 * One bar per platform · model, a segment per error kind. Says so when nothing failed.
 *
 * @example
 * ```ts
 * import type { ResultRecord } from "../../contract/record.ts";
 * import { showChart } from "../display.ts";
 * declare const records: ResultRecord[];
 * showChart(errorsChart(records));
 * ```
 */
export function errorsChart(data: CallData, options: Plot.PlotOptions = {}): HtmlFragment {
  const { marks = [], ...plotOptions } = options;
  const calls = callRows(data);
  const rows = calls.filter((row) => !row.ok)
    .map((row) => ({ series: seriesLabel(row), kind: row.errorKind ?? "unknown" }));
  if (rows.length === 0) {
    return emptyChart(calls.length ? `no errors in ${calls.length} calls` : "no data");
  }
  const kinds = [...Map.groupBy(rows, (row) => row.kind)]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([kind, group]) => `${kind} ${group.length}`);
  const summary = `Errors per platform · model, by kind: ${rows.length} of ${calls.length} ` +
    `calls failed (${kinds.join(", ")}).`;
  const chart = renderPlot({
    ...DEFAULTS,
    marginLeft: labelMargin(rows.map((row) => row.series)),
    height: 70 + 32 * new Set(rows.map((row) => row.series)).size,
    ...plotOptions,
    marks: [
      Plot.barX(
        rows,
        Plot.groupY({
          x: "count",
          title: (group: { series: string; kind: string }[]) =>
            `${group[0].series}\n${group[0].kind}: ${group.length} error${
              group.length === 1 ? "" : "s"
            }`,
        }, {
          y: "series",
          fill: "kind",
          z: "kind",
          inset: 0.5,
        }),
      ),
      Plot.ruleX([0]),
      ...marks,
    ],
  });
  return describeChart(chart, summary);
}
