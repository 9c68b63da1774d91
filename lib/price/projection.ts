/**
 * Cost projections: what a measured cost per image becomes at 1,000, 10,000 or a million images,
 * in real time and through the platform's batch API.
 *
 * @module
 */
import { VisionBenchError } from "../contract/errors.ts";

/** Volumes projected when none are given. */
export const DEFAULT_PROJECTION_VOLUMES: readonly number[] = [1_000, 10_000, 1_000_000];

/** Options of {@link projectCost}. */
export interface ProjectCostOptions {
  /** Measured (mean) cost of one image in real time. */
  perImageUsd: number;
  /** Cost of one image through the batch API, when the platform has one. */
  batchPerImageUsd?: number;
  /** Image counts to project. @default [1_000, 10_000, 1_000_000] */
  images?: readonly number[];
}

/** The cost of one volume. */
export interface CostProjection {
  images: number;
  costUsd: number;
  /** Present when `batchPerImageUsd` was given. */
  batchCostUsd?: number;
}

/**
 * Projects a cost per image linearly to larger volumes. Linear is right for token, GPU-second and
 * per-image billing; for `hourly` it assumes the server stays as busy as during the run, and for
 * `subscription` it holds only while the volume stays within the plan's assumed monthly volume.
 *
 * @example
 * ```ts
 * projectCost({ perImageUsd: 0.00004, batchPerImageUsd: 0.00002 });
 * // [{ images: 1000, costUsd: 0.04, batchCostUsd: 0.02 }, … { images: 1000000, costUsd: 40, … }]
 * ```
 */
export function projectCost(options: ProjectCostOptions): CostProjection[] {
  const { perImageUsd, batchPerImageUsd, images = DEFAULT_PROJECTION_VOLUMES } = options;
  checkUsd("perImageUsd", perImageUsd);
  if (batchPerImageUsd !== undefined) checkUsd("batchPerImageUsd", batchPerImageUsd);
  return images.map((count) => {
    if (!Number.isInteger(count) || count < 0) {
      throw new VisionBenchError("usage", `image counts must be integers >= 0, got ${count}`);
    }
    const projection: CostProjection = { images: count, costUsd: perImageUsd * count };
    if (batchPerImageUsd !== undefined) projection.batchCostUsd = batchPerImageUsd * count;
    return projection;
  });
}

function checkUsd(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new VisionBenchError("usage", `${name} must be a finite number >= 0, got ${value}`);
  }
}
