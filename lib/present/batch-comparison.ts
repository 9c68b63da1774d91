/**
 * Live against batch, per platform · model: $/1k images as the live rows projected it (their
 * `batchCostUsd`) against what the batch rows actually cost, the batch turnaround distribution
 * (one dot per batch on a log axis, and p50 / p90 / max in the table), and the share of cases
 * that failed in each mode. Shown when a run has batch rows; numbers from emulators must be
 * labelled simulated by the caller.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { ResultRecord } from "../contract/record.ts";
import type { LabelSet } from "../quality/labels.ts";
import { qualitySummary } from "../quality/quality-frame.ts";
import { formatDuration, formatScore, formatShare, formatUsd, orDash } from "../util/format.ts";
import { type HtmlFragment, safeHtml } from "../util/html.ts";
import { renderPlot } from "./charts/svg.ts";

/** One platform · model. Costs are USD per 1,000 images; `undefined` when no row gives one. */
export interface BatchComparisonRow {
  series: string;
  liveCases: number;
  batchCases: number;
  /** Mean `costUsd` of ok live rows × 1000. */
  livePer1k?: number;
  /** Mean `batchCostUsd` of ok live rows × 1000: what the live run projected for batch. */
  projectedBatchPer1k?: number;
  /** Mean `costUsd` of ok batch rows × 1000: what batch mode cost. */
  actualBatchPer1k?: number;
  turnaroundP50Ms?: number;
  turnaroundP90Ms?: number;
  turnaroundMaxMs?: number;
  /** Error rows ÷ rows, per mode. */
  liveFailedShare?: number;
  batchFailedShare?: number;
  /** Mean quality score (0–10) per mode, when labels were given and rows could be scored. */
  liveMeanScore?: number;
  batchMeanScore?: number;
}

/** Options of {@link batchComparisonRows}. */
export interface BatchComparisonRowsOptions {
  /** Reference labels: adds the mean quality score of each mode (same prompt, same images). */
  labels?: LabelSet;
}

const seriesOf = (record: ResultRecord) => `${record.preset} · ${record.model}`;

function mean(values: number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * The comparison rows of every platform · model that has batch rows.
 *
 * @example
 * ```ts
 * import { readRuns } from "../run/run-store.ts";
 * batchComparisonRows((await readRuns("results")).records);
 * ```
 */
export function batchComparisonRows(
  records: ResultRecord[],
  options: BatchComparisonRowsOptions = {},
): BatchComparisonRow[] {
  const scores = meanScores(records, options.labels);
  const batchSeries = new Set(
    records.filter((record) => record.mode === "batch").map(seriesOf),
  );
  return [...batchSeries].sort().map((series) => {
    const mine = records.filter((record) => seriesOf(record) === series);
    const live = mine.filter((record) => record.mode !== "batch");
    const batch = mine.filter((record) => record.mode === "batch");
    const costs = (rows: ResultRecord[], field: "costUsd" | "batchCostUsd") =>
      rows.filter((row) => row.status === "ok" && typeof row[field] === "number")
        .map((row) => row[field]! * 1000);
    // One turnaround per batch: every row of a batch waited the same time.
    const turnarounds = [
      ...new Map(
        batch.filter((row) => row.turnaroundMs !== undefined)
          .map((row) => [row.batchId, row.turnaroundMs!]),
      ).values(),
    ].sort((a, b) => a - b);
    const failed = (rows: ResultRecord[]) =>
      rows.length === 0
        ? undefined
        : rows.filter((row) => row.status === "error").length / rows.length;
    return {
      series,
      liveCases: live.length,
      batchCases: batch.length,
      livePer1k: mean(costs(live, "costUsd")),
      projectedBatchPer1k: mean(costs(live, "batchCostUsd")),
      actualBatchPer1k: mean(costs(batch, "costUsd")),
      turnaroundP50Ms: quantile(turnarounds, 0.5),
      turnaroundP90Ms: quantile(turnarounds, 0.9),
      turnaroundMaxMs: turnarounds.at(-1),
      liveFailedShare: failed(live),
      batchFailedShare: failed(batch),
      liveMeanScore: scores.get(`${series}\u0000live`),
      batchMeanScore: scores.get(`${series}\u0000batch`),
    };
  });
}

/** Mean score per `preset · model` and mode. */
function meanScores(records: ResultRecord[], labels?: LabelSet): Map<string, number> {
  const scores = new Map<string, number>();
  if (!labels || records.length === 0) return scores;
  const rows = qualitySummary(records, { labels, by: ["preset", "model", "mode"] }).toRecords();
  for (const row of rows) {
    if (typeof row.meanScore === "number") {
      scores.set(`${row.preset} · ${row.model}\u0000${row.mode}`, row.meanScore);
    }
  }
  return scores;
}

/** Options of {@link batchComparison}. */
export interface BatchComparisonOptions extends BatchComparisonRowsOptions {
  /** The rows came from emulators: say so above the table. @default false */
  simulated?: boolean;
}

const usd = orDash(formatUsd);
const score = orDash(formatScore);
const share = orDash(formatShare);
const duration = orDash(formatDuration);

/**
 * The live-against-batch section: a table, then the turnaround of every batch as a dot.
 *
 * @example
 * ```ts
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const liveRecords: ResultRecord[];
 * declare const batchRecords: ResultRecord[];
 * batchComparison([...liveRecords, ...batchRecords]);
 * ```
 */
export function batchComparison(
  records: ResultRecord[],
  options: BatchComparisonOptions = {},
): HtmlFragment {
  const rows = batchComparisonRows(records, options);
  if (rows.length === 0) {
    return safeHtml`<p class="visionbench-batch">No batch rows in these records.</p>`;
  }
  const header = [
    "platform · model",
    "live cases",
    "batch cases",
    "live $/1k",
    "batch $/1k projected",
    "batch $/1k actual",
    "turnaround p50",
    "p90",
    "max",
    "failed live",
    "failed batch",
    ...(options.labels ? ["quality /10 live", "quality /10 batch"] : []),
  ];
  const body = rows.map((row) =>
    safeHtml`<tr><th scope="row">${row.series}</th>${
      [
        row.liveCases,
        row.batchCases,
        usd(row.livePer1k),
        usd(row.projectedBatchPer1k),
        usd(row.actualBatchPer1k),
        duration(row.turnaroundP50Ms),
        duration(row.turnaroundP90Ms),
        duration(row.turnaroundMaxMs),
        share(row.liveFailedShare),
        share(row.batchFailedShare),
        ...(options.labels ? [score(row.liveMeanScore), score(row.batchMeanScore)] : []),
      ].map((cell) => safeHtml`<td>${cell}</td>`)
    }</tr>`
  );
  const label = options.simulated && safeHtml`${[
    safeHtml`<p class="visionbench-simulated"><strong>Simulated:</strong> these rows came from `,
    safeHtml`local emulators; turnaround and costs show the mechanics, not the platforms' real `,
    safeHtml`figures.</p>`,
  ]}`;
  const dots = records.filter((record) =>
    record.mode === "batch" && record.turnaroundMs !== undefined
  )
    .filter((record, index, all) =>
      all.findIndex((other) => other.batchId === record.batchId) === index
    )
    .map((record) => ({
      series: seriesOf(record),
      turnaround: Math.max(1, record.turnaroundMs!),
      batchId: record.batchId,
    }));
  const chart = dots.length > 0 && renderPlot({
    width: 720,
    marginLeft: 220,
    height: 60 + 36 * new Set(dots.map((dot) => dot.series)).size,
    x: { type: "log", label: "batch turnaround (ms, submitted → ended) →", grid: true },
    y: { label: null },
    marks: [
      Plot.dot(dots, {
        x: "turnaround",
        y: "series",
        r: 4,
        title: (dot: { batchId?: string; turnaround: number }) =>
          `${dot.batchId}: ${formatDuration(dot.turnaround)}`,
      }),
    ],
  });
  const headerCells = header.map((title) => safeHtml`<th scope="col">${title}</th>`);
  return safeHtml`${[
    safeHtml`<section class="visionbench-batch"><h3>Live against batch</h3>${label}`,
    safeHtml`<table><thead><tr>${headerCells}</tr></thead><tbody>${body}</tbody></table>`,
    safeHtml`${chart}</section>`,
  ]}`;
}
