/**
 * Batch mode's side of platform resolution: the batch adapter of each resolved preset, made
 * with the very settings (key, base URL, model) its live adapter was made with, and the batch
 * price card `<live card id>@batch`. Presets without a batch service are refused with a typed
 * error before anything is sent.
 *
 * @module
 */
import { loadBatchAdapterFactories } from "../../adapters/registry.ts";
import type { Adapter, AdapterFactory } from "../contract/adapter.ts";
import type { BatchLimits } from "../contract/batch-adapter.ts";
import { VisionBenchError } from "../contract/errors.ts";
import type { PriceCard } from "../contract/price-card.ts";
import type { ResolvedPlatform } from "../platforms/resolve.ts";
import type { BatchTarget } from "../run/batch/batch-runner.ts";
import { capResponses } from "../util/response-cap.ts";

/** Platforms whose batch service visionbench can use. */
export const BATCH_PLATFORMS = ["openai", "anthropic", "gemini"] as const;

/**
 * The live adapter `factories` (adapterFactoriesFor(), targets.ts), made to remember the settings
 * each adapter was made with, so the batch adapter of the same preset gets the same key, base URL
 * and model without a second place that maps env names to settings.
 */
export function rememberingFactories(factories: Record<string, AdapterFactory>): {
  factories: Record<string, AdapterFactory>;
  settingsOf: (adapter: Adapter) => Record<string, unknown> | undefined;
} {
  const settings = new WeakMap<Adapter, Record<string, unknown>>();
  const remembering = Object.fromEntries(
    Object.entries(factories).map(([name, factory]) => [
      name,
      ((given) => {
        const adapter = factory(given);
        settings.set(adapter, given);
        return adapter;
      }) as AdapterFactory,
    ]),
  );
  return { factories: remembering, settingsOf: (adapter) => settings.get(adapter) };
}

/** The price card batch rows of `card` are priced with, when data/prices.json has one. */
export function batchPriceCard(
  card: PriceCard | undefined,
  priceCards: Map<string, PriceCard>,
): PriceCard | undefined {
  return card ? priceCards.get(`${card.id}@batch`) : undefined;
}

/**
 * One {@link BatchTarget} per resolved platform, each batch adapter module imported now. Rejects
 * with `VisionBenchError("unsupported")` naming the presets that have no batch service.
 */
export async function batchTargets(
  resolved: ResolvedPlatform[],
  options: {
    settingsOf: (adapter: Adapter) => Record<string, unknown> | undefined;
    priceCards: Map<string, PriceCard>;
    limits?: Partial<BatchLimits>;
  },
): Promise<BatchTarget[]> {
  const batchPlatforms = resolved.filter((platform) =>
    (BATCH_PLATFORMS as readonly string[]).includes(platform.preset.platform)
  );
  const factories = await loadBatchAdapterFactories(
    batchPlatforms.map((platform) => platform.preset.adapter),
  );
  const unsupported = resolved.filter((platform) =>
    !batchPlatforms.includes(platform) || !factories[platform.preset.adapter]
  );
  if (unsupported.length > 0) {
    throw new VisionBenchError(
      "unsupported",
      `${
        unsupported.map((platform) => platform.preset.id).join(", ")
      }: no batch service; --mode batch works with ${BATCH_PLATFORMS.join(", ")}`,
    );
  }
  return resolved.map((platform) => ({
    preset: platform.preset.id,
    adapter: platform.adapter,
    priceCard: platform.priceCard,
    concurrency: platform.concurrency,
    batch: factories[platform.preset.adapter]({
      ...options.settingsOf(platform.adapter),
      limits: options.limits,
      // Results files may be hundreds of MB: read line by line, each line capped, never the
      // whole body (error bodies keep their cap).
      resultsFetch: capResponses(globalThis.fetch, {
        maxBytes: Infinity,
        platform: platform.preset.platform,
      }),
    }),
    batchPriceCard: batchPriceCard(platform.priceCard, options.priceCards),
  }));
}
