/**
 * Which platforms can run here: every preset whose keys are set, the offline baseline, and each
 * preset marked `"discover": "probe"` (a local Ollama) whose host answers its adapter's probe with a
 * vision model. Probes are handed in by the registry: discovery never imports an adapter.
 *
 * @module
 */
import type { ModelProbe } from "../contract/adapter.ts";
import type { Config } from "./config.ts";
import type { PlatformChoice, Preset } from "./presets.ts";
import { missingEnv } from "./resolve.ts";

/** A preset discovery left out, and why (names env variables, never values). */
export interface SkippedPlatform {
  preset: string;
  reason: string;
}

/** What {@link discoverPlatforms} found. */
export interface Discovery {
  found: PlatformChoice[];
  skipped: SkippedPlatform[];
}

/** Options of {@link discoverPlatforms}. */
export interface DiscoveryOptions {
  config: Config;
  presets: Preset[];
  /** How long to wait for a local Ollama to answer. @default 1500 */
  probeTimeoutMs?: number;
  fetch?: typeof fetch;
  /** Model probes by adapter name (adapters/registry.ts `modelProbes()`). @default {} */
  probes?: Readonly<Record<string, ModelProbe>>;
}

/**
 * Finds the platforms to run when the user names none.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./config.ts";
 * import { loadPresets } from "./presets.ts";
 * const { found, skipped } = await discoverPlatforms({ config: loadConfig(), presets: await loadPresets() });
 * console.log(found, skipped);
 * ```
 */
export async function discoverPlatforms(options: DiscoveryOptions): Promise<Discovery> {
  const found: PlatformChoice[] = [];
  const skipped: SkippedPlatform[] = [];
  for (const preset of options.presets) {
    if (preset.discover === "probe") {
      const outcome = await probeHost(preset, options);
      if ("model" in outcome) found.push({ preset: preset.id, model: outcome.model });
      else skipped.push({ preset: preset.id, reason: outcome.reason });
      continue;
    }
    const missing = missingEnv(preset, options.config);
    if (missing.length === 0) found.push({ preset: preset.id });
    else skipped.push({ preset: preset.id, reason: `${missing.join(" and ")} not set` });
  }
  return { found, skipped };
}

async function probeHost(
  preset: Preset,
  options: DiscoveryOptions,
): Promise<{ model?: string; reason: string } | { model: string }> {
  const host = (preset.env.host && options.config.get(preset.env.host)) || preset.defaultBaseUrl;
  if (!host) return { reason: "no host" };
  const probe = options.probes?.[preset.adapter];
  if (!probe) return { reason: `no model probe for the ${preset.adapter} adapter` };
  try {
    const models = await probe({
      host,
      fetch: options.fetch,
      signal: AbortSignal.timeout(options.probeTimeoutMs ?? 1500),
    });
    if (models.length === 0) {
      return { reason: `${preset.label} at ${host} has no model with the vision capability` };
    }
    // Prefer the preset's default model (the study's moondream) when it is pulled.
    const preferred = models.find((name) => name.split(":")[0] === preset.model) ?? models[0];
    return { model: preferred };
  } catch {
    return { reason: `nothing answering at ${host} (${preset.label})` };
  }
}
