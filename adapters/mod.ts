/**
 * The platform adapters' entry: each factory, to call one platform directly, and the factories by
 * name, as `data/presets.json` refers to them (`"adapter": "openai"`). One line per platform file.
 *
 * @module
 */
import type { AdapterFactory, ModelProbe } from "../lib/contract/adapter.ts";
import type { BatchAdapter } from "../lib/contract/batch-adapter.ts";
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

/** Every adapter factory, by the name presets use. */
export const ADAPTER_FACTORIES: Record<string, AdapterFactory> = {
  // adapters register here, one line each: name: createX,
  anthropic: createAnthropic,
  gemini: createGemini,
  cloudflare: createCloudflare,
  ollama: createOllama,
  replicate: createReplicate,
  local: createLocal,
  openai: createOpenAI,
  runpod: createRunPod,
};

/** Model probes, by adapter name: how discovery asks a keyless host what it serves. */
export const MODEL_PROBES: Record<string, ModelProbe> = {
  ollama: listVisionModels,
};

/** Batch adapter factories, by the adapter name presets use (only platforms with a batch service). */
// deno-lint-ignore no-explicit-any
export const BATCH_ADAPTER_FACTORIES: Record<string, (settings: any) => BatchAdapter> = {
  anthropic: createAnthropicBatch,
  gemini: createGeminiBatch,
  openai: createOpenAIBatch,
};

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
