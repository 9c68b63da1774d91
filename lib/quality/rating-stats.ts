/**
 * How human ratings and the automatic score agree: Pearson and Spearman over the records that
 * have both.
 *
 * @module
 */
import pl from "nodejs-polars";
import { DEFAULT_BY } from "../analysis/summary.ts";
import type { ResultRecord } from "../contract/record.ts";
import type { LabelSet } from "./labels.ts";
import { latestRatings, type Rating } from "./ratings.ts";
import { recordDescription, scoreDescription } from "./score.ts";

/** What {@link ratingsCorrelation} returns. */
export interface RatingsCorrelation {
  /** Rated records that also have an automatic score. */
  pairs: number;
  /** Null with fewer than 3 pairs or when one side is constant. */
  pearson: number | null;
  spearman: number | null;
}

/**
 * How well the automatic score (lib/quality.ts) follows the human rating, over records that have
 * both (latest rating per record).
 *
 * @example
 * ```ts
 * import { loadLabels } from "./labels.ts";
 * import { readRatings } from "./ratings.ts";
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const records: ResultRecord[];
 * ratingsCorrelation(records, (await readRatings()).ratings, await loadLabels()).spearman;
 * ```
 */
export function ratingsCorrelation(
  records: readonly ResultRecord[],
  ratings: readonly Rating[],
  labels: LabelSet,
): RatingsCorrelation {
  const latest = latestRatings(ratings);
  const human: number[] = [];
  const automatic: number[] = [];
  for (const record of records) {
    const rating = latest.get(record.recordId);
    const imageLabels = labels.get(record.imageId);
    const description = recordDescription(record);
    if (!rating || !imageLabels || description === undefined) continue;
    human.push(rating.rating);
    automatic.push(scoreDescription(description, imageLabels).score);
  }
  const pairs = human.length;
  if (pairs < 3) return { pairs, pearson: null, spearman: null };
  return {
    pairs,
    pearson: pearson(human, automatic),
    spearman: pearson(ranks(human), ranks(automatic)),
  };
}

/** Pearson's r; null when either side has no variance. */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n !== y.length || n < 2) return null;
  const meanX = x.reduce((a, b) => a + b, 0) / n;
  const meanY = y.reduce((a, b) => a + b, 0) / n;
  let covariance = 0, varianceX = 0, varianceY = 0;
  for (let index = 0; index < n; index++) {
    covariance += (x[index] - meanX) * (y[index] - meanY);
    varianceX += (x[index] - meanX) ** 2;
    varianceY += (y[index] - meanY) ** 2;
  }
  if (varianceX === 0 || varianceY === 0) return null;
  return covariance / Math.sqrt(varianceX * varianceY);
}

/** Ranks from 1, ties sharing their mean rank (so Spearman = Pearson of ranks). */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const result = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].value === order[start].value) end++;
    const rank = (start + end) / 2 + 1;
    for (let position = start; position <= end; position++) result[order[position].index] = rank;
    start = end + 1;
  }
  return result;
}

/** Options of {@link ratingsByGroup}. */
export interface RatingsByGroupOptions {
  /** @default ["platform", "model", "variant", "promptId"] (joinable onto `summarize`) */
  by?: string[];
}

/**
 * Human ratings per group (latest rating per record): `ratings` (count) and `meanRating`,
 * joinable onto a summary with `joinQuality(summary, ratingsByGroup(records, ratings))`.
 *
 * @example
 * ```ts
 * import { joinQuality } from "./quality-frame.ts";
 * import { readRatings } from "./ratings.ts";
 * declare const records: Parameters<typeof ratingsByGroup>[0];
 * declare const summary: Parameters<typeof joinQuality>[0]; // summarize(...) of the same records
 * joinQuality(summary, ratingsByGroup(records, (await readRatings()).ratings));
 * ```
 */
export function ratingsByGroup(
  records: readonly ResultRecord[],
  ratings: readonly Rating[],
  options: RatingsByGroupOptions = {},
): pl.DataFrame {
  const by = options.by ?? DEFAULT_BY;
  const latest = latestRatings(ratings);
  const rated = records.filter((record) => latest.has(record.recordId));
  const columns: pl.Series[] = by.map((column) =>
    pl.Series(
      column,
      rated.map((record) => String((record as unknown as Record<string, unknown>)[column] ?? "")),
      pl.Utf8,
    )
  );
  columns.push(
    pl.Series("rating", rated.map((record) => latest.get(record.recordId)!.rating), pl.Float64),
  );
  return pl.DataFrame(columns).groupBy(by).agg(
    pl.len().cast(pl.Float64).alias("ratings"),
    pl.col("rating").mean().alias("meanRating"),
  ).sort(by);
}
