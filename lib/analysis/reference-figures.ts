/**
 * Published reference figures (`data/reference-figures.json`): the original study's average and
 * fastest seconds and cost per 1,000 images per platform, to set beside a fresh run.
 *
 * @module
 */
import { readDataFile } from "../util/data-file.ts";
import { z } from "zod";
import type { DecisionRow } from "./decision.ts";

/** One published figure. */
export const ReferenceFigureSchema = z.object({
  /** Preset id in data/presets.json the figure compares with. */
  preset: z.string().min(1),
  /** Model and setup as the study named them. */
  model: z.string().min(1),
  avgSeconds: z.number().positive(),
  /** `null` when the study did not give it. */
  fastestSeconds: z.number().positive().nullable(),
  /** The study's projected USD per 1,000 images; `null` when not given. */
  usdPer1000: z.number().nonnegative().nullable(),
  /** Images the figure was measured on. */
  images: z.number().int().positive(),
  prompt: z.string().min(1),
  /** Where the figure was published. */
  source: z.string().min(1),
  note: z.string().optional(),
  /** Why the published cost cannot be reproduced from today's price cards, where it cannot. */
  costNote: z.string().optional(),
  /** Description quality 0–10 where the study stated one (it did only for its winner). */
  quality: z.number().min(0).max(10).nullable().optional(),
  /** Where the quality figure comes from. */
  qualitySource: z.string().optional(),
});
/** One published figure. */
export type ReferenceFigure = z.infer<typeof ReferenceFigureSchema>;

/**
 * The published figures as options for `decide()`: the study's average seconds stand in for the
 * p50 (it published averages only), its projected USD per 1,000 for the cost, and its stated
 * quality where it gave one (unknown elsewhere, so those rows pass only a floor of 0).
 *
 * @example
 * ```ts
 * import { decide } from "./decision.ts";
 * decide(publishedOptions(await loadReferenceFigures()), { minQuality: 6 }).pick?.row.platform; // "gemini"
 * ```
 */
export function publishedOptions(figures: readonly ReferenceFigure[]): PublishedOption[] {
  return figures.map((figure) => ({
    platform: figure.preset,
    model: figure.model,
    p50LatencyMs: figure.avgSeconds * 1000,
    costPer1k: figure.usdPer1000,
    meanScore: figure.quality ?? null,
    n: figure.images,
    published: true,
  }));
}

/** A published figure as a decision row. */
export interface PublishedOption extends DecisionRow {
  published: true;
}

const ReferenceFileSchema = z.object({ figures: z.array(ReferenceFigureSchema).min(1) });

/** The reference figures shipped with visionbench. */
export const DEFAULT_REFERENCE_PATH: URL = new URL(
  "../../data/reference-figures.json",
  import.meta.url,
);

/**
 * Reads and validates the published reference figures.
 * Throws `VisionBenchError("config")` when the file cannot be read or does not validate.
 *
 * @param path @default data/reference-figures.json
 * @example
 * ```ts
 * const figures = await loadReferenceFigures();
 * figures.find((figure) => figure.preset === "gemini")?.usdPer1000; // 0.04
 * ```
 */
export async function loadReferenceFigures(
  path: string | URL = DEFAULT_REFERENCE_PATH,
): Promise<ReferenceFigure[]> {
  return (await readDataFile(path, ReferenceFileSchema, "reference figures")).figures;
}
