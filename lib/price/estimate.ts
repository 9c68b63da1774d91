/**
 * The spend estimate of a run before it starts: each planned call priced from its platform's card
 * with the image-token rules of image-tokens.ts (or, better, what the same platform · model ·
 * size cost per call when it was last measured), cases already recorded or cached at $0, and a
 * cap that refuses a run whose paid part is estimated above it.
 *
 * @module
 */
import type { PriceCard } from "../contract/price-card.ts";
import { VisionBenchError } from "../contract/errors.ts";
import { formatUsd } from "../util/format.ts";
import { computeCost } from "./cost.ts";
import { estimateImageTokens } from "./image-tokens.ts";

/** The default cap of a run's estimated spend, in US dollars. */
export const DEFAULT_MAX_SPEND_USD = 1;

/**
 * Output tokens assumed per description when nothing was measured: "describe in detail" answers
 * run 50–200 tokens.
 */
export const ASSUMED_OUTPUT_TOKENS = 100;
/** Image tokens assumed when a platform has no documented rule (about a 1-megapixel image). */
export const ASSUMED_IMAGE_TOKENS = 1_500;
/** Billed GPU seconds per call assumed when nothing was measured. */
export const ASSUMED_GPU_SECONDS = 3;
/** Latency per call assumed for hourly-billed servers when nothing was measured. */
export const ASSUMED_LATENCY_MS = 30_000;

/** One planned call (or several alike), as the estimate needs it. */
export interface PlannedCalls {
  preset: string;
  platform: string;
  model: string;
  /** Absent when data/prices.json has no card: the cost is unknown. */
  priceCard?: PriceCard;
  /** Size of the image as sent. */
  width: number;
  height: number;
  prompt: string;
  maxOutputTokens: number;
  /** Calls alike. */
  calls: number;
  /** Cases that cost nothing: already recorded in this run, or answered from the cache. */
  free: number;
  /** Mean $ per call of the same preset · model · size, as last measured. */
  measuredUsdPerCall?: number;
  /** Not held to the cap: answered by a server on this machine (an emulator, a local Ollama). */
  local?: boolean;
  /** Sent through the platform's batch API: priced with the card's batch multiplier. */
  batch?: boolean;
}

/** One platform's part of the estimate. */
export interface PlatformEstimate {
  preset: string;
  model: string;
  /** Calls that will reach the platform. */
  calls: number;
  /** Cases already recorded or cached. */
  free: number;
  /** Estimated dollars; undefined when there is no price card. */
  costUsd?: number;
  /** Held to the cap (paid, and not on this machine). */
  capped: boolean;
  /** Where the figure comes from. */
  source: "free" | "measured" | "price card" | "no price card";
}

/** What a run is expected to cost. */
export interface SpendEstimate {
  platforms: PlatformEstimate[];
  /** Estimated dollars of every call with a price. */
  totalUsd: number;
  /** The part held to the cap. */
  cappedUsd: number;
  /** One line per platform and a total, for a terminal or a notebook. */
  text: string;
}

/** The event a run sends with its estimate, before any call. */
export interface EstimateEvent {
  type: "estimate";
  estimate: SpendEstimate;
}

/**
 * Estimates the cost of one call from its card: image tokens by the platform's rule (else
 * {@link ASSUMED_IMAGE_TOKENS}), the prompt at ~4 characters a token, {@link ASSUMED_OUTPUT_TOKENS}
 * out (at most the output limit); GPU seconds and latency as assumed above.
 *
 * @example
 * ```ts
 * import type { PriceCard } from "../contract/price-card.ts";
 * declare const card: PriceCard;
 * estimateCallUsd(card, { platform: "openai", model: "gpt-4o-mini", width: 512, height: 384, prompt: "Describe", maxOutputTokens: 300 });
 * ```
 */
export function estimateCallUsd(
  card: PriceCard,
  call: Pick<
    PlannedCalls,
    "platform" | "model" | "width" | "height" | "prompt" | "maxOutputTokens" | "batch"
  >,
): number {
  const imageTokens = estimateImageTokens(call) ?? ASSUMED_IMAGE_TOKENS;
  const textTokens = Math.ceil(call.prompt.length / 4) + 10;
  const cost = computeCost(card, {
    usage: {
      inputTokens: imageTokens + textTokens,
      imageTokens,
      outputTokens: Math.min(ASSUMED_OUTPUT_TOKENS, call.maxOutputTokens),
    },
    gpuSeconds: ASSUMED_GPU_SECONDS,
    latencyMs: ASSUMED_LATENCY_MS,
  });
  return call.batch ? cost.batchCostUsd ?? cost.costUsd : cost.costUsd;
}

/**
 * Sums planned calls into an estimate per platform. A measured $/call wins over the card.
 *
 * @example
 * ```ts
 * declare const planned: PlannedCalls[];
 * console.log(estimateSpend(planned).text);
 * ```
 */
export function estimateSpend(planned: readonly PlannedCalls[]): SpendEstimate {
  const byPlatform = new Map<string, PlatformEstimate>();
  for (const item of planned) {
    const key = `${item.preset}\u0000${item.model}`;
    const free = item.priceCard?.basis === "free";
    const perCall = item.priceCard === undefined
      ? undefined
      : free
      ? 0
      : item.measuredUsdPerCall ?? estimateCallUsd(item.priceCard, item);
    const entry = byPlatform.get(key) ?? {
      preset: item.preset,
      model: item.model,
      calls: 0,
      free: 0,
      costUsd: 0,
      capped: !free && !item.local,
      source: free
        ? "free"
        : item.priceCard === undefined
        ? "no price card"
        : item.measuredUsdPerCall !== undefined
        ? "measured"
        : "price card",
    } satisfies PlatformEstimate as PlatformEstimate;
    entry.calls += item.calls;
    entry.free += item.free;
    entry.costUsd = perCall === undefined || entry.costUsd === undefined
      ? undefined
      : entry.costUsd + perCall * item.calls;
    byPlatform.set(key, entry);
  }
  const platforms = [...byPlatform.values()];
  const sum = (rows: PlatformEstimate[]) =>
    rows.reduce((total, row) => total + (row.costUsd ?? 0), 0);
  const totalUsd = sum(platforms);
  const cappedUsd = sum(platforms.filter((row) => row.capped));
  const lines = platforms.map((row) =>
    `  ${row.preset} · ${row.model}: ${row.calls} call${row.calls === 1 ? "" : "s"}` +
    (row.free ? ` (+${row.free} recorded or cached, $0)` : "") +
    ` · ${row.costUsd === undefined ? "cost unknown" : `~${formatUsd(row.costUsd)}`}` +
    ` (${row.source}${
      row.capped ? "" : row.source === "free" ? "" : ", on this machine: not capped"
    })`
  );
  const text = [
    `Planned calls and estimated cost (before any call): ~${formatUsd(totalUsd)} in all`,
    ...lines,
  ].join("\n");
  return { platforms, totalUsd, cappedUsd, text };
}

/**
 * Throws a `usage` error, saying how to raise the cap, when the capped part of `estimate`
 * exceeds `maxSpendUsd`.
 *
 * @example
 * ```ts
 * declare const estimate: SpendEstimate;
 * checkSpend(estimate, 1); // throws when more than $1 of paid calls is planned
 * ```
 */
export function checkSpend(estimate: SpendEstimate, maxSpendUsd: number): void {
  if (!(maxSpendUsd >= 0)) {
    throw new VisionBenchError("usage", `maxSpendUsd must be a number >= 0, got ${maxSpendUsd}`);
  }
  if (estimate.cappedUsd <= maxSpendUsd) return;
  throw new VisionBenchError(
    "usage",
    `not started: the estimated cost ~${formatUsd(estimate.cappedUsd)} exceeds maxSpendUsd ` +
      `${formatUsd(maxSpendUsd)}. To run it, raise the cap: maxSpendUsd = ` +
      `${Math.ceil(estimate.cappedUsd * 1.25 * 100) / 100} in the notebook's parameters cell, ` +
      `VB_MAX_SPEND_USD, or --max-spend on the command line; or lower limit, resize or ` +
      `platforms.\n${estimate.text}`,
  );
}
