/**
 * The one call the CLI and the notebooks make: resolve platforms, load images, run every case,
 * and say which platforms ran and which were skipped.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { StructuredSchema } from "../contract/adapter.ts";
import { loadConfig } from "../platforms/config.ts";
import { discoverPlatforms, type SkippedPlatform } from "../platforms/discovery.ts";
import { loadImageSet } from "../images/image-set.ts";
import { parseVariant } from "../images/variants.ts";
import { DEFAULT_IMAGES_DIR, DEFAULT_RESULTS_DIR } from "../util/paths.ts";
import { loadPresets, parsePlatformChoice, type PlatformChoice } from "../platforms/presets.ts";
import { loadPriceCards } from "../price/cost.ts";
import { adapterFactoriesFor, resolvePlatforms, runTarget } from "./targets.ts";
import { modelProbes } from "../../adapters/registry.ts";
import type { ResultRecord } from "../contract/record.ts";
import { readRuns } from "../run/run-store.ts";
import { newRunId } from "../run/run-id.ts";
import { runCases, type RunResult } from "../run/runner.ts";
import { type Prompt } from "../run/cases.ts";
import { type RunEvent } from "../contract/run-events.ts";
import type { BatchLimits } from "../contract/batch-adapter.ts";
import {
  type BatchRunEvent,
  type BatchRunResult,
  runBatchCases,
} from "../run/batch/batch-runner.ts";
import { batchTargets, rememberingFactories } from "./batch-targets.ts";
import { checkSpend, DEFAULT_MAX_SPEND_USD, type EstimateEvent } from "../price/estimate.ts";
import { planSpend } from "./spend.ts";

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
  /** Image files larger than this are error rows (`image_too_large`), never read. @default 50 MB */
  maxImageBytes?: number;
  /** `"original"` and/or longest side in px. @default ["original", "512"] */
  variants?: string[];
  /** One prompt. @default {@link DEFAULT_PROMPT} */
  prompt?: string;
  /** Several prompts (wins over `prompt`). */
  prompts?: Prompt[];
  /**
   * Calls per case; each repeat index is its own case, so within a run every repeat is a real
   * call — a later run with the same repeats is answered from the cache unless `cache` is
   * `"refresh"` or `"bypass"`. @default 1
   */
  repeat?: number;
  /** Calls in flight per platform. @default the preset's */
  concurrency?: number;
  /** Per-call timeout. @default 60000 */
  timeoutMs?: number;
  /** Largest answer read from a platform, in bytes. @default 16 MiB */
  maxResponseBytes?: number;
  /** Resume a run by giving its id. @default a new id */
  runId?: string;
  /** @default the repository's results/ */
  outDir?: string;
  /** `bypass` is what `--cache off` means. @default "use" */
  cache?: "use" | "bypass" | "refresh";
  /**
   * Return this call's records and `caseRecords`. Off (the CLI), memory does not grow with the
   * number of calls and the run file is not read back. @default true
   */
  keepRecords?: boolean;
  /** Retry policy. @default { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 30000 } */
  retry?: {
    maxAttempts?: number;
    baseDelayMs?: number;
    maxDelayMs?: number;
    maxRetryAfterMs?: number;
  };
  maxOutputTokens?: number;
  temperature?: number;
  schema?: StructuredSchema;
  /** @default true (measures time to first token) */
  stream?: boolean;
  /**
   * Progress, and before any call an `estimate` event with the planned calls and their estimated
   * cost. A listener may return a promise (a notebook display): the run resolves only after the
   * last one settled, so nothing it shows lands under a later cell.
   */
  onEvent?: (event: RunEvent | EstimateEvent) => unknown;
  /**
   * Refuse to start when the estimated cost of the paid calls (not free presets, not servers on
   * this machine, not cases already recorded or cached) exceeds this many dollars.
   * @default 1 ({@link DEFAULT_MAX_SPEND_USD})
   */
  maxSpendUsd?: number;
  /**
   * `"batch"` sends the cases through the platforms' Batch APIs (openai, anthropic, gemini) and
   * prices them with the batch cards; re-running with the same `runId` resumes polling.
   * @default "live"
   */
  mode?: "live" | "batch";
  /** Batch mode settings. @default { pollIntervalMs: 30000, maxPollIntervalMs: 300000, wait: true } */
  batch?: {
    /** Override the platforms' documented limits (tests set them low). */
    limits?: Partial<BatchLimits>;
    pollIntervalMs?: number;
    maxPollIntervalMs?: number;
    /** `false`: submit and return; a later call with the same `runId` picks the results up. */
    wait?: boolean;
  };
  /** Batch progress: submitted, ended, problems (unknown custom ids, unreadable lines). */
  onBatchEvent?: (event: BatchRunEvent) => void;
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
   * Empty when `keepRecords` is false.
   */
  caseRecords: ResultRecord[];
  /** Platforms that ran, as `preset` or `preset:model`. */
  platforms: string[];
  skippedPlatforms: SkippedPlatform[];
  /** Batch mode only: the manifest, batches still running, results nobody asked for. */
  batch?: Pick<
    BatchRunResult,
    "manifestPath" | "submitted" | "pending" | "unknownResults" | "problems"
  >;
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
  const shown: unknown[] = [];
  const listener = options.onEvent;
  const onEvent = listener &&
    ((event: RunEvent | EstimateEvent) => void shown.push(listener(event)));
  const result = await runPlanned({ ...options, onEvent });
  await Promise.all(shown);
  return result;
}

async function runPlanned(options: BenchOptions): Promise<BenchResult> {
  const config = loadConfig({ env: options.env });
  const presets = await loadPresets();
  const priceCards = await loadPriceCards();
  let choices: PlatformChoice[];
  let skippedPlatforms: SkippedPlatform[] = [];
  if (options.platforms && options.platforms.length > 0) {
    choices = options.platforms.map(parsePlatformChoice);
  } else {
    const discovery = await discoverPlatforms({ config, presets, probes: modelProbes() });
    choices = discovery.found;
    skippedPlatforms = discovery.skipped;
  }
  const remembering = options.mode === "batch"
    ? rememberingFactories(await adapterFactoriesFor(choices, presets))
    : undefined;
  const resolved = await resolvePlatforms(choices, {
    config,
    presets,
    priceCards,
    concurrency: options.concurrency,
    factories: remembering?.factories,
    maxResponseBytes: options.maxResponseBytes,
  });
  const images = await loadImageSet(options.images ?? DEFAULT_IMAGES_DIR, {
    limit: options.limit,
    maxFileBytes: options.maxImageBytes,
  });
  const prompts = options.prompts ?? [promptFromText(options.prompt ?? DEFAULT_PROMPT)];
  const outDir = options.outDir ?? DEFAULT_RESULTS_DIR;
  const platforms = choices.map((choice) =>
    choice.model ? `${choice.preset}:${choice.model}` : choice.preset
  );
  // What live and batch cases share, so the two modes send the very same requests.
  const cases = {
    runId: options.runId ?? newRunId(),
    outDir,
    images,
    variants: (options.variants ?? ["original", "512"]).map(parseVariant),
    prompts,
    repeat: options.repeat ?? 1,
    maxOutputTokens: options.maxOutputTokens,
    temperature: options.temperature,
    schema: options.schema,
    variantCacheDir: `${outDir}/cache/variants`,
    signal: options.signal,
  };
  // The spend guard: the estimate is shown for every run, and a run over the cap never starts.
  const estimate = await planSpend({
    platforms: resolved,
    config,
    images,
    variants: cases.variants,
    prompts,
    repeat: cases.repeat,
    params: {
      maxOutputTokens: options.maxOutputTokens ?? 300,
      temperature: options.temperature,
      schema: options.schema,
      // As the runners key cases: batch APIs do not stream.
      stream: remembering ? false : options.stream ?? true,
    },
    runId: cases.runId,
    outDir,
    cache: remembering ? "bypass" : options.cache ?? "use",
    batch: Boolean(remembering),
  });
  options.onEvent?.({ type: "estimate", estimate });
  // Picking up a batch run already submitted pays for nothing new: shown, not capped.
  const batchPickup = remembering !== undefined &&
    await Deno.stat(`${outDir}/${cases.runId}.batches.json`).then(() => true, () => false);
  if (!batchPickup) checkSpend(estimate, options.maxSpendUsd ?? DEFAULT_MAX_SPEND_USD);
  // The end of a run, live or batch: this call's cases as recorded, which platforms ran.
  const finish = async (run: RunResult, batch?: BenchResult["batch"]): Promise<BenchResult> => ({
    ...run,
    caseRecords: options.keepRecords ?? true ? await caseRecordsOf(outDir, run) : [],
    platforms,
    skippedPlatforms,
    ...(batch ? { batch } : {}),
  });
  if (remembering) {
    const targets = await batchTargets(resolved, {
      settingsOf: remembering.settingsOf,
      priceCards,
      limits: options.batch?.limits,
    });
    const { manifestPath, submitted, pending, unknownResults, problems, ...run } =
      await runBatchCases({
        ...cases,
        targets,
        poll: {
          intervalMs: options.batch?.pollIntervalMs,
          maxIntervalMs: options.batch?.maxPollIntervalMs,
        },
        wait: options.batch?.wait,
        keepRecords: options.keepRecords,
        onEvent: (event) =>
          event.type.startsWith("batch-")
            ? options.onBatchEvent?.(event)
            : void options.onEvent?.(event as RunEvent),
      });
    return finish(run, { manifestPath, submitted, pending, unknownResults, problems });
  }
  return finish(
    await runCases({
      ...cases,
      targets: resolved.map((platform) =>
        runTarget(platform, options.simulated?.includes(platform.preset.id))
      ),
      stream: options.stream,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      cache: options.cache,
      cacheDir: `${outDir}/cache/responses`,
      onEvent: options.onEvent,
      keepRecords: options.keepRecords,
    }),
  );
}

/** One record per case of this call, read back from the run file. */
async function caseRecordsOf(outDir: string, result: RunResult): Promise<ResultRecord[]> {
  const keys = new Set(result.caseKeys);
  const { records: stored } = await readRuns(outDir, { runIds: [result.runId] });
  return stored.filter((record) => keys.has(record.caseKey));
}
