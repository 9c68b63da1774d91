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
  --judge PRESET             05-quality: a vision preset (e.g. openai) grades each description
                             (costs calls)
  --no-blind                 05-quality: show the platform when rating descriptions
  --emulated                 start a local emulator of every platform and benchmark them all (no
                             keys, no network), into results/emulated/ unless --out is given.
                             Answers are SIMULATED from per-platform profiles; the report says so
  --latency-scale S          with --emulated: latencies around the study's published average and
                             fastest × S (default 0.005). On a busy machine the emulators' own
                             overhead can outweigh these waits: simulated, never measured
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
    cellTimeoutSeconds: parsePositiveInteger(values["cell-timeout"], "--cell-timeout", {
      max: 7 * 24 * 3600,
    }),
  };
}
