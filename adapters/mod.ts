/**
 * The platform adapters' entry: each factory, to call one platform directly, and the factories by
 * name, as `data/presets.json` refers to them (`"adapter": "openai"`). Importing this module loads
 * every adapter and its SDK; the registry it is built from (`ADAPTERS`, adapters/registry.ts)
 * loads one platform's adapter when a run uses it, which is what the CLI and `runBenchmark` do.
 *
 * @module
 */
import type { AdapterFactory, ModelProbe } from "../lib/contract/adapter.ts";
import {
  ADAPTERS,
  type BatchAdapterFactory,
  loadAdapterFactories,
  loadBatchAdapterFactories,
  loadModelProbes,
} from "./registry.ts";
import { createAnthropicBatch } from "./anthropic-batch.ts";
import { createGeminiBatch } from "./gemini-batch.ts";
import { createOpenAIBatch } from "./openai-batch.ts";
import { createAnthropic } from "./anthropic.ts";
import { createGemini } from "./gemini.ts";
import { createCloudflare } from "./cloudflare.ts";
import { createOllama, listVisionModels } from "./ollama.ts";
import { createReplicate } from "./replicate.ts";
import { createLocal } from "./local.ts";
import { createOpenAI } from "./openai.ts";
import { createRunPod } from "./runpod.ts";

const NAMES = Object.keys(ADAPTERS);

/** Every adapter factory, by the name presets use (the registry's, all loaded). */
export const ADAPTER_FACTORIES: Record<string, AdapterFactory> = await loadAdapterFactories(NAMES);

/** Model probes, by adapter name: how discovery asks a keyless host what it serves. */
export const MODEL_PROBES: Record<string, ModelProbe> = await loadModelProbes(NAMES);

/** Batch adapter factories, by the adapter name presets use (only platforms with a batch service). */
export const BATCH_ADAPTER_FACTORIES: Record<string, BatchAdapterFactory> =
  await loadBatchAdapterFactories(NAMES);

export {
  type AdapterEntry,
  ADAPTERS,
  type BatchAdapterFactory,
  loadAdapterFactories,
  loadBatchAdapterFactories,
  loadModelProbes,
  modelProbes,
} from "./registry.ts";

export {
  createAnthropic,
  createAnthropicBatch,
  createCloudflare,
  createGemini,
  createGeminiBatch,
  createLocal,
  createOllama,
  createOpenAI,
  createOpenAIBatch,
  createReplicate,
  createRunPod,
  listVisionModels,
};
