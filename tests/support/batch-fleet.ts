/**
 * The three batch emulators (OpenAI, Anthropic, Gemini) as one fleet, with their batch knobs,
 * for batch-mode tests.
 *
 * @module
 */
import { startAllEmulators } from "../../emulators/all.ts";
import type { BatchEmulator, BatchEmulatorOptions } from "../../emulators/batch-jobs.ts";
import type { Emulator } from "../../emulators/harness.ts";

export const BATCH_PRESETS = ["openai", "anthropic", "gemini"] as const;
export type BatchPreset = typeof BATCH_PRESETS[number];

/** A started batch fleet. */
export interface BatchFleet {
  env: Record<string, string>;
  emulators: Record<BatchPreset, BatchEmulator<Emulator>>;
  /** Sets batch knobs on every emulator. */
  configure(knobs: Partial<BatchEmulatorOptions>): void;
  /** Requests that created a batch, per platform. */
  creations(preset: BatchPreset): number;
  close(): Promise<void>;
}

const CREATE_ROUTES: Record<BatchPreset, RegExp> = {
  openai: /^\/v1\/batches$/,
  anthropic: /^\/v1\/messages\/batches$/,
  gemini: /:batchGenerateContent$/,
};

/**
 * Starts the fleet with `knobs` on every batch emulator.
 *
 * @example
 * ```ts
 * const fleet = startBatchFleet({ runningMs: 10 });
 * await runBenchmark({ platforms: ["openai"], mode: "batch", env: fleet.env });
 * await fleet.close();
 * ```
 */
export function startBatchFleet(knobs: Partial<BatchEmulatorOptions> = {}): BatchFleet {
  const fleet = startAllEmulators({ only: BATCH_PRESETS });
  const emulators = fleet.emulators as unknown as Record<BatchPreset, BatchEmulator<Emulator>>;
  const configure = (more: Partial<BatchEmulatorOptions>) => {
    for (const preset of BATCH_PRESETS) Object.assign(emulators[preset].batch, more);
  };
  configure(knobs);
  return {
    env: fleet.env,
    emulators,
    configure,
    creations: (preset) =>
      emulators[preset].requests.filter((request) =>
        request.method === "POST" && CREATE_ROUTES[preset].test(request.path)
      ).length,
    close: fleet.close,
  };
}
