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
import { summarize } from "../analysis/summary.ts";
import { pareto } from "../analysis/compare.ts";
import {
  decide,
  type Decision,
  DEFAULT_MAX_P50_MS,
  DEFAULT_MIN_QUALITY,
} from "../analysis/decision.ts";
import {
  bootstrapImages,
  type BootstrapResult,
  type CostSensitivity,
  costSensitivity,
  type ImageAggregate,
} from "../analysis/robustness.ts";
import { readRatingsFolder } from "../quality/ratings-folder.ts";
import { latestRatings } from "../quality/ratings.ts";
import {
  loadReferenceFigures,
  type PublishedOption,
  publishedOptions,
  type ReferenceFigure,
} from "../analysis/reference-figures.ts";
import { mergeWarnings, runProvenanceOf, type RunRead } from "../analysis/provenance.ts";
import { joinQuality, qualitySummary, withQuality } from "../quality/quality-frame.ts";
import { loadLabels } from "../quality/labels.ts";
import { DEFAULT_PRICES_PATH, loadPriceCards } from "../price/cost.ts";
import { type PriceCardChange, priceCardChanges } from "../price/reprice.ts";
import {
  type CardAssumption,
  cardAssumptions,
  checkAssumptions,
  type PricingAssumptions,
  withAssumptions,
} from "../price/assumptions.ts";
import type { ResultRecord } from "../contract/record.ts";
import type { PriceCard } from "../contract/price-card.ts";
import type { LeaderboardRow } from "../present/leaderboard.ts";
import { loadRunFrame } from "../analysis/run-frame.ts";
import { repriceFrame } from "./reprice-frame.ts";

/** Presets left out of the pick: `local` describes pixels, not content. */
export const BASELINE_PRESETS = ["local"];

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
export const MIN_HUMAN_RATINGS = 10;

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
  /**
   * Read each run's Parquet twin when it is fresh, else its JSON lines (`auto`), or force one.
   * @default "auto"
   */
  from?: "auto" | "jsonl" | "parquet";
  /** Write a run's Parquet twin when it is missing or stale, for the next read. @default false */
  refreshParquet?: boolean;
}

/** What {@link compareReport} computed. */
export interface CompareReport {
  /**
   * Every record read, one row per record in the layout of `recordsToFrame` (the columns of
   * {@link REPORT_COLUMNS} but `text`, `structured` and `price`), for the notebook's charts.
   */
  frame: pl.DataFrame;
  /**
   * A bounded set of calls for per-call charts: per platform · model · size and image, the latest
   * timed call (ok, not cached), in `frame`'s columns. As many rows as images × options, however
   * many repeats.
   */
  calls: pl.DataFrame;
  /** Records read, and how many of them simulated (the banner's counts). */
  recordCounts: { total: number; simulated: number };
  /** The presets that ran, in the order first read. */
  presets: string[];
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
export async function compareReport(options: CompareReportOptions): Promise<CompareReport> {
  const { minQuality = DEFAULT_MIN_QUALITY, maxP50Ms = DEFAULT_MAX_P50_MS } = options;
  const read = await loadRunFrame(options.out, {
    columns: REPORT_COLUMNS,
    from: options.from,
    refreshParquet: options.refreshParquet,
  });
  // Strings, not Parquet's categoricals: the leaderboard sorts and joins on them.
  let frame = read.frame.withColumns(
    ...STRING_COLUMNS.map((column) => pl.col(column).cast(pl.Utf8)),
  );
  if (options.runFilter) {
    const runIds = (frame.getColumn("runId").unique().toArray() as string[])
      .filter(options.runFilter);
    frame = frame.filter(pl.col("runId").isIn(pl.lit(pl.Series("runIds", runIds, pl.Utf8))));
  }
  const labels = await loadLabels();
  const cards = await loadPriceCards(options.pricesPath ?? DEFAULT_PRICES_PATH);
  const pricing = checkAssumptions({
    monthlyImages: options.monthlyImages,
    utilisation: options.utilisation,
  });
  const by = ["preset", "platform", "model", "variant"];
  // Batch rows cost half and have a turnaround, not a latency: the leaderboard and the pick are
  // about live calls; batch rows have their own live-against-batch section.
  const isBatch = pl.col("mode").eq(pl.lit("batch"));
  const batchFrame = frame.filter(isBatch);
  const measuredBatch = batchCostsPer1k(batchFrame, cards, pricing);
  const batchRows = batchFrame.height;
  // The recorded cards are read once; the per-row JSON and the texts leave the frame after use.
  const recorded = recordedCards(frame);
  frame = frame.drop("price");
  const priced = repriceFrame(
    batchRows === 0 ? frame : frame.filter(isBatch.not()),
    cards,
    pricing,
  );
  const { assumptions, marksOf } = numberAssumptions(priced, cards, pricing);
  const live = withQuality(priced, labels, { terms: false }).drop(["text", "structured"]);
  frame = frame.drop(["text", "structured"]);
  const summary = live.height === 0 ? [] : pareto(
    joinQuality(
      summarize(live, { by }).join(
        // Filters inside the aggregation: a filtered frame would copy every column.
        live.groupBy(by).agg(
          pl.col("costUsdToday").filter(pl.col("ok")).mean().mul(1000).alias("costPer1kToday"),
          pl.col("batchCostUsdToday").filter(pl.col("ok")).mean().mul(1000)
            .alias("batchCostPer1kToday"),
          pl.col("simulated").filter(pl.col("ok")).any().alias("simulated"),
        ),
        { on: by, how: "left" },
      ),
      qualitySummary(live, { by }),
      { by },
    ),
    { extra: "meanScore" },
  ).toRecords();
  const simulatedModels = new Set(
    live.select(
      pl.col("simulated"),
      pl.concatString([pl.col("platform"), pl.col("model")], "\u0000").alias("key"),
    ).filter(pl.col("simulated")).getColumn("key").unique().toArray() as string[],
  );
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
    batchCostPer1kToday: measuredBatch.get(`${row.platform}|${row.model}|${row.variant}`) ??
      (row.batchCostPer1kToday as number | null),
    meanScore: row.meanScore as number | null,
    meanRecall: row.meanRecall as number | null,
    hallucinationRate: row.hallucinationRate as number | null,
    onFrontier: row.onFrontier === true,
    simulated: row.simulated === true || simulatedModels.has(`${row.platform}\u0000${row.model}`),
    baseline: BASELINE_PRESETS.includes(String(row.preset)),
    notes: marksOf(String(row.platform), String(row.model)),
  }));
  // The pick weighs today's prices: that is what choosing now costs; and human ratings instead
  // of the keyword score when every candidate has enough of them (one scale per claim).
  const ratingsFolder = options.ratingsFolder ?? `${options.out}/ratings`;
  const rated = withHumanRatings(live, (await readRatingsFolder(ratingsFolder)).ratings);
  const human = humanRatingGroups(rated);
  const measuredRows = rows.filter((row) => !row.baseline && row.n > row.errors);
  const ratedRows = measuredRows.filter((row) =>
    (human.get(keyOf(row))?.count ?? 0) >= MIN_HUMAN_RATINGS
  );
  const qualityScale: QualityScale = {
    kind: ratedRows.length > 0 && ratedRows.length === measuredRows.length ? "human" : "keyword",
    rated: ratedRows.length,
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
  const robustness = decision.pick
    ? bootstrapImages(imageAggregates(rated, { mode, scale: qualityScale.kind }), {
      minQuality,
      maxP50Ms: budget,
      draws: options.draws,
    })
    : undefined;
  const figures = await loadReferenceFigures();
  const publishedRows = publishedOptions(figures);
  const firstSeen = (column: string) =>
    frame.select(column).unique({ maintainOrder: true }).getColumn(column).toArray();
  const simulatedRows = frame.select("simulated").filter(pl.col("simulated")).height;
  return {
    frame,
    calls: latestCalls(frame),
    presets: firstSeen("preset") as string[],
    recordCounts: {
      total: frame.height,
      simulated: simulatedRows,
    },
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
    runs: runProvenanceOf(frame),
    warnings: [
      ...mergeWarnings(distinctRecords(live, MERGE_FIELDS)),
      ...(batchRows > 0
        ? [
          `${batchRows} batch-mode rows are left out of the leaderboard and the pick (they cost ` +
          `half and have no per-call latency): see the live-against-batch section`,
        ]
        : []),
    ],
    priceCards: priceCardChanges(recorded, cards),
    simulated: simulatedRows > 0,
    pricing: Object.fromEntries(
      Object.entries(pricing).filter(([, value]) => value !== undefined),
    ) as PricingAssumptions,
    assumptions,
    prompts: (firstSeen("prompt") as (string | null)[]).filter((prompt) => prompt !== null),
    maxOutputTokens: (frame.select("maxOutputTokens").unique().getColumn("maxOutputTokens")
      .toArray() as (number | null)[]).filter((value): value is number => value !== null)
      .sort((a, b) => a - b),
    images: frame.select(pl.col("imageId").nUnique()).row(0)[0] as number,
    machine:
      `${Deno.build.os} ${Deno.build.arch}, ${navigator.hardwareConcurrency} CPU threads, Deno ${Deno.version.deno}`,
  };
}

/** Per preset · platform · model · size and image, the latest timed call (see `calls`). */
function latestCalls(frame: pl.DataFrame): pl.DataFrame {
  const timed = pl.col("ok").and(pl.col("cached").not()).and(pl.col("latencyMs").isNotNull());
  const cell = ["preset", "platform", "model", "variant", "imageId"];
  const order = frame.withRowIndex("__order");
  // The latest `createdAt` of each cell, and of those the last read: a group-by on the columns
  // it reads, not a sort (or a filtered copy) of every row.
  const latest = order.select("__order", "createdAt", "ok", "cached", "latencyMs", ...cell)
    .filter(timed).groupBy(cell)
    .agg(pl.col("__order").filter(pl.col("createdAt").eq(pl.col("createdAt").max())).max());
  return order.join(latest.select("__order"), { on: "__order", how: "semi" }).sort("__order")
    .drop("__order");
}

/** The frame columns the comparison report reads. */
export const REPORT_COLUMNS: readonly string[] = [
  "runId",
  "recordId",
  "createdAt",
  "platform",
  "model",
  "preset",
  "imageId",
  "variant",
  "promptId",
  "prompt",
  "maxOutputTokens",
  "status",
  "ok",
  "cached",
  "mode",
  "text",
  "structured",
  "latencyMs",
  "ttftMs",
  "inputTokens",
  "outputTokens",
  "imageTokens",
  "reasoningTokens",
  "gpuSeconds",
  "concurrency",
  "costUsd",
  "batchCostUsd",
  "priceId",
  "price",
  "simulated",
  "errorKind",
];

const STRING_COLUMNS = [
  "runId",
  "platform",
  "model",
  "preset",
  "imageId",
  "variant",
  "promptId",
  "status",
  "mode",
  "priceId",
  "errorKind",
];

const MERGE_FIELDS = [
  "runId",
  "platform",
  "model",
  "variant",
  "imageId",
  "prompt",
  "maxOutputTokens",
] as const;

/**
 * The distinct combinations of `fields` as record-shaped objects, in no particular order: as many
 * as runs × options × images, never as many as records (for the helpers that read only these
 * fields).
 */
function distinctRecords<Field extends keyof ResultRecord>(
  frame: pl.DataFrame,
  fields: readonly Field[],
): Pick<ResultRecord, Field>[] {
  return frame.select(...fields).unique().toRecords().map((row) =>
    Object.fromEntries(
      Object.entries(row).filter(([, value]) => value !== null),
    ) as Pick<ResultRecord, Field>
  );
}

/** Every distinct recorded price card, as `priceCardChanges` reads them. */
function recordedCards(frame: pl.DataFrame): Pick<ResultRecord, "price">[] {
  const texts = frame.select(pl.col("price").cast(pl.Utf8)).unique({ maintainOrder: true })
    .getColumn("price").toArray() as (string | null)[];
  return texts.flatMap((text) => text === null ? [] : [{ price: JSON.parse(text) as PriceCard }]);
}

/**
 * The live frame with `humanRating`: the latest human rating of each ok record (null when none).
 */
function withHumanRatings(
  live: pl.DataFrame,
  ratings: Parameters<typeof latestRatings>[0],
): pl.DataFrame {
  const latest = [...latestRatings(ratings).values()];
  // Only what the ratings summary and the resampling read: a join copies every column it keeps.
  const narrow = live.select(...RATED_COLUMNS);
  if (latest.length === 0) {
    return narrow.withColumns(pl.lit(null).cast(pl.Float64).alias("humanRating"));
  }
  const table = pl.DataFrame({
    recordId: latest.map((rating) => rating.recordId),
    humanRating: latest.map((rating) => rating.rating),
  }, { schema: { recordId: pl.Utf8, humanRating: pl.Float64 } });
  return narrow.withRowIndex("__order").join(table, { on: "recordId", how: "left" })
    .sort("__order").drop("__order")
    .withColumns(
      pl.when(pl.col("ok")).then(pl.col("humanRating")).otherwise(pl.lit(null))
        .cast(pl.Float64).alias("humanRating"),
    );
}

/** The columns of {@link withHumanRatings}' frame (with `humanRating`). */
const RATED_COLUMNS = [
  "recordId",
  "ok",
  "cached",
  "preset",
  "platform",
  "model",
  "variant",
  "imageId",
  "latencyMs",
  "costUsd",
  "costUsdToday",
  "batchCostUsdToday",
  "score",
];

/** Human ratings per platform · model · size: how many, and their mean. */
function humanRatingGroups(rated: pl.DataFrame): Map<string, { count: number; mean: number }> {
  const groups = rated.filter(pl.col("humanRating").isNotNull())
    .groupBy(["platform", "model", "variant"]).agg(
      pl.len().cast(pl.Float64).alias("count"),
      pl.col("humanRating").mean().alias("mean"),
    ).toRecords();
  return new Map(groups.map((group) => [
    keyOf(group as { platform: string; model: string; variant: string }),
    { count: group.count as number, mean: group.mean as number },
  ]));
}

/**
 * Per option and image (no baseline): what the robustness resampling redraws — the image's
 * timed latencies' median, its calls' mean cost at today's (or batch) prices and mean score
 * (keyword, or human ratings when the pick uses them).
 */
function imageAggregates(
  rated: pl.DataFrame,
  options: { mode: "live" | "batch"; scale: "keyword" | "human" },
): ImageAggregate[] {
  const ok = pl.col("ok");
  const timed = ok.and(pl.col("cached").not()).and(pl.col("latencyMs").isNotNull());
  const cost = options.mode === "batch"
    ? pl.col("batchCostUsdToday")
    : pl.when(pl.col("costUsdToday").isNotNull()).then(pl.col("costUsdToday"))
      .otherwise(pl.col("costUsd"));
  const score = options.scale === "human" ? pl.col("humanRating") : pl.col("score");
  return rated.filter(pl.col("preset").isIn(pl.lit(pl.Series("b", BASELINE_PRESETS))).not())
    .groupBy(["platform", "model", "variant", "imageId"]).agg(
      pl.col("latencyMs").filter(timed).median().alias("latencyMs"),
      cost.filter(ok).mean().alias("costUsd"),
      score.filter(ok).mean().alias("score"),
    ).sort(["platform", "model", "variant", "imageId"]).toRecords() as unknown as ImageAggregate[];
}

/**
 * The assumptions behind today's cost of every card the live records were priced with, numbered
 * in leaderboard order of first use, and the marks each platform · model rests on.
 */
function numberAssumptions(
  live: pl.DataFrame,
  cards: ReadonlyMap<string, PriceCard>,
  pricing: PricingAssumptions,
): {
  assumptions: ReportAssumption[];
  marksOf: (platform: string, model: string) => number[];
} {
  const assumptions: ReportAssumption[] = [];
  const marks = new Map<string, number[]>();
  const seen = new Map<string, number[]>();
  // One row per platform · model · card, in the order first read: the marks' order.
  const used = live.select("platform", "model", "priceId").unique({ maintainOrder: true })
    .toRecords() as { platform: string; model: string; priceId: string | null }[];
  for (const record of used) {
    const key = `${record.platform}\u0000${record.model}`;
    const current = record.priceId !== null && cards.get(record.priceId);
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

/** Per platform · model · size, the mean cost of `--mode batch` rows at today's prices × 1,000. */
function batchCostsPer1k(
  batch: pl.DataFrame,
  cards: ReadonlyMap<string, PriceCard>,
  pricing: PricingAssumptions,
): Map<string, number> {
  if (batch.height === 0) return new Map();
  const priced = repriceFrame(batch, cards, pricing).filter(pl.col("costUsdToday").isNotNull())
    .select(
      pl.concatString([pl.col("platform"), pl.col("model"), pl.col("variant")], "|").alias("key"),
      "costUsdToday",
    );
  // Summed in record order, as the per-record code did (a Polars mean may add in another order).
  const keys = priced.getColumn("key").toArray() as string[];
  const costs = priced.getColumn("costUsdToday").toArray() as number[];
  const sums = new Map<string, { sum: number; n: number }>();
  keys.forEach((key, index) => {
    const sum = sums.get(key) ?? { sum: 0, n: 0 };
    sums.set(key, { sum: sum.sum + costs[index], n: sum.n + 1 });
  });
  return new Map([...sums].map(([key, { sum, n }]) => [key, (sum / n) * 1000]));
}
