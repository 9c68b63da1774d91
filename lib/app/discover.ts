/**
 * Platform discovery with the adapter registry's probes wired in: what the notebooks and the CLI
 * call to learn which platforms can run here and why the others were skipped.
 *
 * @module
 */
import { modelProbes } from "../../adapters/registry.ts";
import { type Config, loadConfig } from "../platforms/config.ts";
import { discoverPlatforms, type Discovery } from "../platforms/discovery.ts";
import { loadPresets } from "../platforms/presets.ts";

/** Options of {@link findPlatforms}. */
export interface FindPlatformsOptions {
  /** @default loadConfig() */
  config?: Config;
  /** How long to wait for a keyless host (local Ollama) to answer. @default 1500 */
  probeTimeoutMs?: number;
}

/**
 * Every preset that can run here (keys set, or a keyless host that answers with a vision model),
 * and the others with the reason they were skipped (env names, never values).
 *
 * @example
 * ```ts
 * const { found, skipped } = await findPlatforms();
 * console.log(found, skipped);
 * ```
 */
export async function findPlatforms(options: FindPlatformsOptions = {}): Promise<Discovery> {
  return discoverPlatforms({
    config: options.config ?? loadConfig(),
    presets: await loadPresets(),
    probes: modelProbes(),
    probeTimeoutMs: options.probeTimeoutMs,
  });
}
