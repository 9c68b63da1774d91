/**
 * Everything the comparison report shows, computed once from the runs in a results folder: the
 * leaderboard rows (summary + quality + today's price), the decision and how robust it is, the
 * study's own pick on its published figures, the runs read and where they were merged, the price
 * cards beside today's, the prompt and the machine. The notebook only displays it.
 *
 * @example
 * ```ts
 * const report = await compareReport({ out: "results", minQuality: 6, maxP50Ms: 5000 });
 * report.decision.pick?.label;
 * ```
 *
 * @module
 */
import pl from "nodejs-polars";
import { recordsToFrame } from "../analysis/frames.ts";
import { summarize } from "../analysis/summary.ts";
import { pareto } from "../analysis/compare.ts";
import {
  decide,
  type Decision,
  DEFAULT_MAX_P50_MS,
  DEFAULT_MIN_QUALITY,
} from "../analysis/decision.ts";
import { bootstrapPick, type BootstrapResult, type CallSample } from "../analysis/robustness.ts";
import {
  loadReferenceFigures,
  type PublishedOption,
  publishedOptions,
  type ReferenceFigure,
} from "../analysis/reference-figures.ts";
import { mergeWarnings, runProvenance, type RunRead } from "../analysis/provenance.ts";
import { joinQuality, qualitySummary, withQuality } from "../quality/quality-frame.ts";
import { loadLabels } from "../quality/labels.ts";
import { DEFAULT_PRICES_PATH, loadPriceCards } from "../price/cost.ts";
import { type PriceCardChange, priceCardChanges, repriceRecord } from "../price/reprice.ts";
import type { ResultRecord } from "../contract/record.ts";
import type { LeaderboardRow } from "../present/leaderboard.ts";
import { readRuns } from "../run/run-store.ts";

/** Presets left out of the pick: `local` describes pixels, not content. */
export const BASELINE_PRESETS = ["local"];

/**
 * One leaderboard row: a platform · model · size with its numbers (the fields the leaderboard
 * table shows, plus the preset it ran as).
 */
export interface LeaderRow extends LeaderboardRow {
  preset: string;
}

/** Options of {@link compareReport}. */
export interface CompareReportOptions {
  /** Results folder to read every run from. */
  out: string;
  /** @default 6 */
  minQuality?: number;
  /** @default 5000 */
  maxP50Ms?: number;
  /** Today's prices. @default data/prices.json */
  pricesPath?: string | URL;
  /** Only runs whose id passes. @default every run */
  runFilter?: (runId: string) => boolean;
  /** @default 1000 */
  draws?: number;
}

/** What {@link compareReport} computed. */
export interface CompareReport {
  records: ResultRecord[];
  /** Unreadable lines while reading the runs. */
  problems: number;
  rows: LeaderRow[];
  /** The pick among measured (or simulated) rows; no baseline. */
  decision: Decision<LeaderRow>;
  /** How often the pick wins when the images are redrawn; undefined without measured rows. */
  robustness?: BootstrapResult;
  /** The study's published figures and the pick they give under the same rule. */
  published: { figures: ReferenceFigure[]; options: PublishedOption[]; decision: Decision };
  runs: RunRead[];
  warnings: string[];
  priceCards: PriceCardChange[];
  /** Any simulated record is shown. */
  simulated: boolean;
  prompts: string[];
  maxOutputTokens: number[];
  images: number;
  machine: string;
}

/**
 * Reads every run in `out` and computes what the comparison report shows.
 *
 * @example
 * ```ts
 * const { decision, robustness } = await compareReport({ out: "results" });
 * console.log(decision, robustness);
 * ```
 */
export async function compareReport(options: CompareReportOptions): Promise<CompareReport> {
  const { minQuality = DEFAULT_MIN_QUALITY, maxP50Ms = DEFAULT_MAX_P50_MS } = options;
  const read = await readRuns(options.out);
  const records = options.runFilter
    ? read.records.filter((record) => options.runFilter!(record.runId))
    : read.records;
  const labels = await loadLabels();
  const cards = await loadPriceCards(options.pricesPath ?? DEFAULT_PRICES_PATH);
  const by = ["preset", "platform", "model", "variant"];
  // Batch rows cost half and have a turnaround, not a latency: the leaderboard and the pick are
  // about live calls; batch rows have their own live-against-batch section.
  const live = records.filter((record) => record.mode !== "batch");
  const batchRows = records.length - live.length;
  const today = live.map((record) => repriceRecord(record, cards).costUsd ?? null);
  const frame = withQuality(
    recordsToFrame(live).withColumn(pl.Series("costUsdToday", today, pl.Float64)),
    labels,
  );
  const summary = frame.height === 0 ? [] : pareto(
    joinQuality(
      summarize(frame, { by }).join(
        frame.filter(pl.col("ok")).groupBy(by).agg(
          pl.col("costUsdToday").mean().mul(1000).alias("costPer1kToday"),
          pl.col("simulated").any().alias("simulated"),
        ),
        { on: by, how: "left" },
      ),
      qualitySummary(frame, { by }),
      { by },
    ),
    { extra: "meanScore" },
  ).toRecords();
  const rows: LeaderRow[] = summary.map((row) => ({
    preset: String(row.preset),
    platform: String(row.platform),
    model: String(row.model),
    variant: String(row.variant),
    n: row.n as number,
    errors: row.errors as number,
    p50LatencyMs: row.p50LatencyMs as number | null,
    p90LatencyMs: row.p90LatencyMs as number | null,
    costPer1k: row.costPer1k as number | null,
    costPerSuccess1k: row.costPerSuccess1k as number | null,
    costPer1kToday: row.costPer1kToday as number | null,
    meanScore: row.meanScore as number | null,
    meanRecall: row.meanRecall as number | null,
    hallucinationRate: row.hallucinationRate as number | null,
    onFrontier: row.onFrontier === true,
    simulated: row.simulated === true ||
      live.some((record) =>
        record.simulated && record.platform === row.platform && record.model === row.model
      ),
    baseline: BASELINE_PRESETS.includes(String(row.preset)),
  }));
  // The pick weighs today's prices: that is what choosing now costs.
  const candidates = rows.filter((row) => !row.baseline).map((row) => ({
    ...row,
    costPer1k: row.costPer1kToday ?? row.costPer1k,
  }));
  const decision = decide(candidates, { minQuality, maxP50Ms });
  const scores = frame.getColumn("score").toArray() as (number | null)[];
  const samples: CallSample[] = live.flatMap((record, index) =>
    BASELINE_PRESETS.includes(record.preset) ? [] : [{
      platform: record.platform,
      model: record.model,
      variant: record.variant,
      imageId: record.imageId,
      latencyMs: record.status === "ok" && !record.cached ? record.latencyMs ?? null : null,
      costUsd: record.status === "ok" ? today[index] ?? record.costUsd ?? null : null,
      score: scores[index] ?? null,
    }]
  );
  const robustness = decision.pick
    ? bootstrapPick(samples, { minQuality, maxP50Ms, draws: options.draws })
    : undefined;
  const figures = await loadReferenceFigures();
  const publishedRows = publishedOptions(figures);
  return {
    records,
    problems: read.problems.length,
    rows,
    decision,
    robustness,
    published: {
      figures,
      options: publishedRows,
      // The study's own rule: its floor, its published seconds, the same budget.
      decision: decide(publishedRows, { minQuality, maxP50Ms: DEFAULT_MAX_P50_MS }),
    },
    runs: runProvenance(records),
    warnings: [
      ...mergeWarnings(live),
      ...(batchRows > 0
        ? [
          `${batchRows} batch-mode rows are left out of the leaderboard and the pick (they cost ` +
          `half and have no per-call latency): see the live-against-batch section`,
        ]
        : []),
    ],
    priceCards: priceCardChanges(records, cards),
    simulated: records.some((record) => record.simulated === true),
    prompts: [...new Set(records.map((record) => record.prompt))],
    maxOutputTokens: [
      ...new Set(records.flatMap((record) => record.maxOutputTokens ?? [])),
    ].sort((a, b) => a - b),
    images: new Set(records.map((record) => record.imageId)).size,
    machine:
      `${Deno.build.os} ${Deno.build.arch}, ${navigator.hardwareConcurrency} CPU threads, Deno ${Deno.version.deno}`,
  };
}
