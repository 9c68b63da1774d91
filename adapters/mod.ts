/**
 * Adapter factories by name, as `data/presets.json` refers to them (`"adapter": "openai"`).
 * One line per platform file.
 *
 * @module
 */
import type { AdapterFactory } from "../lib/adapter.ts";
import { createLocal } from "./local.ts";
import { createOpenAI } from "./openai.ts";

/** Every adapter factory, by the name presets use. */
export const ADAPTER_FACTORIES: Record<string, AdapterFactory> = {
  // adapters register here, one line each: name: createX,
  local: createLocal,
  openai: createOpenAI,
};
