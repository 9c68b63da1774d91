/**
 * The demo beside the study: per preset and image size, the p50 seconds per image and $ per
 * 1,000 at today's prices of a results folder, against the study's published average seconds and
 * $ per 1,000 (data/reference-figures.json), with the difference in percent. The numbers
 * docs/report.md quotes come from this command:
 *
 *   deno task report --emulated
 *   deno run --allow-all scripts/study-comparison.ts results/emulated
 *
 * @module
 */
import { compareReport } from "../lib/app/compare-report.ts";

const out = Deno.args[0] ?? "results/emulated";
const report = await compareReport({ out, draws: 1 });
const figures = new Map(report.published.figures.map((figure) => [figure.preset, figure]));
const percent = (value: number | null | undefined, study: number | null | undefined) =>
  value == null || study == null
    ? ""
    : `${value >= study ? "+" : ""}${Math.round((value / study - 1) * 100)} %`;
const lines = [
  "| preset | size | p50 s | study avg s | Δ | $/1k today | study $/1k | Δ |",
  "|---|---|---|---|---|---|---|---|",
];
const rows = report.rows.filter((row) => figures.has(row.preset))
  .sort((a, b) => a.preset.localeCompare(b.preset) || a.variant.localeCompare(b.variant));
for (const row of rows) {
  const figure = figures.get(row.preset)!;
  const seconds = row.p50LatencyMs === null ? null : row.p50LatencyMs / 1000;
  const cost = row.costPer1kToday;
  lines.push(
    `| ${row.preset} | ${row.variant} | ${seconds?.toFixed(2) ?? "—"} | ${figure.avgSeconds} | ${
      percent(seconds, figure.avgSeconds)
    } | ${cost === null ? "—" : cost.toFixed(3)} | ${figure.usdPer1000 ?? "—"} | ${
      percent(cost, figure.usdPer1000)
    } |`,
  );
}
console.log(lines.join("\n"));
