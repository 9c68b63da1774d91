/**
 * The record path of `compareReport` as it was before it read columns (readRuns → one JS object
 * per record → recordsToFrame → scoreDescription per record): kept only as the oracle the
 * columnar report is checked against (tests/app/compare-report-columnar_test.ts).
 *
 * @module
 */
import pl from "nodejs-polars";
import { recordsToFrame } from "../../lib/analysis/frames.ts";
import { summarize } from "../../lib/analysis/summary.ts";
import { pareto } from "../../lib/analysis/compare.ts";
import {
  decide,
  type Decision,
  DEFAULT_MAX_P50_MS,
  DEFAULT_MIN_QUALITY,
} from "../../lib/analysis/decision.ts";
import {
  bootstrapImages,
  type BootstrapOptions,
  type BootstrapResult,
  type CostSensitivity,
  costSensitivity,
} from "../../lib/analysis/robustness.ts";
import { readRatingsFolder } from "../../lib/quality/ratings-folder.ts";
import { latestRatings } from "../../lib/quality/ratings.ts";
import {
  loadReferenceFigures,
  type PublishedOption,
  publishedOptions,
  type ReferenceFigure,
} from "../../lib/analysis/reference-figures.ts";
import { mergeWarnings, runProvenance, type RunRead } from "../../lib/analysis/provenance.ts";
import { joinQuality, qualitySummary, withQuality } from "../../lib/quality/quality-frame.ts";
import { loadLabels } from "../../lib/quality/labels.ts";
import { DEFAULT_PRICES_PATH, loadPriceCards } from "../../lib/price/cost.ts";
import { type PriceCardChange, priceCardChanges, repriceRecord } from "../../lib/price/reprice.ts";
import {
  type CardAssumption,
  cardAssumptions,
  checkAssumptions,
  type PricingAssumptions,
  withAssumptions,
} from "../../lib/price/assumptions.ts";
import type { ResultRecord } from "../../lib/contract/record.ts";
import type { PriceCard } from "../../lib/contract/price-card.ts";
import type { LeaderboardRow } from "../../lib/present/leaderboard.ts";
import { readRuns } from "../../lib/run/run-store.ts";

/** Presets left out of the pick: `local` describes pixels, not content. */
const BASELINE_PRESETS = ["local"];

/**
 * One leaderboard row: a platform · model · size with its numbers (the fields the leaderboard
 * table shows, plus the preset it ran as).
 */
export interface LeaderRow extends LeaderboardRow {
  preset: string;
}

/** An assumption a cost in the report rests on, numbered as the footnote marks show it. */
export interface ReportAssumption extends CardAssumption {
  /** Footnote number, from 1. */
  mark: number;
  /** The price card (today's, with your assumptions) and its as-of date. */
  cardId: string;
  asOf: string;
}

/** Human ratings every candidate row needs before the floor applies to them. */
const MIN_HUMAN_RATINGS = 10;

/** The quality scale the pick's floor was applied to. */
export interface QualityScale {
  /**
   * `keyword`: 10 × recall − 2 × hallucinations against the reference labels (an automatic
   * keyword recall score); `human`: the mean human rating 1–10.
   */
  kind: "keyword" | "human";
  /** Candidate rows with at least {@link MIN_HUMAN_RATINGS} human ratings, of `rows`. */
  rated: number;
  rows: number;
  /** Folder the ratings were read from (as given). */
  ratingsFolder: string;
}

/** Options of {@link compareReport}. */
export interface CompareReportOptions extends PricingAssumptions {
  /**
   * Pick on real-time prices under the latency budget (`live`), or on batch-API prices
   * (`batch`: measured `--mode batch` rows where there are any, else projected from the cards'
   * batch prices; results within 24 h, so no latency budget). @default "live"
   */
  mode?: "live" | "batch";
  /** Human ratings (`*.jsonl`, see lib/quality/ratings-folder.ts). @default `${out}/ratings` */
  ratingsFolder?: string;
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
  /** Halving or doubling one platform · model's cost per image: the moves that change the pick. */
  sensitivity: CostSensitivity[];
  /** The scale the floor was applied to (keyword recall score, or human ratings when enough). */
  qualityScale: QualityScale;
  /** What the pick was made on: real-time prices, or batch-API prices. */
  mode: "live" | "batch";
  /** The study's published figures and the pick they give under the same rule. */
  published: { figures: ReferenceFigure[]; options: PublishedOption[]; decision: Decision };
  runs: RunRead[];
  warnings: string[];
  priceCards: PriceCardChange[];
  /** Any simulated record is shown. */
  simulated: boolean;
  /** Your volume and utilisation, when given (otherwise the cards' own). */
  pricing: PricingAssumptions;
  /** What the costs rest on, numbered: rows' `notes` refer to these marks. */
  assumptions: ReportAssumption[];
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
export async function compareReportFromRecords(
  options: CompareReportOptions,
): Promise<CompareReport> {
  const { minQuality = DEFAULT_MIN_QUALITY, maxP50Ms = DEFAULT_MAX_P50_MS } = options;
  const read = await readRuns(options.out);
  const records = options.runFilter
    ? read.records.filter((record) => options.runFilter!(record.runId))
    : read.records;
  const labels = await loadLabels();
  const cards = await loadPriceCards(options.pricesPath ?? DEFAULT_PRICES_PATH);
  const pricing = checkAssumptions({
    monthlyImages: options.monthlyImages,
    utilisation: options.utilisation,
  });
  const by = ["preset", "platform", "model", "variant"];
  // Batch rows cost half and have a turnaround, not a latency: the leaderboard and the pick are
  // about live calls; batch rows have their own live-against-batch section.
  const live = records.filter((record) => record.mode !== "batch");
  const measuredBatch = batchCostsPer1k(
    records.filter((record) => record.mode === "batch"),
    cards,
    pricing,
  );
  const batchRows = records.length - live.length;
  const repriced = live.map((record) => repriceRecord(record, cards, pricing));
  const today = repriced.map((priced) => priced.costUsd ?? null);
  const batchToday = repriced.map((priced) => priced.batchCostUsd ?? null);
  const { assumptions, marksOf } = numberAssumptions(live, cards, pricing);
  const frame = withQuality(
    recordsToFrame(live).withColumns(
      pl.Series("costUsdToday", today, pl.Float64),
      pl.Series("batchCostUsdToday", batchToday, pl.Float64),
    ),
    labels,
  );
  const summary = frame.height === 0 ? [] : pareto(
    joinQuality(
      summarize(frame, { by }).join(
        frame.filter(pl.col("ok")).groupBy(by).agg(
          pl.col("costUsdToday").mean().mul(1000).alias("costPer1kToday"),
          pl.col("batchCostUsdToday").mean().mul(1000).alias("batchCostPer1kToday"),
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
    costPer1kToday: row.costPer1kToday as number | null,
    costPerSuccess1k: row.costPerSuccess1k as number | null,
    batchCostPer1kToday: measuredBatch.get(`${row.platform}|${row.model}|${row.variant}`) ??
      (row.batchCostPer1kToday as number | null),
    meanScore: row.meanScore as number | null,
    meanRecall: row.meanRecall as number | null,
    hallucinationRate: row.hallucinationRate as number | null,
    onFrontier: row.onFrontier === true,
    simulated: row.simulated === true ||
      live.some((record) =>
        record.simulated && record.platform === row.platform && record.model === row.model
      ),
    baseline: BASELINE_PRESETS.includes(String(row.preset)),
    notes: marksOf(String(row.platform), String(row.model)),
  }));
  // The pick weighs today's prices: that is what choosing now costs; and human ratings instead
  // of the keyword score when every candidate has enough of them (one scale per claim).
  const ratingsFolder = options.ratingsFolder ?? `${options.out}/ratings`;
  const human = humanRatings(live, (await readRatingsFolder(ratingsFolder)).ratings);
  const measuredRows = rows.filter((row) => !row.baseline && row.n > row.errors);
  const rated = measuredRows.filter((row) =>
    (human.get(keyOf(row))?.count ?? 0) >= MIN_HUMAN_RATINGS
  );
  const qualityScale: QualityScale = {
    kind: rated.length > 0 && rated.length === measuredRows.length ? "human" : "keyword",
    rated: rated.length,
    rows: measuredRows.length,
    ratingsFolder,
  };
  const mode = options.mode ?? "live";
  const candidates = rows.filter((row) => !row.baseline).map((row) => ({
    ...row,
    costPer1k: mode === "batch"
      ? row.batchCostPer1kToday ?? null
      : row.costPer1kToday ?? row.costPer1k,
    meanScore: qualityScale.kind === "human" ? human.get(keyOf(row))?.mean ?? null : row.meanScore,
  }));
  // A batch job answers within 24 h whatever the per-call latency: no latency budget.
  const budget = mode === "batch" ? Infinity : maxP50Ms;
  const decision = decide(candidates, { minQuality, maxP50Ms: budget });
  const scores = frame.getColumn("score").toArray() as (number | null)[];
  const samples: CallSample[] = live.flatMap((record, index) =>
    BASELINE_PRESETS.includes(record.preset) ? [] : [{
      platform: record.platform,
      model: record.model,
      variant: record.variant,
      imageId: record.imageId,
      latencyMs: record.status === "ok" && !record.cached ? record.latencyMs ?? null : null,
      costUsd: record.status !== "ok"
        ? null
        : mode === "batch"
        ? batchToday[index]
        : today[index] ?? record.costUsd ?? null,
      score: qualityScale.kind === "human"
        ? human.get(`${record.platform}|${record.model}|${record.variant}`)?.byRecord.get(
          record.recordId,
        ) ?? null
        : scores[index] ?? null,
    }]
  );
  const robustness = decision.pick
    ? bootstrapPick(samples, { minQuality, maxP50Ms: budget, draws: options.draws })
    : undefined;
  const figures = await loadReferenceFigures();
  const publishedRows = publishedOptions(figures);
  return {
    records,
    problems: read.problems.length,
    rows,
    decision,
    robustness,
    sensitivity: decision.pick ? costSensitivity(candidates, { minQuality, maxP50Ms: budget }) : [],
    qualityScale,
    mode,
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
    pricing: Object.fromEntries(
      Object.entries(pricing).filter(([, value]) => value !== undefined),
    ) as PricingAssumptions,
    assumptions,
    prompts: [...new Set(records.map((record) => record.prompt))],
    maxOutputTokens: [
      ...new Set(records.flatMap((record) => record.maxOutputTokens ?? [])),
    ].sort((a, b) => a - b),
    images: new Set(records.map((record) => record.imageId)).size,
    machine:
      `${Deno.build.os} ${Deno.build.arch}, ${navigator.hardwareConcurrency} CPU threads, Deno ${Deno.version.deno}`,
  };
}

/**
 * The assumptions behind today's cost of every card the live records were priced with, numbered
 * in leaderboard order of first use, and the marks each platform · model rests on.
 */
function numberAssumptions(
  live: readonly ResultRecord[],
  cards: ReadonlyMap<string, PriceCard>,
  pricing: PricingAssumptions,
): {
  assumptions: ReportAssumption[];
  marksOf: (platform: string, model: string) => number[];
} {
  const assumptions: ReportAssumption[] = [];
  const marks = new Map<string, number[]>();
  const seen = new Map<string, number[]>();
  for (const record of live) {
    const key = `${record.platform}\u0000${record.model}`;
    const current = record.price && cards.get(record.price.id);
    if (!current || marks.has(key)) continue;
    let cardMarks = seen.get(current.id);
    if (!cardMarks) {
      const card = withAssumptions(current, pricing);
      cardMarks = cardAssumptions(card).map((assumption) => {
        const entry = {
          ...assumption,
          mark: assumptions.length + 1,
          cardId: card.id,
          asOf: card.asOf,
        };
        assumptions.push(entry);
        return entry.mark;
      });
      seen.set(current.id, cardMarks);
    }
    marks.set(key, cardMarks);
  }
  return {
    assumptions,
    marksOf: (platform, model) => marks.get(`${platform}\u0000${model}`) ?? [],
  };
}

const keyOf = (row: { platform: string; model: string; variant: string }) =>
  `${row.platform}|${row.model}|${row.variant}`;

/** The latest human rating of each live record, grouped per platform · model · size. */
function humanRatings(
  live: readonly ResultRecord[],
  ratings: Parameters<typeof latestRatings>[0],
): Map<string, { count: number; mean: number; byRecord: Map<string, number> }> {
  const latest = latestRatings(ratings);
  const groups = new Map<string, { count: number; mean: number; byRecord: Map<string, number> }>();
  for (const record of live) {
    const rating = latest.get(record.recordId);
    if (!rating || record.status !== "ok") continue;
    const key = keyOf(record);
    const group = groups.get(key) ?? { count: 0, mean: 0, byRecord: new Map() };
    group.byRecord.set(record.recordId, rating.rating);
    group.mean = (group.mean * group.count + rating.rating) / (group.count + 1);
    group.count++;
    groups.set(key, group);
  }
  return groups;
}

/** Per platform · model · size, the mean cost of `--mode batch` rows at today's prices × 1,000. */
function batchCostsPer1k(
  batch: readonly ResultRecord[],
  cards: ReadonlyMap<string, PriceCard>,
  pricing: PricingAssumptions,
): Map<string, number> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const record of batch) {
    const cost = repriceRecord(record, cards, pricing).costUsd;
    if (cost === undefined) continue;
    const sum = sums.get(keyOf(record)) ?? { sum: 0, n: 0 };
    sums.set(keyOf(record), { sum: sum.sum + cost, n: sum.n + 1 });
  }
  return new Map([...sums].map(([key, { sum, n }]) => [key, (sum / n) * 1000]));
}

/** One call: the option it belongs to, its image, and its numbers (null when unknown). */
interface CallSample {
  platform: string;
  model: string;
  variant?: string;
  imageId: string;
  /** Timed latency (ok, not cached); null when it does not count for latency. */
  latencyMs: number | null;
  /** null when the call has no cost (error, or cost not computable). */
  costUsd: number | null;
  /** Quality score 0–10; null when not scored. */
  score: number | null;
}

/**
 * The record path's bootstrap: calls grouped per option and image in JS (median latency, mean
 * cost and score), then the library's resampling. The columnar report builds the same
 * aggregates with a Polars group-by.
 */
function bootstrapPick(
  samples: readonly CallSample[],
  options: BootstrapOptions = {},
): BootstrapResult {
  const groups = new Map<
    string,
    { sample: CallSample; latency: number[]; cost: number[]; score: number[] }
  >();
  for (const sample of samples) {
    const key = JSON.stringify([sample.platform, sample.model, sample.variant, sample.imageId]);
    let group = groups.get(key);
    if (!group) groups.set(key, group = { sample, latency: [], cost: [], score: [] });
    if (sample.latencyMs !== null) group.latency.push(sample.latencyMs);
    if (sample.costUsd !== null) group.cost.push(sample.costUsd);
    if (sample.score !== null) group.score.push(sample.score);
  }
  return bootstrapImages(
    [...groups.values()].map(({ sample, latency, cost, score }) => ({
      platform: sample.platform,
      model: sample.model,
      variant: sample.variant,
      imageId: sample.imageId,
      latencyMs: median(latency),
      costUsd: mean(cost),
      score: mean(score),
    })),
    options,
  );
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  const low = Math.floor(middle);
  return sorted[low] + (sorted[Math.ceil(middle)] - sorted[low]) * (middle - low);
}
