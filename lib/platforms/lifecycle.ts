/**
 * Retired models, as data (`data/model-lifecycle.json`): `resolvePlatform` asks
 * {@link retiredModel} for every preset before building an adapter, so a retired id fails at once
 * with the date and the replacement instead of an opaque 404 from the platform mid-run.
 *
 * @module
 */
import { z } from "zod";
import lifecycleData from "../../data/model-lifecycle.json" with { type: "json" };

/** One retired model (or family of dated snapshots). */
export const RetiredModelSchema = z.object({
  platform: z.string().min(1),
  model: z.string().min(1),
  /** `prefix` covers dated snapshots and `-latest` aliases of a family. */
  match: z.enum(["exact", "prefix"]),
  /** YYYY-MM-DD, or YYYY-MM when only the month is published. */
  retiredOn: z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/),
  replacement: z.string().min(1),
  source: z.string().url(),
});

/** A retired model entry. */
export type RetiredModel = z.infer<typeof RetiredModelSchema>;

const LifecycleFileSchema = z.object({
  $comment: z.string().optional(),
  retired: z.array(RetiredModelSchema),
});

/** Every retired model of data/model-lifecycle.json, parsed once at import: a broken data file fails loudly at start-up, not mid-run. */
export const RETIRED_MODELS: readonly RetiredModel[] =
  LifecycleFileSchema.parse(lifecycleData).retired;

/**
 * The retirement entry for `model` on `platform` (from `retired`, @default the data file), or
 * `undefined` when it is not retired.
 *
 * @example
 * ```ts
 * retiredModel("anthropic", "claude-3-5-haiku-20241022")?.replacement; // "claude-haiku-4-5"
 * ```
 */
export function retiredModel(
  platform: string,
  model: string,
  retired: readonly RetiredModel[] = RETIRED_MODELS,
): RetiredModel | undefined {
  return retired.find((entry) =>
    entry.platform === platform &&
    (entry.match === "exact" ? model === entry.model : model.startsWith(entry.model))
  );
}
