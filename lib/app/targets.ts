/**
 * From a platform choice to what the runner calls: resolve the preset (keys, base URL, model,
 * price card) with the adapter registry, and shape it as a run target. Shared by the benchmark and
 * the judge so the two resolve platforms the same way.
 *
 * @module
 */
import { loadAdapterFactories } from "../../adapters/registry.ts";
import type { AdapterFactory } from "../contract/adapter.ts";
import type { PriceCard } from "../contract/price-card.ts";
import { type Config, loadConfig } from "../platforms/config.ts";
import {
  loadPresets,
  parsePlatformChoice,
  type PlatformChoice,
  type Preset,
} from "../platforms/presets.ts";
import { type ResolvedPlatform, resolvePlatform } from "../platforms/resolve.ts";
import { loadPriceCards } from "../price/cost.ts";
import type { RunTarget } from "../run/cases.ts";

/** Options of {@link resolveTargets}. */
export interface ResolveTargetsOptions {
  /** @default loadConfig() */
  config?: Config;
  /** @default loadPresets() */
  presets?: Preset[];
  /** @default loadPriceCards() */
  priceCards?: Map<string, PriceCard>;
  /** Calls in flight per platform. @default the preset's */
  concurrency?: number;
  /** Adapter factories by name. @default the registry's (adapters/registry.ts), loading only those the choices use */
  factories?: Record<string, AdapterFactory>;
  /** Largest 2xx answer body read from a platform. @default the resolver's (16 MiB) */
  maxResponseBytes?: number;
}

/**
 * Resolves platform choices given as `preset`, `preset:model` or parsed choices: adapter, keys,
 * base URL, model, price card. Throws a `config` error naming a missing variable, an unknown
 * preset or a retired model.
 *
 * @example
 * ```ts
 * const [openai] = await resolvePlatforms(["openai:gpt-4o"]);
 * console.log(openai);
 * ```
 */
export async function resolvePlatforms(
  choices: readonly (string | PlatformChoice)[],
  options: ResolveTargetsOptions = {},
): Promise<ResolvedPlatform[]> {
  const config = options.config ?? loadConfig();
  const presets = options.presets ?? await loadPresets();
  const priceCards = options.priceCards ?? await loadPriceCards();
  const parsed = choices.map((choice) =>
    typeof choice === "string" ? parsePlatformChoice(choice) : choice
  );
  const factories = options.factories ?? await adapterFactoriesFor(parsed, presets);
  return parsed.map((choice) =>
    resolvePlatform(choice, presets, {
      config,
      factories,
      priceCards,
      concurrency: options.concurrency,
      maxResponseBytes: options.maxResponseBytes,
    })
  );
}

/**
 * The live factories of the adapters `choices` use, each adapter module (and its SDK) imported
 * now: a run loads the platforms it calls, not all of them. Unknown presets are left to the
 * resolver to report.
 *
 * @example
 * ```ts
 * import { loadPresets } from "../platforms/presets.ts";
 * const factories = await adapterFactoriesFor([{ preset: "local" }], await loadPresets());
 * console.log(Object.keys(factories)); // ["local"]
 * ```
 */
export async function adapterFactoriesFor(
  choices: readonly PlatformChoice[],
  presets: readonly Preset[],
): Promise<Record<string, AdapterFactory>> {
  return await loadAdapterFactories(adapterNames(choices, presets));
}

/** The adapter names of the presets `choices` name (unknown presets left out). */
export function adapterNames(
  choices: readonly PlatformChoice[],
  presets: readonly Preset[],
): string[] {
  return choices.flatMap((choice) =>
    presets.find((preset) => preset.id === choice.preset)?.adapter ?? []
  );
}

/** What the runner calls for a resolved platform. */
export function runTarget(resolved: ResolvedPlatform, simulated = false): RunTarget {
  return {
    preset: resolved.preset.id,
    adapter: resolved.adapter,
    priceCard: resolved.priceCard,
    concurrency: resolved.concurrency,
    // Read when each record is made: an emulator is known by its answers' marker header.
    get simulated() {
      return simulated || resolved.answeredAsEmulator() || undefined;
    },
  };
}

/**
 * Run targets for platform choices (see {@link resolvePlatforms}).
 *
 * @example
 * ```ts
 * const [openai] = await resolveTargets(["openai:gpt-4o"]);
 * console.log(openai);
 * ```
 */
export async function resolveTargets(
  choices: readonly (string | PlatformChoice)[],
  options: ResolveTargetsOptions = {},
): Promise<RunTarget[]> {
  return (await resolvePlatforms(choices, options)).map((platform) => runTarget(platform));
}
