/**
 * Starts one emulator per platform and returns the environment that points every preset at
 * them — what `deno task emulators`, the CLI tests, the notebooks' CI run and the perf script use.
 *
 * @module
 */
import { startAnthropicBatchEmulator } from "./anthropic-batch.ts";
import { startGeminiBatchEmulator } from "./gemini-batch.ts";
import { startOpenAIBatchEmulator } from "./openai-batch.ts";
import { startCloudflareEmulator } from "./cloudflare.ts";
import type { Emulator, EmulatorBehaviour } from "./harness.ts";
import { startOllamaEmulator } from "./ollama.ts";
import { EMULATOR_OPENAI_KEY, startOpenAIEmulator } from "./openai.ts";
import { startReplicateEmulator } from "./replicate.ts";
import { startRunPodEmulator } from "./runpod.ts";
import { loadReferenceFigures } from "../lib/analysis/reference-figures.ts";

/** Keys the emulators accept: recognisable, so tests can assert they never leak. */
export const EMULATOR_KEYS = {
  OPENAI_API_KEY: EMULATOR_OPENAI_KEY,
  BASETEN_API_KEY: EMULATOR_OPENAI_KEY,
  ANTHROPIC_API_KEY: "sk-ant-emulator-SECRET-abcdef012345",
  GEMINI_API_KEY: "AIza-emulator-SECRET-0123456789",
  REPLICATE_API_TOKEN: "r8_emulator-SECRET-0123456789",
  CLOUDFLARE_API_TOKEN: "cf-emulator-SECRET-0123456789",
  RUNPOD_API_KEY: "rpa_emulator-SECRET-0123456789",
  OLLAMA_API_KEY: "ollama-emulator-SECRET-0123456789",
} as const;

const CLOUDFLARE_ACCOUNT = "0123456789abcdef0123456789abcdef";

/** Preset ids the emulators cover (every preset but the offline `local`). */
export const EMULATED_PRESETS = [
  "ollama-local",
  "ollama-vps",
  "ollama-cloud",
  "cloudflare",
  "replicate",
  "runpod",
  "baseten",
  "openai",
  "anthropic",
  "gemini",
] as const;
export type EmulatedPreset = typeof EMULATED_PRESETS[number];

/** Running emulators and the env that points presets at them. */
export interface EmulatorFleet {
  env: Record<string, string>;
  emulators: Record<EmulatedPreset, Emulator>;
  close(): Promise<void>;
}

/** Options of {@link startAllEmulators}. */
export interface StartAllOptions {
  /** Behaviour per preset (latency, text, faults). @default {} */
  behaviour?: Partial<Record<EmulatedPreset, Partial<EmulatorBehaviour>>>;
  /** Only these presets. @default all */
  only?: readonly EmulatedPreset[];
  /** Requests each emulator keeps in `requests` (see `EmulatorBehaviour.keepRequests`). */
  keepRequests?: number;
}

/**
 * Starts emulators for every preset on 127.0.0.1.
 *
 * @example
 * ```ts
 * const fleet = startAllEmulators();
 * await runBenchmark({ platforms: ["openai"], env: fleet.env, limit: 3 });
 * await fleet.close();
 * ```
 */
export function startAllEmulators(options: StartAllOptions = {}): EmulatorFleet {
  const wanted = new Set(options.only ?? EMULATED_PRESETS);
  const behaviour = (preset: EmulatedPreset): Partial<EmulatorBehaviour> => ({
    ...(options.keepRequests === undefined ? {} : { keepRequests: options.keepRequests }),
    ...options.behaviour?.[preset],
  });
  const emulators = {} as Record<EmulatedPreset, Emulator>;
  const env: Record<string, string> = {};
  const start = (
    preset: EmulatedPreset,
    make: () => Emulator,
    vars: (url: string) => Record<string, string>,
  ) => {
    if (!wanted.has(preset)) return;
    const emulator = make();
    emulators[preset] = emulator;
    Object.assign(env, vars(emulator.url));
  };
  // OpenAI, Anthropic and Gemini also serve their Batch APIs (`--mode batch`).
  start("openai", () => startOpenAIBatchEmulator(behaviour("openai")), (url) => ({
    OPENAI_API_KEY: EMULATOR_KEYS.OPENAI_API_KEY,
    OPENAI_BASE_URL: `${url}/v1`,
  }));
  start("baseten", () => startOpenAIEmulator(behaviour("baseten")), (url) => ({
    BASETEN_API_KEY: EMULATOR_KEYS.BASETEN_API_KEY,
    BASETEN_BASE_URL: `${url}/v1`,
  }));
  start("anthropic", () => startAnthropicBatchEmulator(behaviour("anthropic")), (url) => ({
    ANTHROPIC_API_KEY: EMULATOR_KEYS.ANTHROPIC_API_KEY,
    ANTHROPIC_BASE_URL: url,
  }));
  start("gemini", () => startGeminiBatchEmulator(behaviour("gemini")), (url) => ({
    GEMINI_API_KEY: EMULATOR_KEYS.GEMINI_API_KEY,
    GEMINI_BASE_URL: url,
  }));
  start(
    "replicate",
    () =>
      startReplicateEmulator({
        ...behaviour("replicate"),
        token: EMULATOR_KEYS.REPLICATE_API_TOKEN,
      }),
    (url) => ({
      REPLICATE_API_TOKEN: EMULATOR_KEYS.REPLICATE_API_TOKEN,
      REPLICATE_BASE_URL: `${url}/v1`,
    }),
  );
  start("cloudflare", () =>
    startCloudflareEmulator({
      ...behaviour("cloudflare"),
      token: EMULATOR_KEYS.CLOUDFLARE_API_TOKEN,
      accountId: CLOUDFLARE_ACCOUNT,
      agreed: true,
    }), (url) => ({
      CLOUDFLARE_API_TOKEN: EMULATOR_KEYS.CLOUDFLARE_API_TOKEN,
      CLOUDFLARE_ACCOUNT_ID: CLOUDFLARE_ACCOUNT,
      CLOUDFLARE_BASE_URL: url,
    }));
  start(
    "runpod",
    () => startRunPodEmulator({ ...behaviour("runpod"), apiKey: EMULATOR_KEYS.RUNPOD_API_KEY }),
    (url) => ({
      RUNPOD_API_KEY: EMULATOR_KEYS.RUNPOD_API_KEY,
      RUNPOD_ENDPOINT_ID: "vbench-moondream",
      RUNPOD_BASE_URL: `${url}/v2`,
    }),
  );
  start(
    "ollama-local",
    () => startOllamaEmulator(behaviour("ollama-local")),
    (url) => ({ OLLAMA_HOST: url }),
  );
  start(
    "ollama-vps",
    () => startOllamaEmulator(behaviour("ollama-vps")),
    (url) => ({ OLLAMA_VPS_HOST: url }),
  );
  start(
    "ollama-cloud",
    () =>
      startOllamaEmulator({
        ...behaviour("ollama-cloud"),
        requireKey: EMULATOR_KEYS.OLLAMA_API_KEY,
        models: [{ name: "qwen3-vl:235b", vision: true }],
      }),
    (url) => ({
      OLLAMA_API_KEY: EMULATOR_KEYS.OLLAMA_API_KEY,
      OLLAMA_CLOUD_BASE_URL: url,
    }),
  );
  return {
    env,
    emulators,
    close: async () => {
      await Promise.all(Object.values(emulators).map((emulator) => emulator.close()));
    },
  };
}

/**
 * Emulated latency per preset: the original study's published average seconds, waited × `scale`
 * (0.005 turns its 2.4 s into 12 ms and its 49.3 s CPU droplet into 247 ms). Every answer reports
 * the study's seconds as its modelled time (records keep them as their latency, billing follows
 * them), so emulated runs show the study's latencies without its wait.
 */
export async function studyLatencies(
  scale: number,
): Promise<Partial<Record<EmulatedPreset, Partial<EmulatorBehaviour>>>> {
  const figures = await loadReferenceFigures();
  return Object.fromEntries(
    figures.filter((figure) => (EMULATED_PRESETS as readonly string[]).includes(figure.preset))
      .map((figure) => [figure.preset, {
        latencyMs: Math.round(figure.avgSeconds * 1000 * scale),
        modelledMs: figure.avgSeconds * 1000,
        latencyModel: `study average s/image (seed article), waits ×${scale}`,
      }]),
  );
}
