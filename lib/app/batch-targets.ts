/**
 * Batch mode's side of platform resolution: the batch adapter of each resolved preset, made
 * with the very settings (key, base URL, model) its live adapter was made with, and the batch
 * price card `<live card id>@batch`. Presets without a batch service are refused with a typed
 * error before anything is sent.
 *
 * @module
 */
import { ADAPTER_FACTORIES, BATCH_ADAPTER_FACTORIES } from "../../adapters/mod.ts";
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
 * Live adapter factories that remember the settings each adapter was made with, so the batch
 * adapter of the same preset gets the same key, base URL and model without a second place that
 * maps env names to settings.
 */
export function rememberingFactories(): {
  factories: Record<string, AdapterFactory>;
  settingsOf: (adapter: Adapter) => Record<string, unknown> | undefined;
} {
  const settings = new WeakMap<Adapter, Record<string, unknown>>();
  const factories = Object.fromEntries(
    Object.entries(ADAPTER_FACTORIES).map(([name, factory]) => [
      name,
      ((given) => {
        const adapter = factory(given);
        settings.set(adapter, given);
        return adapter;
      }) as AdapterFactory,
    ]),
  );
  return { factories, settingsOf: (adapter) => settings.get(adapter) };
}

/** The price card batch rows of `card` are priced with, when data/prices.json has one. */
export function batchPriceCard(
  card: PriceCard | undefined,
  priceCards: Map<string, PriceCard>,
): PriceCard | undefined {
  return card ? priceCards.get(`${card.id}@batch`) : undefined;
}

/**
 * One {@link BatchTarget} per resolved platform. Throws `VisionBenchError("unsupported")`
 * naming the presets that have no batch service.
 */
export function batchTargets(
  resolved: ResolvedPlatform[],
  options: {
    settingsOf: (adapter: Adapter) => Record<string, unknown> | undefined;
    priceCards: Map<string, PriceCard>;
    limits?: Partial<BatchLimits>;
  },
): BatchTarget[] {
  const unsupported = resolved.filter((platform) =>
    !(BATCH_PLATFORMS as readonly string[]).includes(platform.preset.platform) ||
    !BATCH_ADAPTER_FACTORIES[platform.preset.adapter]
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
    batch: BATCH_ADAPTER_FACTORIES[platform.preset.adapter]({
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
