/**
 * Platform presets (`data/presets.json`): which adapter, default model, price card and env
 * variables each first-class platform uses. Validated once at the edge.
 *
 * @module
 */
import { readDataFile } from "../util/data-file.ts";
import { z } from "zod";
import { VisionBenchError } from "../contract/errors.ts";

const EnvNamesSchema = z.object({
  apiKey: z.string().optional(),
  accountId: z.string().optional(),
  endpointId: z.string().optional(),
  host: z.string().optional(),
  baseUrl: z.string().optional(),
}).strict();

/** One preset. */
export const PresetSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  label: z.string(),
  platform: z.string(),
  adapter: z.string(),
  model: z.string(),
  priceCard: z.string(),
  env: EnvNamesSchema,
  defaultBaseUrl: z.string().url().optional(),
  /**
   * Env names of `env` the preset runs without: used when set (e.g. `OLLAMA_VPS_API_KEY`, the key
   * of the authenticating proxy in front of a VPS's Ollama), never required.
   */
  optionalEnv: z.array(z.string()).optional(),
  /** Calls in flight at once on this platform. */
  concurrency: z.number().int().positive(),
  /**
   * `"probe"`: a keyless host (a local Ollama) that discovery offers only when its adapter's model
   * probe finds a vision model there.
   */
  discover: z.literal("probe").optional(),
  /** Extra adapter settings (platform specific). */
  settings: z.record(z.string(), z.unknown()).optional(),
});
export type Preset = z.infer<typeof PresetSchema>;

const PresetFileSchema = z.object({ presets: z.array(PresetSchema).min(1) });

/** Where the data folder is, whatever the working directory (notebooks run from notebooks/). */
export const DATA_DIR = new URL("../../data/", import.meta.url);

/** Reads and validates the presets file. @default data/presets.json */
export async function loadPresets(
  path: string | URL = new URL("presets.json", DATA_DIR),
): Promise<Preset[]> {
  return (await readDataFile(path, PresetFileSchema, "presets file")).presets;
}

/** A user's platform choice: `preset` or `preset:model` (the model may itself contain `:` or `/`). */
export interface PlatformChoice {
  preset: string;
  model?: string;
}

/** Parses `openai`, `openai:gpt-4o`, `ollama-cloud:qwen3-vl:235b-cloud`. */
export function parsePlatformChoice(value: string): PlatformChoice {
  const index = value.indexOf(":");
  if (index === -1) return { preset: value.trim() };
  const preset = value.slice(0, index).trim();
  const model = value.slice(index + 1).trim();
  if (!preset || !model) {
    throw new VisionBenchError(
      "config",
      `bad --platform "${value}": use <preset> or <preset>:<model>`,
    );
  }
  return { preset, model };
}
