/**
 * The notebooks' parameters and their `VB_*` codec: the report (and anyone running a notebook
 * headless) passes parameters as environment variables; the notebook's first cell reads them back
 * with {@link notebookParams}, falling back to the notebook's own defaults.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { VisionBenchError } from "../contract/errors.ts";
import { type Config, loadConfig } from "../platforms/config.ts";
import type { CacheMode } from "../run/response-cache.ts";
import { DEFAULT_IMAGES_DIR, DEFAULT_RESULTS_DIR } from "../util/paths.ts";
import { parsePositiveInteger } from "../util/parse-values.ts";
import { cacheFlagValue, FLAG_BOUNDS, parseCacheMode } from "./cli-vocabulary.ts";

/** Parameters of the notebooks; each becomes a `VB_*` environment variable. */
export interface NotebookParams {
  /** `VB_PLATFORMS`: presets (or `preset:model`). @default the platforms discovery finds */
  platforms?: string[];
  /** `VB_IMAGES`: folder of images. @default the repository's images/ */
  images?: string;
  /** `VB_LIMIT`: only the first N images. */
  limit?: number;
  /** `VB_PROMPT`: the prompt. @default the study's prompt */
  prompt?: string;
  /** `VB_RESIZE`: variants, e.g. `["original", "512"]`. */
  resize?: string[];
  /** `VB_RUN_ID`: run id of the benchmark notebook (resumes when it exists). */
  runId?: string;
  /** `VB_REPEAT`: real calls per case. */
  repeat?: number;
  /** `VB_OUT`: results folder. @default the repository's results/ */
  out?: string;
  /** `VB_MAX_P50_MS`: latency bound of the "pick" in 03-compare. @default 5000 */
  maxP50Ms?: number;
  /** `VB_JUDGE`: judge platform of 05-quality (`preset` or `preset:model`). @default no judge */
  judge?: string;
  /** `VB_BLIND`: hide the platform when rating in 05-quality. @default true */
  blind?: boolean;
  /**
   * `VB_CACHE`: response cache of the benchmark notebooks, written as the flag spells it: `use`,
   * `refresh` or `off` (the runner's `bypass`; `bypass` is still read). @default "use"
   */
  cache?: CacheMode;
  /** `VB_MIN_QUALITY`: quality floor (0–10) of the pick in 03-compare. @default 6 */
  minQuality?: number;
  /**
   * `VB_SIMULATED`: presets answered by local emulators (`report --emulated`); their records are
   * marked simulated. @default none
   */
  simulated?: string[];
}

/**
 * The `VB_*` variables for `params`. Paths become absolute, because the kernel runs in the
 * notebooks' folder, not where the command was typed.
 *
 * @example
 * ```ts
 * paramsToEnv({ platforms: ["local", "openai"], limit: 3 }); // { VB_PLATFORMS: "local,openai", VB_LIMIT: "3" }
 * ```
 */
export function paramsToEnv(
  params: NotebookParams,
  cwd: string = Deno.cwd(),
): Record<string, string> {
  const env: Record<string, string> = {};
  const absolute = (path: string) => isAbsolute(path) ? path : resolve(cwd, path);
  if (params.platforms?.length) env.VB_PLATFORMS = params.platforms.join(",");
  if (params.images !== undefined) env.VB_IMAGES = absolute(params.images);
  if (params.limit !== undefined) {
    env.VB_LIMIT = String(positive("limit", params.limit, FLAG_BOUNDS.limit));
  }
  if (params.prompt !== undefined) env.VB_PROMPT = params.prompt;
  if (params.resize?.length) env.VB_RESIZE = params.resize.join(",");
  if (params.runId !== undefined) env.VB_RUN_ID = params.runId;
  if (params.repeat !== undefined) {
    env.VB_REPEAT = String(positive("repeat", params.repeat, FLAG_BOUNDS.repeat));
  }
  if (params.out !== undefined) env.VB_OUT = absolute(params.out);
  if (params.maxP50Ms !== undefined) {
    env.VB_MAX_P50_MS = String(positive("maxP50Ms", params.maxP50Ms, Number.MAX_SAFE_INTEGER));
  }
  if (params.judge !== undefined) env.VB_JUDGE = params.judge;
  if (params.blind !== undefined) env.VB_BLIND = String(params.blind);
  if (params.cache !== undefined) {
    env.VB_CACHE = cacheFlagValue(parseCacheMode(cacheFlagValue(params.cache), "cache"));
  }
  if (params.minQuality !== undefined) env.VB_MIN_QUALITY = String(quality(params.minQuality));
  if (params.simulated?.length) env.VB_SIMULATED = params.simulated.join(",");
  return env;
}

/** Parameters as a notebook sees them: the folders are always known. */
export type ResolvedNotebookParams = NotebookParams & { images: string; out: string };

/**
 * The inverse of {@link paramsToEnv}, for a notebook's first cell: each `VB_*` variable that is
 * set wins over `defaults`; `images` and `out` fall back to the repository's images/ and
 * results/. Read through {@link loadConfig}, the one place env is read.
 *
 * @example
 * ```ts
 * const params = notebookParams({ platforms: ["local"], limit: 3 });
 * console.log(params);
 * ```
 */
export function notebookParams(
  defaults: NotebookParams = {},
  config: Config = loadConfig(),
): ResolvedNotebookParams {
  const list = (name: string) =>
    config.get(name)?.split(",").map((item) => item.trim()).filter(Boolean);
  const integer = (name: string, max?: number) =>
    parsePositiveInteger(config.get(name), name, { max });
  const boolean = (name: string) => {
    const value = config.get(name)?.toLowerCase();
    if (value === undefined) return undefined;
    if (["1", "true", "yes"].includes(value)) return true;
    if (["0", "false", "no"].includes(value)) return false;
    throw new VisionBenchError("config", `${name} must be true or false, got "${value}"`);
  };
  const params: ResolvedNotebookParams = {
    platforms: list("VB_PLATFORMS") ?? defaults.platforms,
    images: config.get("VB_IMAGES") ?? defaults.images ?? DEFAULT_IMAGES_DIR,
    limit: integer("VB_LIMIT", FLAG_BOUNDS.limit) ?? defaults.limit,
    prompt: config.get("VB_PROMPT") ?? defaults.prompt,
    resize: list("VB_RESIZE") ?? defaults.resize,
    runId: config.get("VB_RUN_ID") ?? defaults.runId,
    repeat: integer("VB_REPEAT", FLAG_BOUNDS.repeat) ?? defaults.repeat,
    out: config.get("VB_OUT") ?? defaults.out ?? DEFAULT_RESULTS_DIR,
    maxP50Ms: integer("VB_MAX_P50_MS") ?? defaults.maxP50Ms,
    judge: config.get("VB_JUDGE") ?? defaults.judge,
    blind: boolean("VB_BLIND") ?? defaults.blind,
    cache: config.get("VB_CACHE") === undefined
      ? defaults.cache
      : parseCacheMode(config.get("VB_CACHE")!, "VB_CACHE"),
    minQuality: config.get("VB_MIN_QUALITY") === undefined
      ? defaults.minQuality
      : quality(Number(config.get("VB_MIN_QUALITY")), "VB_MIN_QUALITY"),
    simulated: list("VB_SIMULATED") ?? defaults.simulated,
  };
  // Drop unset fields so the notebook shows only what is in effect.
  return Object.fromEntries(
    Object.entries(params).filter(([, value]) => value !== undefined),
  ) as ResolvedNotebookParams;
}

function positive(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value <= 0 || value > max) {
    throw new VisionBenchError(
      "usage",
      `${name} must be a positive integer up to ${max}, got ${value}`,
    );
  }
  return value;
}

/** A quality floor: a number from 0 to 10. */
function quality(value: number, name = "minQuality"): number {
  if (!(value >= 0 && value <= 10)) {
    throw new VisionBenchError("config", `${name} must be a number from 0 to 10, got ${value}`);
  }
  return value;
}
