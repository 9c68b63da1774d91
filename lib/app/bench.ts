/**
 * The one call the CLI and the notebooks make: resolve platforms, load images, run every case,
 * and say which platforms ran and which were skipped.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { ADAPTER_FACTORIES } from "../../adapters/mod.ts";
import type { StructuredSchema } from "../contract/adapter.ts";
import { loadConfig } from "../platforms/config.ts";
import { discoverPlatforms, type SkippedPlatform } from "../platforms/discovery.ts";
import { loadImageSet, parseVariant } from "../images/image-set.ts";
import { DEFAULT_IMAGES_DIR, DEFAULT_RESULTS_DIR } from "../util/paths.ts";
import { loadPresets, parsePlatformChoice, type PlatformChoice } from "../platforms/presets.ts";
import { loadPriceCards } from "../price/cost.ts";
import { resolvePlatform } from "../platforms/resolve.ts";
import type { ResultRecord } from "../contract/record.ts";
import { readRuns } from "../run/run-store.ts";
import { newRunId } from "../run/run-id.ts";
import { type Prompt, runCases, type RunEvent, type RunResult } from "../run/runner.ts";

/** The prompt of the original study. */
export const DEFAULT_PROMPT = "Describe everything you see in this image in detail.";

/** A prompt with a stable id: `default` for the study's prompt, else `p-` + a short hash of the text. */
export function promptFromText(text: string): Prompt {
  if (text === DEFAULT_PROMPT) return { id: "default", text };
  return { id: `p-${createHash("sha256").update(text).digest("hex").slice(0, 8)}`, text };
}

/** Options of {@link runBenchmark}; every field has a default. */
export interface BenchOptions {
  /** `preset` or `preset:model`. @default every platform {@link discoverPlatforms} finds */
  platforms?: string[];
  /** Folder of images. @default the repository's images/ */
  images?: string;
  /** Only the first N images (sorted by name). */
  limit?: number;
  /** `"original"` and/or longest side in px. @default ["original", "512"] */
  variants?: string[];
  /** One prompt. @default {@link DEFAULT_PROMPT} */
  prompt?: string;
  /** Several prompts (wins over `prompt`). */
  prompts?: Prompt[];
  /** Real calls per case (never served from the cache). @default 1 */
  repeat?: number;
  /** Calls in flight per platform. @default the preset's */
  concurrency?: number;
  /** Per-call timeout. @default 60000 */
  timeoutMs?: number;
  /** Resume a run by giving its id. @default a new id */
  runId?: string;
  /** @default the repository's results/ */
  outDir?: string;
  /** @default "use" */
  cache?: "use" | "bypass" | "refresh";
  /** Retry policy. @default { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 30000 } */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  maxOutputTokens?: number;
  temperature?: number;
  schema?: StructuredSchema;
  /** @default true (measures time to first token) */
  stream?: boolean;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
  /**
   * Presets answered by local emulators (`report --emulated`): their records carry
   * `simulated: true`, so no report calls their numbers measured. @default []
   */
  simulated?: readonly string[];
  /** Environment to read keys from. @default the process environment + .env */
  env?: Record<string, string | undefined>;
}

/** What {@link runBenchmark} returns. */
export interface BenchResult extends RunResult {
  /**
   * The outcome of every case asked for, whether it ran now or was already recorded in this run
   * (one record per case: the latest ok one, else the latest error) — what a notebook shows.
   */
  caseRecords: ResultRecord[];
  /** Platforms that ran, as `preset` or `preset:model`. */
  platforms: string[];
  skippedPlatforms: SkippedPlatform[];
}

/**
 * Runs platforms over images and records every call in `results/<runId>.jsonl`.
 *
 * @example
 * ```ts
 * const result = await runBenchmark({ platforms: ["local"], limit: 3 });
 * console.log(result.path, result.records.length);
 * ```
 */
export async function runBenchmark(options: BenchOptions = {}): Promise<BenchResult> {
  const config = loadConfig({ env: options.env });
  const presets = await loadPresets();
  const priceCards = await loadPriceCards();
  let choices: PlatformChoice[];
  let skippedPlatforms: SkippedPlatform[] = [];
  if (options.platforms && options.platforms.length > 0) {
    choices = options.platforms.map(parsePlatformChoice);
  } else {
    const discovery = await discoverPlatforms({ config, presets });
    choices = discovery.found;
    skippedPlatforms = discovery.skipped;
  }
  const resolved = choices.map((choice) =>
    resolvePlatform(choice, presets, {
      config,
      factories: ADAPTER_FACTORIES,
      priceCards,
      concurrency: options.concurrency,
    })
  );
  const images = await loadImageSet(options.images ?? DEFAULT_IMAGES_DIR, { limit: options.limit });
  const prompts = options.prompts ?? [promptFromText(options.prompt ?? DEFAULT_PROMPT)];
  const outDir = options.outDir ?? DEFAULT_RESULTS_DIR;
  const result = await runCases({
    runId: options.runId ?? newRunId(),
    outDir,
    targets: resolved.map((platform) => ({
      preset: platform.preset.id,
      adapter: platform.adapter,
      priceCard: platform.priceCard,
      concurrency: platform.concurrency,
      simulated: options.simulated?.includes(platform.preset.id) || undefined,
    })),
    images,
    variants: (options.variants ?? ["original", "512"]).map(parseVariant),
    prompts,
    repeat: options.repeat ?? 1,
    maxOutputTokens: options.maxOutputTokens,
    temperature: options.temperature,
    schema: options.schema,
    stream: options.stream,
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    cache: options.cache,
    cacheDir: `${outDir}/cache/responses`,
    variantCacheDir: `${outDir}/cache/variants`,
    signal: options.signal,
    onEvent: options.onEvent,
  });
  const keys = new Set(result.caseKeys);
  const { records: stored } = await readRuns(outDir, { runIds: [result.runId] });
  return {
    ...result,
    caseRecords: stored.filter((record) => keys.has(record.caseKey)),
    platforms: choices.map((choice) =>
      choice.model ? `${choice.preset}:${choice.model}` : choice.preset
    ),
    skippedPlatforms,
  };
}
