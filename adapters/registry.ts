/**
 * The adapter registry: each platform file by the name presets use (`"adapter": "openai"` in
 * `data/presets.json`), imported on first use. A run that calls one platform loads that
 * platform's adapter and SDK only — importing every SDK costs a process ~35 MB and a few hundred
 * milliseconds before its first call. One entry per platform; `adapters/mod.ts` re-exports it and
 * builds its eager maps (`ADAPTER_FACTORIES`, …) from it.
 *
 * @module
 */
import type { AdapterFactory, ModelProbe } from "../lib/contract/adapter.ts";
import type { BatchAdapter } from "../lib/contract/batch-adapter.ts";

/** Makes a batch adapter from the settings the platform's live adapter was made with. */
// deno-lint-ignore no-explicit-any
export type BatchAdapterFactory = (settings: any) => BatchAdapter;

/** One platform's adapter module, loaded when first asked for. */
export interface AdapterEntry {
  /** The live adapter factory. */
  factory: () => Promise<AdapterFactory>;
  /** The batch adapter factory: platforms with a batch service only. */
  batch?: () => Promise<BatchAdapterFactory>;
  /** How discovery asks a keyless host which vision models it serves. */
  probe?: () => Promise<ModelProbe>;
}

/** Every adapter, by the name presets use. Adapters register here, one entry each. */
export const ADAPTERS: Readonly<Record<string, AdapterEntry>> = {
  anthropic: {
    factory: async () => (await import("./anthropic.ts")).createAnthropic,
    batch: async () => (await import("./anthropic-batch.ts")).createAnthropicBatch,
  },
  gemini: {
    factory: async () => (await import("./gemini.ts")).createGemini,
    batch: async () => (await import("./gemini-batch.ts")).createGeminiBatch,
  },
  cloudflare: { factory: async () => (await import("./cloudflare.ts")).createCloudflare },
  ollama: {
    factory: async () => (await import("./ollama.ts")).createOllama,
    probe: async () => (await import("./ollama.ts")).listVisionModels,
  },
  replicate: { factory: async () => (await import("./replicate.ts")).createReplicate },
  local: { factory: async () => (await import("./local.ts")).createLocal },
  openai: {
    factory: async () => (await import("./openai.ts")).createOpenAI,
    batch: async () => (await import("./openai-batch.ts")).createOpenAIBatch,
  },
  runpod: { factory: async () => (await import("./runpod.ts")).createRunPod },
};

/**
 * The live factories of the adapters named (each module imported once, in parallel); names the
 * registry does not know are left out, so the resolver reports them as it always has.
 *
 * @example
 * ```ts
 * const { local } = await loadAdapterFactories(["local"]);
 * console.log(local({}).model); // "sharp-baseline"
 * ```
 */
export async function loadAdapterFactories(
  names: Iterable<string>,
): Promise<Record<string, AdapterFactory>> {
  return await loadEach(names, (entry) => entry.factory);
}

/**
 * The batch factories of the adapters named that have a batch service.
 *
 * @example
 * ```ts
 * const batch = await loadBatchAdapterFactories(["openai", "local"]);
 * console.log(Object.keys(batch)); // ["openai"]
 * ```
 */
export async function loadBatchAdapterFactories(
  names: Iterable<string>,
): Promise<Record<string, BatchAdapterFactory>> {
  return await loadEach(names, (entry) => entry.batch);
}

/** The model probes of the adapters named that have one. */
export async function loadModelProbes(
  names: Iterable<string>,
): Promise<Record<string, ModelProbe>> {
  return await loadEach(names, (entry) => entry.probe);
}

/**
 * Model probes by adapter name, each importing its adapter only when discovery calls it (a
 * preset marked `"discover": "probe"`).
 *
 * @example
 * ```ts
 * console.log(Object.keys(modelProbes())); // ["ollama"]
 * ```
 */
export function modelProbes(): Record<string, ModelProbe> {
  const probes: Record<string, ModelProbe> = {};
  for (const [name, { probe }] of Object.entries(ADAPTERS)) {
    if (probe) probes[name] = async (options) => (await probe())(options);
  }
  return probes;
}

async function loadEach<T>(
  names: Iterable<string>,
  pick: (entry: AdapterEntry) => (() => Promise<T>) | undefined,
): Promise<Record<string, T>> {
  const known = [...new Set(names)].filter((name) => Object.hasOwn(ADAPTERS, name));
  const loaded = await Promise.all(
    known.map(async (name) => {
      const load = pick(ADAPTERS[name]);
      return load ? [[name, await load()] as const] : [];
    }),
  );
  return Object.fromEntries(loaded.flat());
}
