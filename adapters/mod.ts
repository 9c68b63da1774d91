/**
 * Adapter factories by name, as `data/presets.json` refers to them (`"adapter": "openai"`).
 * One line per platform file.
 *
 * @module
 */
import type { AdapterFactory, ModelProbe } from "../lib/contract/adapter.ts";
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
