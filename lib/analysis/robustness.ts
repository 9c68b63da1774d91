/**
 * How robust the pick is: redraw the image set with replacement (a bootstrap), recompute every
 * option's p50 latency, mean cost and mean quality on each draw, decide again, and count how
 * often each option wins. A pick that wins 95 % of draws does not hang on a few images.
 *
 * The draws read per-image aggregates (per option and image: the median of its timed latencies,
 * its mean cost and mean score), so a draw costs options × images whatever the number of
 * records: an option's p50 on a draw is the median of the drawn images' medians, its cost and
 * quality the mean of their means (every image weighs the same, however often it was repeated).
 *
 * @example
 * ```ts
 * declare const aggregates: ImageAggregate[];
 * const result = bootstrapImages(aggregates, { minQuality: 6, maxP50Ms: 5000 });
 * result.shareOf(result.leader!); // 0.87: the pick in 87 % of 1,000 resamples
 * ```
 *
 * @module
 */
import { VisionBenchError } from "../contract/errors.ts";
import { type DecideOptions, type DecisionRow, optionLabel, rankOptions } from "./decision.ts";

/** Options of {@link bootstrapImages}. */
export interface BootstrapOptions extends DecideOptions {
  /** @default 1000 */
  draws?: number;
  /** Seed of the deterministic generator. @default 1 */
  seed?: number;
}

/** What {@link bootstrapImages} found. */
export interface BootstrapResult {
  draws: number;
  /** Images resampled. */
  images: number;
  /**
   * Wins per platform · model, most first: its image sizes are options of one platform, so a
   * draw won by any of them counts once for it.
   */
  wins: { label: string; count: number }[];
  /** Wins per platform · model · size (the option that won each draw), most first. */
  optionWins: { label: string; count: number }[];
  /** The most frequent winning platform · model and its share of the draws; undefined without any. */
  leader?: string;
  /** Share of draws won by `label`: a platform · model, or a platform · model · size. */
  shareOf(label: string): number;
}

/** Fewer images than this and the resampling says little: the report warns. */
export const MIN_ROBUST_IMAGES = 20;

/** A small deterministic generator (mulberry32): same seed, same draws, stable tests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One option on one image: what a draw redraws (null when unknown). */
export interface ImageAggregate {
  platform: string;
  model: string;
  variant?: string;
  imageId: string;
  /** Median of the image's timed latencies. */
  latencyMs: number | null;
  /** Mean cost of its priced calls. */
  costUsd: number | null;
  /** Mean score of its scored calls. */
  score: number | null;
}

/**
 * Resamples the images `draws` times and decides on each draw, from per-image aggregates (one
 * per option and image: `compareReport` builds them with a Polars group-by).
 * Throws a `usage` error when `draws` is not a positive integer.
 *
 * @example
 * ```ts
 * declare const aggregates: ImageAggregate[];
 * bootstrapImages(aggregates, { minQuality: 6, maxP50Ms: 5000 }).leader;
 * ```
 */
export function bootstrapImages(
  aggregates: readonly ImageAggregate[],
  options: BootstrapOptions = {},
): BootstrapResult {
  const { draws = 1000, seed = 1, ...decide } = options;
  if (!Number.isInteger(draws) || draws <= 0) {
    throw new VisionBenchError("usage", `draws must be a positive integer, got ${draws}`);
  }
  const optionsByLabel = new Map<
    string,
    { row: DecisionRow; byImage: Map<string, ImageAggregate> }
  >();
  for (const aggregate of aggregates) {
    const row: DecisionRow = { platform: aggregate.platform, model: aggregate.model };
    if (aggregate.variant !== undefined && aggregate.variant !== null) {
      row.variant = aggregate.variant;
    }
    const label = optionLabel(row);
    let entry = optionsByLabel.get(label);
    if (!entry) optionsByLabel.set(label, entry = { row, byImage: new Map() });
    entry.byImage.set(aggregate.imageId, aggregate);
  }
  const imageIds = [...new Set(aggregates.map((aggregate) => aggregate.imageId))].sort();
  const random = seededRandom(seed);
  const counts = new Map<string, number>();
  const platformCounts = new Map<string, number>();
  const entries = [...optionsByLabel.values()];
  for (let draw = 0; draw < draws; draw++) {
    const drawn = imageIds.map(() => imageIds[Math.floor(random() * imageIds.length)]);
    const rows = entries.map(({ row, byImage }) => {
      const latency: number[] = [];
      let cost = 0, costN = 0, score = 0, scoreN = 0;
      for (const imageId of drawn) {
        const image = byImage.get(imageId);
        if (!image) continue;
        if (image.latencyMs !== null) latency.push(image.latencyMs);
        if (image.costUsd !== null) (cost += image.costUsd, costN++);
        if (image.score !== null) (score += image.score, scoreN++);
      }
      return {
        ...row,
        p50LatencyMs: median(latency),
        costPer1k: costN ? (cost / costN) * 1000 : null,
        meanScore: scoreN ? score / scoreN : null,
      };
    });
    const winner = rankOptions(rows, decide)[0];
    if (winner) {
      const label = optionLabel(winner);
      counts.set(label, (counts.get(label) ?? 0) + 1);
      const platform = platformLabel(winner);
      platformCounts.set(platform, (platformCounts.get(platform) ?? 0) + 1);
    }
  }
  const sorted = (map: Map<string, number>) =>
    [...map].map(([label, count]) => ({ label, count }))
      .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  const wins = sorted(platformCounts);
  return {
    draws,
    images: imageIds.length,
    wins,
    optionWins: sorted(counts),
    leader: wins[0]?.label,
    shareOf: (label) => ((platformCounts.get(label) ?? counts.get(label)) ?? 0) / draws,
  };
}

/** "platform · model", without the size. */
export function platformLabel(row: DecisionRow): string {
  return optionLabel({ platform: row.platform, model: row.model });
}

/** What happens to the pick when one platform · model's cost per image moves. */
export interface CostSensitivity {
  /** The platform · model whose cost moved. */
  label: string;
  /** Its cost multiplied by this (0.5: halved; 2: doubled). */
  factor: number;
  /** The platform · model · size that then wins; undefined when nothing qualifies. */
  winner?: string;
}

/**
 * Moves each platform · model's cost per image by each factor, one at a time (a price change,
 * or for a subscription the monthly volume, for an hourly server its utilisation: cost per image
 * is inversely proportional to both), decides again, and returns the moves that change the pick.
 *
 * @example
 * ```ts
 * import type { DecisionRow } from "./decision.ts";
 * declare const rows: DecisionRow[];
 * costSensitivity(rows, { minQuality: 6 }); // [] when no halving or doubling changes the pick
 * ```
 */
export function costSensitivity(
  rows: readonly DecisionRow[],
  options: DecideOptions & { factors?: readonly number[] } = {},
): CostSensitivity[] {
  const { factors = [0.5, 2], ...decide } = options;
  const pick = rankOptions(rows, decide)[0];
  const changes: CostSensitivity[] = [];
  for (const label of new Set(rows.map(platformLabel))) {
    for (const factor of factors) {
      const moved = rows.map((row) =>
        platformLabel(row) === label && typeof row.costPer1k === "number"
          ? { ...row, costPer1k: row.costPer1k * factor }
          : row
      );
      const winner = rankOptions(moved, decide)[0];
      if (pick && winner && platformLabel(winner) === platformLabel(pick)) continue;
      if (!pick && !winner) continue;
      changes.push({ label, factor, winner: winner && optionLabel(winner) });
    }
  }
  return changes;
}

/** Median with linear interpolation (as `summarize` computes p50); null for no values. */
function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  const low = Math.floor(middle);
  return sorted[low] + (sorted[Math.ceil(middle)] - sorted[low]) * (middle - low);
}
