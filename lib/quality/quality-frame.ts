/**
 * Quality columns on a run frame and a quality summary per group, joinable onto lib/summary.ts
 * `summarize` by the grouping columns. A record that cannot be scored (error, or an image without
 * labels) gets null quality columns, never 0: means then skip it instead of dragging them down.
 *
 * @module
 */
import pl from "nodejs-polars";
import { recordsToFrame } from "../analysis/frames.ts";
import type { LabelSet } from "./labels.ts";
import { asStructured, type DescriptionInput, scoreDescription } from "./score.ts";
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
}

/** The scoreable description of one frame row (`status`, `text`, `structured` as JSON). */
function rowDescription(row: Record<string, unknown>): DescriptionInput | undefined {
  if (row.status !== "ok") return undefined;
  let structured: unknown;
  if (typeof row.structured === "string") {
    try {
      structured = JSON.parse(row.structured);
    } catch {
      structured = undefined;
    }
  }
  const parsed = asStructured(structured);
  if (parsed && (parsed.tags !== undefined || parsed.scene !== undefined)) return parsed;
  return typeof row.text === "string" ? row.text : "";
}

function venueOf(row: Record<string, unknown>): boolean | null {
  if (row.status !== "ok" || typeof row.structured !== "string") return null;
  try {
    return asStructured(JSON.parse(row.structured))?.isEventVenue ?? null;
  } catch {
    return null;
  }
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
  const rows = frame.select("imageId", "status", "text", "structured").toRecords() as Record<
    string,
    unknown
  >[];
  const values: Record<(typeof QUALITY_COLUMNS)[number], unknown[]> = Object.fromEntries(
    QUALITY_COLUMNS.map((column) => [column, [] as unknown[]]),
  ) as Record<(typeof QUALITY_COLUMNS)[number], unknown[]>;
  for (const row of rows) {
    const imageLabels = labels.get(String(row.imageId));
    const description = rowDescription(row);
    const venue = venueOf(row);
    const result = imageLabels && description !== undefined
      ? scoreDescription(description, imageLabels, options)
      : undefined;
    values.recall.push(result?.recall ?? null);
    values.score.push(result?.score ?? null);
    values.hallucinations.push(result?.hallucinated.length ?? null);
    values.matchedTerms.push(result?.matched.join(", ") ?? null);
    values.missedTerms.push(result?.missed.join(", ") ?? null);
    values.hallucinatedTerms.push(result?.hallucinated.join(", ") ?? null);
    values.descriptionWords.push(result?.words ?? null);
    values.wordsPerMatch.push(result?.wordsPerMatch ?? null);
    values.venueAnswer.push(venue);
    values.venueCorrect.push(
      venue === null || imageLabels === undefined ? null : venue === imageLabels.isEventVenue,
    );
  }
  const types: Record<string, pl.DataType> = {
    matchedTerms: pl.Utf8,
    missedTerms: pl.Utf8,
    hallucinatedTerms: pl.Utf8,
    venueAnswer: pl.Bool,
    venueCorrect: pl.Bool,
  };
  const existing = QUALITY_COLUMNS.filter((column) => frame.columns.includes(column));
  const base = existing.length > 0 ? frame.drop(existing as unknown as string[]) : frame;
  return base.withColumns(
    ...QUALITY_COLUMNS.map((column) =>
      pl.Series(column, values[column], types[column] ?? pl.Float64)
    ),
  );
}

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
  if (!frame || !QUALITY_COLUMNS.every((column) => frame!.columns.includes(column))) {
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
 * import type { LabelSet } from "./labels.ts";
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
