/**
 * The local API emulators' entry: one wire-faithful server per platform, for offline runs
 * (`deno task emulators`, `report --emulated`) and tests. Their answers are simulated and the
 * records say so.
 *
 * @module
 */
export {
  EMULATED_PRESETS,
  type EmulatedPreset,
  EMULATOR_KEYS,
  type EmulatorFleet,
  startAllEmulators,
  type StartAllOptions,
} from "./all.ts";
export { type Emulator, type EmulatorBehaviour, type Fault, startEmulator } from "./harness.ts";
export { startAnthropicEmulator } from "./anthropic.ts";
export { startAnthropicBatchEmulator } from "./anthropic-batch.ts";
export { startCloudflareEmulator } from "./cloudflare.ts";
export { startGeminiEmulator } from "./gemini.ts";
export { startGeminiBatchEmulator } from "./gemini-batch.ts";
export { startOllamaEmulator } from "./ollama.ts";
export { startOpenAIEmulator } from "./openai.ts";
export { startOpenAIBatchEmulator } from "./openai-batch.ts";
export { startReplicateEmulator } from "./replicate.ts";
export { startRunPodEmulator } from "./runpod.ts";
