/**
 * Turns presets + configuration into ready adapters. This is where env names meet adapter
 * settings, so adapters never read env themselves.
 *
 * @module
 */
import type { Adapter, AdapterFactory } from "../contract/adapter.ts";
import type { Config } from "./config.ts";
import { VisionBenchError } from "../contract/errors.ts";
import type { PriceCard } from "../contract/price-card.ts";
import { type PlatformChoice, type Preset } from "./presets.ts";
import { type RetiredModel, retiredModel } from "./lifecycle.ts";
import { capResponses } from "../util/response-cap.ts";
import { SIMULATED_HEADER } from "../contract/simulation.ts";

/** A preset resolved against the configuration. */
export interface ResolvedPlatform {
  preset: Preset;
  model: string;
  adapter: Adapter;
  /** Undefined when data/prices.json has no card for this platform/model: records then carry a costError. */
  priceCard?: PriceCard;
  concurrency: number;
  /**
   * True once any answer of this platform carried the emulators' marker header: its records are
   * simulated, error rows included (an error has no description to carry the marker).
   */
  answeredAsEmulator(): boolean;
}

/** Options of {@link resolvePlatform}. */
export interface ResolveOptions {
  config: Config;
  factories: Record<string, AdapterFactory>;
  priceCards: Map<string, PriceCard>;
  /** Overrides the preset's concurrency. */
  concurrency?: number;
  /** Models refused as retired. @default data/model-lifecycle.json */
  retired?: readonly RetiredModel[];
  /** Largest 2xx response body read from the platform. @default DEFAULT_MAX_RESPONSE_BYTES (16 MiB) */
  maxResponseBytes?: number;
  /** The fetch the adapter's SDK uses (size-capped here). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * Env variables a preset cannot run without (base URLs and the local Ollama host have defaults;
 * names in `optionalEnv` are used when set).
 */
export function requiredEnv(preset: Preset): string[] {
  const names: string[] = [];
  if (preset.env.apiKey) names.push(preset.env.apiKey);
  if (preset.env.accountId) names.push(preset.env.accountId);
  if (preset.env.endpointId) names.push(preset.env.endpointId);
  if (preset.env.host && !preset.defaultBaseUrl) names.push(preset.env.host);
  const optional = new Set(preset.optionalEnv ?? []);
  return names.filter((name) => !optional.has(name));
}

/** The env variables of `preset` that are not set, empty when it can run. */
export function missingEnv(preset: Preset, config: Config): string[] {
  return requiredEnv(preset).filter((name) => config.get(name) === undefined);
}

/**
 * Builds the adapter for one choice. Throws a `config` error naming the missing variable (never
 * its value), the unknown preset, or a retired model (data/model-lifecycle.json) with its
 * successor — on every platform, before any adapter exists.
 */
export function resolvePlatform(
  choice: PlatformChoice,
  presets: Preset[],
  options: ResolveOptions,
): ResolvedPlatform {
  const preset = presets.find((candidate) => candidate.id === choice.preset);
  if (!preset) {
    const known = presets.map((candidate) => candidate.id).join(", ");
    throw new VisionBenchError("config", `unknown platform "${choice.preset}"; known: ${known}`);
  }
  const model = choice.model ?? preset.model;
  const retired = retiredModel(preset.platform, model, options.retired);
  if (retired) {
    throw new VisionBenchError(
      "config",
      `${preset.id}: model ${model} was retired on ${retired.retiredOn}; use ${retired.replacement} (${preset.id}:${retired.replacement})`,
      { platform: preset.platform, code: "retired_model" },
    );
  }
  const missing = missingEnv(preset, options.config);
  if (missing.length > 0) {
    throw new VisionBenchError(
      "config",
      `platform ${preset.id} needs ${missing.join(" and ")}; add to .env or the environment`,
    );
  }
  const factory = options.factories[preset.adapter];
  if (!factory) {
    throw new VisionBenchError("config", `platform ${preset.id}: no adapter "${preset.adapter}"`);
  }
  const { config } = options;
  const env = preset.env;
  const baseUrl = (env.baseUrl && config.get(env.baseUrl)) ||
    (env.host && config.get(env.host)) || preset.defaultBaseUrl;
  const capped = capResponses(options.fetch ?? globalThis.fetch, {
    maxBytes: options.maxResponseBytes,
    platform: preset.platform,
  });
  let emulated = false;
  const markedFetch: typeof fetch = async (input, init) => {
    const response = await capped(input, init);
    if (response.headers.has(SIMULATED_HEADER)) emulated = true;
    return response;
  };
  const adapter = factory({
    ...preset.settings,
    platform: preset.platform,
    model,
    apiKey: env.apiKey ? config.get(env.apiKey) : undefined,
    accountId: env.accountId ? config.get(env.accountId) : undefined,
    endpointId: env.endpointId ? config.get(env.endpointId) : undefined,
    baseUrl,
    // Every SDK reads through this: a runaway answer is a typed error, not gigabytes of memory.
    fetch: markedFetch,
  });
  return {
    preset,
    model,
    adapter,
    priceCard: priceCardFor(preset, model, options.priceCards),
    concurrency: options.concurrency ?? preset.concurrency,
    answeredAsEmulator: () => emulated,
  };
}

/**
 * The card for `model` on `preset`: `<platform>/<model>` when data/prices.json has it; otherwise
 * the preset's own card when its price does not depend on the model (a server by the hour, a
 * subscription, free); otherwise none — the records then say the cost could not be computed.
 */
export function priceCardFor(
  preset: Preset,
  model: string,
  priceCards: Map<string, PriceCard>,
): PriceCard | undefined {
  if (model === preset.model) return priceCards.get(preset.priceCard);
  const exact = priceCards.get(`${preset.platform}/${model}`);
  if (exact) return exact;
  const presetCard = priceCards.get(preset.priceCard);
  const modelIndependent = presetCard &&
    (presetCard.basis === "hourly" || presetCard.basis === "subscription" ||
      presetCard.basis === "free");
  return modelIndependent ? presetCard : undefined;
}
