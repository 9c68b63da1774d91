/**
 * Quality columns on a run frame and a quality summary per group, joinable onto lib/summary.ts
 * `summarize` by the grouping columns. A record that cannot be scored (error, or an image without
 * labels) gets null quality columns, never 0: means then skip it instead of dragging them down.
 *
 * @module
 */
import pl from "nodejs-polars";
import { recordsToFrame } from "../analysis/frames.ts";
import { type LabelSet, loadLabels } from "./labels.ts";
import { loadRunFrame, SUMMARY_COLUMNS } from "../analysis/run-frame.ts";
import { asStructured, descriptionText } from "./score.ts";
import { scoreTexts } from "./term-match.ts";
import type { ResultRecord } from "../contract/record.ts";
import { DEFAULT_BY } from "../analysis/summary.ts";
import { VisionBenchError } from "../contract/errors.ts";

/** Columns {@link withQuality} adds, in order. */
export const QUALITY_COLUMNS = [
  "recall",
  "score",
  "hallucinations",
  "matchedTerms",
  "missedTerms",
  "hallucinatedTerms",
  "descriptionWords",
  "wordsPerMatch",
  "venueAnswer",
  "venueCorrect",
] as const;

/** Options of {@link withQuality}. */
export interface WithQualityOptions {
  /** Points off per hallucination (see `scoreDescription`). @default 2 */
  hallucinationPenalty?: number;
  /**
   * Also the term lists (`matchedTerms`, `missedTerms`, `hallucinatedTerms`); without them the
   * frame has the other quality columns only. @default true
   */
  terms?: boolean;
}

const ROW = "__qualityRow";

/**
 * What each row scores: `text` where `scored` (ok rows; a null text scores as empty), and its
 * venue answer. Only rows with a structured answer are read in JS (its JSON); plain text stays
 * the frame's own column, not a copy.
 */
function scoredTexts(frame: pl.DataFrame): pl.DataFrame {
  const ok = pl.col("status").eq(pl.lit("ok"));
  const base = frame.select(
    pl.col("imageId").cast(pl.Utf8),
    pl.col("text").cast(pl.Utf8),
    ok.alias("scored"),
    pl.lit(null).cast(pl.Bool).alias("venueAnswer"),
    ok.and(pl.col("structured").isNotNull()).alias("hasStructured"),
    "structured",
  ).withRowIndex(ROW);
  const structured = base.filter(pl.col("hasStructured"));
  const columns = [ROW, "imageId", "text", "scored", "venueAnswer"];
  if (structured.height === 0) return base.select(...columns);
  const texts: (string | null)[] = [];
  const venues: (boolean | null)[] = [];
  const given = structured.getColumn("text").toArray() as (string | null)[];
  (structured.getColumn("structured").toArray() as string[]).forEach((json, index) => {
    let parsed: ReturnType<typeof asStructured>;
    try {
      parsed = asStructured(JSON.parse(json));
    } catch {
      parsed = undefined;
    }
    texts.push(
      parsed && (parsed.tags !== undefined || parsed.scene !== undefined)
        ? descriptionText(parsed)
        : given[index],
    );
    venues.push(parsed?.isEventVenue ?? null);
  });
  const fixed = structured.select(ROW).withColumns(
    pl.Series("structuredText", texts, pl.Utf8),
    pl.Series("structuredVenue", venues, pl.Bool),
  );
  return base.join(fixed, { on: ROW, how: "left" }).sort(ROW).select(
    ROW,
    "imageId",
    pl.when(pl.col("hasStructured")).then(pl.col("structuredText")).otherwise(pl.col("text"))
      .alias("text"),
    "scored",
    pl.col("structuredVenue").alias("venueAnswer"),
  );
}

/**
 * Adds per-record quality columns to a run frame (or builds the frame from records first):
 * `recall` (0–1), `score` (0–10), `hallucinations` (count), `matchedTerms`, `missedTerms`,
 * `hallucinatedTerms` (comma-separated), `descriptionWords`, `wordsPerMatch`, `venueAnswer`
 * (the structured `isEventVenue`), `venueCorrect`. Null where the record is an error or its
 * image has no labels.
 *
 * @example
 * ```ts
 * import { loadLabels } from "./labels.ts";
 * import type { ResultRecord } from "../contract/record.ts";
 * import { recordsToFrame } from "../analysis/frames.ts";
 * declare const records: ResultRecord[];
 * const frame = withQuality(recordsToFrame(records), await loadLabels());
 * frame.select("platform", "imageId", "recall", "score");
 * ```
 */
export function withQuality(
  data: pl.DataFrame | readonly ResultRecord[],
  labels: LabelSet,
  options: WithQualityOptions = {},
): pl.DataFrame {
  const frame = Array.isArray(data) ? recordsToFrame(data) : data as pl.DataFrame;
  const texts = scoredTexts(frame);
  const scores = scoreTexts(
    texts.select("imageId", "text", "scored"),
    labels,
    { hallucinationPenalty: options.hallucinationPenalty, terms: options.terms },
  );
  const expected = pl.DataFrame({
    imageId: [...labels.keys()],
    expectedVenue: [...labels.values()].map((image) => image.isEventVenue),
  }, { schema: { imageId: pl.Utf8, expectedVenue: pl.Bool } });
  const venues = texts.select(ROW, "imageId", "venueAnswer")
    .join(expected, { on: "imageId", how: "left" }).sort(ROW)
    .select(
      "venueAnswer",
      pl.col("venueAnswer").eq(pl.col("expectedVenue")).alias("venueCorrect"),
    );
  const existing = QUALITY_COLUMNS.filter((column) => frame.columns.includes(column));
  const base = existing.length > 0 ? frame.drop(existing as unknown as string[]) : frame;
  const columns = pl.concat([scores, venues], { how: "horizontal" });
  return base.withColumns(
    ...QUALITY_COLUMNS.filter((column) => columns.columns.includes(column))
      .map((column) => columns.getColumn(column)),
  );
}

/** The quality columns {@link qualitySummary} reads. */
const SUMMARY_INPUTS = ["score", "recall", "hallucinations", "wordsPerMatch", "venueCorrect"];

/** Options of {@link qualitySummary}. */
export interface QualitySummaryOptions extends WithQualityOptions {
  /** Needed when `data` has no quality columns yet (records, or a plain run frame). */
  labels?: LabelSet;
  /** Grouping columns; keep them equal to `summarize`'s to join. @default ["platform", "model", "variant", "promptId"] */
  by?: string[];
}

/**
 * Quality per group: `scored` (records with a score), `meanScore`, `meanRecall`,
 * `hallucinationRate` (share of scored records with at least one hallucination),
 * `meanHallucinations`, `meanWordsPerMatch`, `venueAnswered`, `venueAccuracy`. Null, not 0,
 * where nothing in the group could be scored.
 *
 * @example
 * ```ts
 * import { loadLabels } from "./labels.ts";
 * declare const records: Parameters<typeof qualitySummary>[0];
 * declare const summary: Parameters<typeof joinQuality>[0]; // summarize(...) of the same records
 * const quality = qualitySummary(records, { labels: await loadLabels() });
 * joinQuality(summary, quality); // one row per group: cost, latency and quality
 * ```
 */
export function qualitySummary(
  data: pl.DataFrame | readonly ResultRecord[],
  options: QualitySummaryOptions = {},
): pl.DataFrame {
  const by = options.by ?? DEFAULT_BY;
  let frame = Array.isArray(data) ? undefined : data as pl.DataFrame;
  if (!frame || !SUMMARY_INPUTS.every((column) => frame!.columns.includes(column))) {
    if (!options.labels) {
      throw new VisionBenchError(
        "usage",
        "qualitySummary needs `labels` when the data has no quality columns",
      );
    }
    frame = withQuality(data, options.labels, options);
  }
  const scored = pl.col("score").isNotNull();
  return frame.groupBy(by).agg(
    scored.sum().cast(pl.Float64).alias("scored"),
    pl.col("score").mean().alias("meanScore"),
    pl.col("recall").mean().alias("meanRecall"),
    pl.col("hallucinations").gt(0).cast(pl.Float64).mean().alias("hallucinationRate"),
    pl.col("hallucinations").mean().alias("meanHallucinations"),
    pl.col("wordsPerMatch").mean().alias("meanWordsPerMatch"),
    pl.col("venueCorrect").isNotNull().sum().cast(pl.Float64).alias("venueAnswered"),
    pl.col("venueCorrect").cast(pl.Float64).mean().alias("venueAccuracy"),
  ).sort(by);
}

/** Options of {@link joinQuality}. */
export interface JoinQualityOptions {
  /** @default ["platform", "model", "variant", "promptId"] */
  by?: string[];
}

/**
 * `summarize(...)` output with the quality summary's columns appended (left join: a group with
 * no quality row keeps null quality columns).
 *
 * @example
 * ```ts
 * import type pl from "nodejs-polars";
 * import { type LabelSet, loadLabels } from "./labels.ts";
import { loadRunFrame, SUMMARY_COLUMNS } from "../analysis/run-frame.ts";
 * import { summarize } from "../analysis/summary.ts";
 * declare const frame: pl.DataFrame;
 * declare const labels: LabelSet;
 * joinQuality(summarize(frame), qualitySummary(frame, { labels }));
 * ```
 */
export function joinQuality(
  summary: pl.DataFrame,
  quality: pl.DataFrame,
  options: JoinQualityOptions = {},
): pl.DataFrame {
  const by = options.by ?? DEFAULT_BY;
  return summary.join(quality, { on: by, how: "left" });
}

/** The run-frame columns {@link loadQualityFrame} reads: the summary's, and what is scored. */
export const QUALITY_FRAME_COLUMNS: readonly string[] = [
  ...SUMMARY_COLUMNS,
  "runId",
  "recordId",
  "preset",
  "imageId",
  "status",
  "mode",
  "text",
  "structured",
  "simulated",
];

/** Options of {@link loadQualityFrame}. */
export interface LoadQualityFrameOptions extends WithQualityOptions {
  /** Reference labels. @default loadLabels() */
  labels?: LabelSet;
  /** @default "auto" (Parquet when fresh) */
  from?: "auto" | "jsonl" | "parquet";
}

/**
 * Every run of `out` as columns ({@link QUALITY_FRAME_COLUMNS}) with the quality columns: what
 * `summarize`, `qualitySummary` and the quality charts read, without a JS object per record.
 * The text columns are dropped once scored.
 *
 * @example
 * ```ts
 * import { summarize } from "../analysis/summary.ts";
 * const frame = await loadQualityFrame("results");
 * joinQuality(summarize(frame), qualitySummary(frame));
 * ```
 */
export async function loadQualityFrame(
  out: string,
  options: LoadQualityFrameOptions = {},
): Promise<pl.DataFrame> {
  const { frame } = await loadRunFrame(out, { columns: QUALITY_FRAME_COLUMNS, from: options.from });
  return withQuality(frame, options.labels ?? await loadLabels(), {
    terms: options.terms ?? false,
    hallucinationPenalty: options.hallucinationPenalty,
  }).drop(["text", "structured"]);
}
