/**
 * How robust the pick is: redraw the image set with replacement (a bootstrap), recompute every
 * option's p50 latency, mean cost and mean quality on each draw, decide again, and count how
 * often each option wins. A pick that wins 95 % of draws does not hang on a few images.
 *
 * @example
 * ```ts
 * declare const samples: CallSample[];
 * const result = bootstrapPick(samples, { minQuality: 6, maxP50Ms: 5000 });
 * result.shareOf(result.leader!); // 0.87: the pick in 87 % of 1,000 resamples
 * ```
 *
 * @module
 */
import { VisionBenchError } from "../contract/errors.ts";
import { type DecideOptions, type DecisionRow, optionLabel, rankOptions } from "./decision.ts";

/** One call: the option it belongs to, its image, and its numbers (null when unknown). */
export interface CallSample {
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

/** Options of {@link bootstrapPick}. */
export interface BootstrapOptions extends DecideOptions {
  /** @default 1000 */
  draws?: number;
  /** Seed of the deterministic generator. @default 1 */
  seed?: number;
}

/** What {@link bootstrapPick} found. */
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

interface OptionCalls {
  row: DecisionRow;
  /** Per image: latencies, costs and scores of that option's calls on it. */
  byImage: Map<string, { latency: number[]; cost: number[]; score: number[] }>;
}

/**
 * Resamples the images `draws` times and decides on each draw (see `decide`).
 * Throws a `usage` error when `draws` is not a positive integer.
 *
 * @example
 * ```ts
 * declare const samples: CallSample[];
 * const { leader, wins } = bootstrapPick(samples, { draws: 1000 });
 * console.log(leader, wins);
 * ```
 */
export function bootstrapPick(
  samples: readonly CallSample[],
  options: BootstrapOptions = {},
): BootstrapResult {
  const { draws = 1000, seed = 1, ...decide } = options;
  if (!Number.isInteger(draws) || draws <= 0) {
    throw new VisionBenchError("usage", `draws must be a positive integer, got ${draws}`);
  }
  const optionsByLabel = new Map<string, OptionCalls>();
  for (const sample of samples) {
    const row: DecisionRow = { platform: sample.platform, model: sample.model };
    if (sample.variant !== undefined) row.variant = sample.variant;
    const label = optionLabel(row);
    let entry = optionsByLabel.get(label);
    if (!entry) optionsByLabel.set(label, entry = { row, byImage: new Map() });
    let image = entry.byImage.get(sample.imageId);
    if (!image) entry.byImage.set(sample.imageId, image = { latency: [], cost: [], score: [] });
    if (sample.latencyMs !== null) image.latency.push(sample.latencyMs);
    if (sample.costUsd !== null) image.cost.push(sample.costUsd);
    if (sample.score !== null) image.score.push(sample.score);
  }
  const imageIds = [...new Set(samples.map((sample) => sample.imageId))].sort();
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
        const calls = byImage.get(imageId);
        if (!calls) continue;
        latency.push(...calls.latency);
        for (const value of calls.cost) (cost += value, costN++);
        for (const value of calls.score) (score += value, scoreN++);
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
