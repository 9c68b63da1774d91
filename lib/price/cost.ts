/**
 * Pricing: turns what one call used (tokens, GPU seconds, wall-clock time) into US dollars with a
 * dated price card, for every billing shape a platform can have.
 *
 * Conventions every adapter follows so that nothing is billed twice:
 * - `usage.inputTokens` is the platform's whole prompt count and INCLUDES image tokens (OpenAI
 *   `prompt_tokens`, Anthropic `input_tokens`, Gemini `promptTokenCount`, Kimi `prompt_tokens`).
 *   `usage.imageTokens` is a part of it, billed at `imageInputPerMTok` only when the card has one.
 * - `usage.outputTokens` is the visible answer; `usage.reasoningTokens` is reported only when the
 *   platform counts it apart (Gemini `thoughtsTokenCount`) and is billed as output on top of it.
 *   Platforms whose output count already holds reasoning (OpenAI `completion_tokens`) leave
 *   `reasoningTokens` undefined.
 * - A count the basis needs and the call did not report is an error, never $0.
 *
 * @module
 */
import { readDataFile } from "../util/data-file.ts";
import { z } from "zod";
import type { Usage } from "../contract/adapter.ts";
import { VisionBenchError } from "../contract/errors.ts";
import { type CostBasis, type PriceCard, PriceCardSchema } from "../contract/price-card.ts";
import type { ResultRecord } from "../contract/record.ts";

/** The price table shipped with visionbench. */
export const DEFAULT_PRICES_PATH: URL = new URL("../../data/prices.json", import.meta.url);

const PriceFileSchema = z.object({ cards: z.array(PriceCardSchema).min(1) });

/**
 * Reads and validates a price table (`{cards: PriceCard[]}`) into a map by card id.
 * Throws `VisionBenchError("config")` when the file cannot be read, does not validate, or repeats
 * a card id.
 *
 * @param path @default data/prices.json
 * @example
 * ```ts
 * const cards = await loadPriceCards();
 * const card = cards.get("openai/gpt-4o-mini");
 * console.log(card);
 * ```
 */
export async function loadPriceCards(
  path: string | URL = DEFAULT_PRICES_PATH,
): Promise<Map<string, PriceCard>> {
  const file = await readDataFile(path, PriceFileSchema, "price cards");
  const cards = new Map<string, PriceCard>();
  for (const card of file.cards) {
    if (cards.has(card.id)) {
      throw new VisionBenchError("config", `price card ${card.id} appears twice in ${path}`);
    }
    cards.set(card.id, card);
  }
  return cards;
}

/** What one call used, as far as the billing bases need it. */
export interface CostInput {
  /** Token counts as reported by the platform (undefined = not reported, never 0). */
  usage: Usage;
  /** Billed compute seconds (Replicate predict_time, RunPod executionTime). */
  gpuSeconds?: number;
  /** Wall-clock latency of the call; the `hourly` basis divides the server's time by it. */
  latencyMs?: number;
  /** Calls in flight on the platform during the run. @default 1 */
  concurrency?: number;
}

/** The cost of one call. */
export interface CostResult {
  costUsd: number;
  /** What the call would cost through the platform's batch API, when the card has one. */
  batchCostUsd?: number;
  basis: CostBasis;
}

const MILLION = 1_000_000;
const MS_PER_HOUR = 3_600_000;

/**
 * Counts above this are no real call's usage (and past it sums lose integer precision or reach
 * Infinity, which JSON writes as null): a platform that reports one gets a costError, not a
 * number nobody can use.
 */
export const MAX_BILLABLE_COUNT = Number.MAX_SAFE_INTEGER;

/**
 * Computes the cost of one call from a price card:
 * - `tokens`: inputTokens × inputPerMTok + (outputTokens + reasoningTokens) × outputPerMTok, per
 *   1M; when the card has `imageInputPerMTok`, the `imageTokens` part of inputTokens is billed at
 *   that rate instead (and must be reported).
 * - `gpu_seconds`: gpuSeconds × perGpuSecond.
 * - `hourly`: perHour × latency in hours ÷ concurrency ÷ utilisation (the server's $/h over the
 *   throughput the run measured, and the share of its hours it is kept busy, 1 unless the card
 *   says).
 * - `subscription`: perMonth ÷ monthlyVolume. `per_image`: perImage. `free`: 0.
 *
 * `batchCostUsd` = costUsd × batchMultiplier when the card has one.
 * Throws `VisionBenchError("pricing")` when a count the basis needs is missing, not a finite number
 * ≥ 0, or above {@link MAX_BILLABLE_COUNT}, and when the cost itself is not finite.
 *
 * @example
 * ```ts
 * import type { PriceCard } from "../contract/price-card.ts";
 * declare const card: PriceCard;
 * computeCost(card, { usage: { inputTokens: 25_520, outputTokens: 180 } }).costUsd;
 * ```
 */
export function computeCost(card: PriceCard, input: CostInput): CostResult {
  const costUsd = finiteCost(card, baseCost(card, input));
  return card.batchMultiplier === undefined ? { costUsd, basis: card.basis } : {
    costUsd,
    batchCostUsd: finiteCost(card, costUsd * card.batchMultiplier),
    basis: card.basis,
  };
}

function finiteCost(card: PriceCard, costUsd: number): number {
  if (!Number.isFinite(costUsd) || costUsd < 0) {
    throw pricingError(card, `the cost comes out as ${costUsd}, not a finite number >= 0`);
  }
  return costUsd;
}

function baseCost(card: PriceCard, input: CostInput): number {
  switch (card.basis) {
    case "tokens": {
      const usage = input.usage;
      const inputTokens = required(card, "inputTokens", usage.inputTokens);
      const outputTokens = required(card, "outputTokens", usage.outputTokens);
      const reasoningTokens = optionalCount(card, "reasoningTokens", usage.reasoningTokens);
      const output = (outputTokens + reasoningTokens) * card.outputPerMTok;
      if (card.imageInputPerMTok === undefined) {
        return (inputTokens * card.inputPerMTok + output) / MILLION;
      }
      const imageTokens = required(card, "imageTokens", usage.imageTokens);
      if (imageTokens > inputTokens) {
        throw pricingError(
          card,
          `imageTokens (${imageTokens}) exceed inputTokens (${inputTokens}); inputTokens must include the image`,
        );
      }
      const textTokens = inputTokens - imageTokens;
      return (textTokens * card.inputPerMTok + imageTokens * card.imageInputPerMTok + output) /
        MILLION;
    }
    case "gpu_seconds":
      return required(card, "gpuSeconds", input.gpuSeconds) * card.perGpuSecond;
    case "hourly": {
      const latencyMs = required(card, "latencyMs", input.latencyMs);
      const concurrency = input.concurrency ?? 1;
      if (!Number.isInteger(concurrency) || concurrency < 1) {
        throw pricingError(card, `concurrency must be a positive integer, got ${concurrency}`);
      }
      return card.perHour * (latencyMs / MS_PER_HOUR) / concurrency / (card.utilisation ?? 1);
    }
    case "subscription":
      return card.perMonth / card.monthlyVolume;
    case "per_image":
      return card.perImage;
    case "free":
      return 0;
  }
}

/**
 * Recomputes a record's cost from the price card stored in it and its own counts (inputTokens,
 * outputTokens, imageTokens, reasoningTokens, gpuSeconds, latencyMs, concurrency) — nothing else.
 * Throws `VisionBenchError("pricing")` when the record has no price card or lacks a count.
 *
 * @example
 * ```ts
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const record: ResultRecord;
 * const { costUsd } = recomputeCost(record); // equals record.costUsd
 * console.log(costUsd);
 * ```
 */
export function recomputeCost(record: ResultRecord): CostResult {
  if (record.price === undefined) {
    throw new VisionBenchError(
      "pricing",
      `record ${record.recordId} carries no price card, so its cost cannot be recomputed`,
    );
  }
  return computeCost(record.price, costInputOf(record));
}

/**
 * What a recorded call is billed on (tokens, GPU seconds, latency and concurrency), as
 * {@link computeCost} takes it: so the recorded card and today's card price the same usage.
 */
export function costInputOf(record: ResultRecord): CostInput {
  return {
    usage: {
      inputTokens: record.inputTokens,
      outputTokens: record.outputTokens,
      imageTokens: record.imageTokens,
      reasoningTokens: record.reasoningTokens,
    },
    gpuSeconds: record.gpuSeconds,
    latencyMs: record.latencyMs,
    concurrency: record.concurrency,
  };
}

/**
 * Dollars per 1,000 images from dollars per image.
 *
 * @example
 * ```ts
 * costPerThousand(0.00168); // 1.68
 * ```
 */
export function costPerThousand(costUsdPerImage: number): number {
  if (!Number.isFinite(costUsdPerImage) || costUsdPerImage < 0) {
    throw new VisionBenchError(
      "usage",
      `cost per image must be a finite number >= 0, got ${costUsdPerImage}`,
    );
  }
  return costUsdPerImage * 1000;
}

function required(card: PriceCard, field: string, value: number | undefined): number {
  if (value === undefined) {
    throw pricingError(
      card,
      `bills by ${card.basis} but the call reported no ${field}; the cost is unknown, not $0`,
    );
  }
  return checkedCount(card, field, value);
}

function optionalCount(card: PriceCard, field: string, value: number | undefined): number {
  return value === undefined ? 0 : checkedCount(card, field, value);
}

function checkedCount(card: PriceCard, field: string, value: number): number {
  // `typeof` first: a platform may send "12" where the SDK types promise a number.
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw pricingError(card, `${field} must be a finite number >= 0, got ${shown(value)}`);
  }
  if (value > MAX_BILLABLE_COUNT) {
    throw pricingError(
      card,
      `${field} of ${value} is beyond any real call (more than ${MAX_BILLABLE_COUNT})`,
    );
  }
  return value;
}

function shown(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : String(value);
}

function pricingError(card: PriceCard, message: string): VisionBenchError {
  return new VisionBenchError("pricing", `price card ${card.id}: ${message}`, {
    platform: card.platform,
  });
}
