/**
 * The flags of `deno task report`, in the vocabulary `bench` uses (see cli-vocabulary.ts): the
 * shared ones become the notebooks' parameters, the rest steer the executor.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { VisionBenchError } from "../contract/errors.ts";
import { parseNumber, parsePositiveInteger } from "../util/parse-values.ts";
import { COMMON_FLAG_HELP, COMMON_FLAG_OPTIONS, readCommonFlags } from "./cli-vocabulary.ts";
import type { NotebookParams } from "./notebook-params.ts";
import { type Config, loadConfig } from "../platforms/config.ts";
import { checkAssumptions, type PricingAssumptions } from "../price/assumptions.ts";

/** Usage text of `deno task report`. */
export const REPORT_USAGE =
  `visionbench report — execute the notebooks and write one self-contained report

Usage: deno task report [flags] [notebook.ipynb ...]

${COMMON_FLAG_HELP}
  --prompt TEXT              the prompt of the benchmark notebooks
  --max-spend USD            a notebook run whose paid calls are estimated above it does not
                             start (default 1; VB_MAX_SPEND_USD)
  --max-p50-ms N             the pick's latency budget: p50 per image in ms (default 5000;
                             VB_MAX_P50_MS)
  --min-quality Q            the pick's quality floor, 0-10 (default 6, the study's;
                             VB_MIN_QUALITY)
  --monthly-images N         images a month you send: subscriptions (Ollama Cloud) cost their
                             monthly price ÷ N instead of the card's assumed volume
                             (VB_MONTHLY_IMAGES)
  --utilisation U            share of an hourly server's time spent answering, 0-1 (default 1:
                             always busy; 0.25 makes each image cost 4×) (VB_UTILISATION)
  --pick-mode live|batch     pick on real-time prices and the latency budget (default), or on
                             batch-API prices (results within 24 h; no latency budget)
                             (VB_PICK_MODE)
  --judge PRESET             05-quality: a vision preset (e.g. openai) grades each description
                             (costs calls)
  --no-blind                 05-quality: show the platform when rating descriptions
  --emulated                 start a local emulator of every platform and benchmark them all (no
                             keys, no network), into results/emulated/ unless --out is given.
                             Answers are SIMULATED from per-platform profiles; the report says so
  --latency-scale S          with --emulated: the emulators model each call around the study's
                             published average and fastest seconds, and wait that × S (default
                             0.005); records keep the modelled seconds (latencyMs) and the wait
                             apart (wallLatencyMs): simulated, never measured
  --cell-timeout SECONDS     seconds one notebook cell may run (default 1800)
  --help, -h                 this text

The run id defaults to "benchmark": re-running resumes and calls nothing recorded again; a new
--run-id with --cache refresh measures everything again.`;

/** What {@link parseReportArgs} read. */
export interface ReportArgs {
  help?: boolean;
  params: NotebookParams;
  /** Notebooks given on the command line (empty: the numbered notebooks). */
  notebooks: string[];
  emulated: boolean;
  /** @default 0.005 */
  latencyScale: number;
  /** Your volume, utilisation and pick mode: passed to the notebooks as VB_* variables. */
  pricing: PricingParams;
  cellTimeoutSeconds?: number;
}

/**
 * Parses `report` flags; throws a `config` error on a bad or unknown one.
 *
 * @example
 * ```ts
 * parseReportArgs(["--platform", "local", "--limit", "3"]).params; // { platforms: ["local"], limit: 3 }
 * ```
 */
export function parseReportArgs(args: string[]): ReportArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...COMMON_FLAG_OPTIONS,
        prompt: { type: "string" },
        "max-p50-ms": { type: "string" },
        "max-spend": { type: "string" },
        "min-quality": { type: "string" },
        judge: { type: "string" },
        "no-blind": { type: "boolean" },
        emulated: { type: "boolean" },
        "latency-scale": { type: "string" },
        "monthly-images": { type: "string" },
        utilisation: { type: "string" },
        "pick-mode": { type: "string" },
        "cell-timeout": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new VisionBenchError("config", (error as Error).message);
  }
  const { values, positionals } = parsed;
  const common = readCommonFlags(values);
  const params: NotebookParams = {
    platforms: common.platforms,
    images: common.images,
    limit: common.limit,
    prompt: values.prompt,
    resize: common.resize?.length ? common.resize : undefined,
    runId: common.runId,
    repeat: common.repeat,
    // Emulated runs get a folder of their own: they must never mix with real measurements.
    out: common.out ?? (values.emulated ? "results/emulated" : undefined),
    maxP50Ms: parsePositiveInteger(values["max-p50-ms"], "--max-p50-ms"),
    minQuality: parseNumber(values["min-quality"], "--min-quality", { min: 0, max: 10 }),
    judge: values.judge,
    blind: values["no-blind"] ? false : undefined,
    cache: common.cache,
    maxSpendUsd: parseNumber(values["max-spend"], "--max-spend", { min: 0 }),
  };
  return {
    help: values.help,
    params: Object.fromEntries(
      Object.entries(params).filter(([, value]) => value !== undefined),
    ) as NotebookParams,
    notebooks: positionals,
    emulated: values.emulated ?? false,
    latencyScale: parseNumber(values["latency-scale"], "--latency-scale", { min: 0 }) ?? 0.005,
    pricing: pricingParamsOf({
      monthlyImages: values["monthly-images"],
      utilisation: values.utilisation,
      mode: values["pick-mode"],
    }, { monthlyImages: "--monthly-images", utilisation: "--utilisation", mode: "--pick-mode" }),
    cellTimeoutSeconds: parsePositiveInteger(values["cell-timeout"], "--cell-timeout", {
      max: 7 * 24 * 3600,
    }),
  };
}

/** The pricing assumptions and pick mode of a report (`compareReport`'s options). */
export interface PricingParams extends PricingAssumptions {
  /** Pick on real-time or batch-API prices. @default "live" */
  mode?: "live" | "batch";
}

/**
 * The VB_* variables that carry {@link PricingParams} to the notebooks.
 *
 * @example
 * ```ts
 * pricingEnv({ monthlyImages: 100_000 }); // { VB_MONTHLY_IMAGES: "100000" }
 * ```
 */
export function pricingEnv(pricing: PricingParams): Record<string, string> {
  const env: Record<string, string> = {};
  if (pricing.monthlyImages !== undefined) env.VB_MONTHLY_IMAGES = String(pricing.monthlyImages);
  if (pricing.utilisation !== undefined) env.VB_UTILISATION = String(pricing.utilisation);
  if (pricing.mode !== undefined) env.VB_PICK_MODE = pricing.mode;
  return env;
}

/**
 * A notebook's pricing parameters: each VB_* variable that is set (`VB_MONTHLY_IMAGES`,
 * `VB_UTILISATION`, `VB_PICK_MODE`) wins over `defaults` (the parameters cell). Spread the result
 * into `compareReport()`'s options. Throws a `config` error on a bad value.
 *
 * @example
 * ```ts
 * const pricing = pricingParams({ monthlyImages: 60_000 });
 * // compareReport({ out: "results", ...pricing })
 * ```
 */
export function pricingParams(
  defaults: PricingParams = {},
  config: Config = loadConfig(),
): PricingParams {
  const read = pricingParamsOf({
    monthlyImages: config.get("VB_MONTHLY_IMAGES"),
    utilisation: config.get("VB_UTILISATION"),
    mode: config.get("VB_PICK_MODE"),
  }, { monthlyImages: "VB_MONTHLY_IMAGES", utilisation: "VB_UTILISATION", mode: "VB_PICK_MODE" });
  const merged: PricingParams = {
    monthlyImages: read.monthlyImages ?? defaults.monthlyImages,
    utilisation: read.utilisation ?? defaults.utilisation,
    mode: read.mode ?? defaults.mode,
  };
  // The parameters cell is not type-checked: its values get the flags' checks too.
  pricingParamsOf({
    monthlyImages: merged.monthlyImages?.toString(),
    utilisation: merged.utilisation?.toString(),
    mode: merged.mode,
  }, { monthlyImages: "monthlyImages", utilisation: "utilisation", mode: "pickMode" });
  return Object.fromEntries(
    Object.entries(merged).filter(([, value]) => value !== undefined),
  ) as PricingParams;
}

function pricingParamsOf(
  values: { monthlyImages?: string; utilisation?: string; mode?: string },
  names: { monthlyImages: string; utilisation: string; mode: string },
): PricingParams {
  const mode = values.mode;
  if (mode !== undefined && mode !== "live" && mode !== "batch") {
    throw new VisionBenchError("config", `${names.mode} must be live or batch, got "${mode}"`);
  }
  const pricing: PricingParams = {
    monthlyImages: parsePositiveInteger(values.monthlyImages, names.monthlyImages),
    utilisation: parseNumber(values.utilisation, names.utilisation, { min: 0.0001, max: 1 }),
    mode,
  };
  try {
    checkAssumptions(pricing);
  } catch (error) {
    throw new VisionBenchError("config", (error as Error).message);
  }
  return Object.fromEntries(
    Object.entries(pricing).filter(([, value]) => value !== undefined),
  ) as PricingParams;
}
