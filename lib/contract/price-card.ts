/**
 * Price cards: the dated, sourced prices a cost is computed from. A copy of the card is stored
 * in every record so that `costUsd` can be recomputed from the record alone.
 *
 * @module
 */
import { z } from "zod";

/** How a platform bills. */
export const COST_BASES = [
  "tokens",
  "per_image",
  "gpu_seconds",
  "hourly",
  "subscription",
  "free",
] as const;
export type CostBasis = typeof COST_BASES[number];

const common = {
  /** Card id, `<platform>/<model>` by convention, e.g. `openai/gpt-4o-mini`. */
  id: z.string().min(1),
  platform: z.string().min(1),
  model: z.string().min(1),
  currency: z.literal("USD"),
  /** Date the price was read, `YYYY-MM-DD`. */
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** Where the price was read (a URL or a document). */
  source: z.string().min(1),
  note: z.string().optional(),
  /** Fraction of the real-time price charged by the platform's batch API (0.5 = half), when it has one. */
  batchMultiplier: z.number().positive().max(1).optional(),
  /**
   * What the price assumes or leaves out, each shown in the report beside the rows it affects:
   * `provisional` (not read from the platform), `implied` (derived, not published), `excludes`
   * (billing the card leaves out, e.g. idle workers), `retired` (the model no longer answers).
   */
  caveats: z.array(z.object({
    kind: z.enum(["volume", "utilisation", "excludes", "provisional", "implied", "retired"]),
    text: z.string().min(1),
  })).optional(),
};

const money = z.number().nonnegative();

/** A price card, discriminated by `basis`. */
export const PriceCardSchema = z.discriminatedUnion("basis", [
  z.object({
    ...common,
    basis: z.literal("tokens"),
    /** USD per 1M input tokens (text and image unless `imageInputPerMTok` is set). */
    inputPerMTok: money,
    outputPerMTok: money,
    /** USD per 1M image input tokens when billed apart from text. */
    imageInputPerMTok: money.optional(),
    /** USD per 1M cached input tokens. */
    cachedInputPerMTok: money.optional(),
  }),
  z.object({ ...common, basis: z.literal("per_image"), perImage: money }),
  z.object({
    ...common,
    basis: z.literal("gpu_seconds"),
    /** USD per billed GPU second. */
    perGpuSecond: money,
    /** Hardware the rate is for, e.g. `nvidia-a40`. */
    hardware: z.string().min(1),
  }),
  z.object({
    ...common,
    basis: z.literal("hourly"),
    /** USD per hour of the server, whatever it does. Divided by measured throughput. */
    perHour: money,
    hardware: z.string().optional(),
    /** Share of the server's hours spent answering (0–1]; idle hours are paid too. @default 1 */
    utilisation: z.number().positive().max(1).optional(),
  }),
  z.object({
    ...common,
    basis: z.literal("subscription"),
    perMonth: money,
    /** Images a month the subscription is assumed to be used for (the divisor). */
    monthlyVolume: z.number().int().positive(),
    plan: z.string().optional(),
  }),
  z.object({ ...common, basis: z.literal("free") }),
]);

/** A validated price card. */
export type PriceCard = z.infer<typeof PriceCardSchema>;
