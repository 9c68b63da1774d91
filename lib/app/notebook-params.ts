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
import { safeHtml } from "../util/html.ts";
import { parseVariant } from "../images/variants.ts";
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
  /**
   * `VB_MAX_SPEND_USD`: a run whose paid calls are estimated above this many dollars does not
   * start. @default 1
   */
  maxSpendUsd?: number;
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
  if (params.maxSpendUsd !== undefined) env.VB_MAX_SPEND_USD = String(params.maxSpendUsd);
  return env;
}

/** Parameters as a notebook sees them: the folders are always known. */
export type ResolvedNotebookParams = NotebookParams & { images: string; out: string };

/** The `VB_*` variable of each parameter. */
const ENV_NAMES: Record<keyof NotebookParams, string> = {
  platforms: "VB_PLATFORMS",
  images: "VB_IMAGES",
  limit: "VB_LIMIT",
  prompt: "VB_PROMPT",
  resize: "VB_RESIZE",
  runId: "VB_RUN_ID",
  repeat: "VB_REPEAT",
  out: "VB_OUT",
  maxP50Ms: "VB_MAX_P50_MS",
  judge: "VB_JUDGE",
  blind: "VB_BLIND",
  cache: "VB_CACHE",
  minQuality: "VB_MIN_QUALITY",
  simulated: "VB_SIMULATED",
  maxSpendUsd: "VB_MAX_SPEND_USD",
};

/**
 * The inverse of {@link paramsToEnv}, for a notebook's first cell: the parameters cell's values
 * (`cell`) are checked — a wrong type or range throws a `usage` error naming the parameter — and
 * each `VB_*` variable that is set wins over them; `images` and `out` fall back to the
 * repository's images/ and results/. Read through {@link loadConfig}, the one place env is read.
 * The result displays in a notebook as a table of what is in effect, saying which `VB_*`
 * variable overrode which cell value.
 *
 * @example
 * ```ts
 * const params = notebookParams({ platforms: ["local"], limit: 3 });
 * console.log(params);
 * ```
 */
export function notebookParams(
  cell: NotebookParams = {},
  config: Config = loadConfig(),
): ResolvedNotebookParams {
  const defaults = checkCellParams(cell);
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
  const fromEnv: NotebookParams = {
    platforms: list("VB_PLATFORMS"),
    images: config.get("VB_IMAGES"),
    limit: integer("VB_LIMIT", FLAG_BOUNDS.limit),
    prompt: config.get("VB_PROMPT"),
    resize: list("VB_RESIZE"),
    runId: config.get("VB_RUN_ID"),
    repeat: integer("VB_REPEAT", FLAG_BOUNDS.repeat),
    out: config.get("VB_OUT"),
    maxP50Ms: integer("VB_MAX_P50_MS"),
    judge: config.get("VB_JUDGE"),
    blind: boolean("VB_BLIND"),
    cache: config.get("VB_CACHE") === undefined
      ? undefined
      : parseCacheMode(config.get("VB_CACHE")!, "VB_CACHE"),
    minQuality: config.get("VB_MIN_QUALITY") === undefined
      ? undefined
      : quality(Number(config.get("VB_MIN_QUALITY")), "VB_MIN_QUALITY"),
    simulated: list("VB_SIMULATED"),
    maxSpendUsd: config.get("VB_MAX_SPEND_USD") === undefined
      ? undefined
      : dollars(Number(config.get("VB_MAX_SPEND_USD")), "VB_MAX_SPEND_USD"),
  };
  const params: Record<string, unknown> = {};
  const overrides: string[] = [];
  for (const name of Object.keys(ENV_NAMES) as (keyof NotebookParams)[]) {
    const value = fromEnv[name] ?? defaults[name];
    if (value !== undefined) params[name] = value;
    if (fromEnv[name] !== undefined && name in cell) {
      overrides.push(`${ENV_NAMES[name]} overrides ${name} of the parameters cell`);
    }
  }
  params.images ??= DEFAULT_IMAGES_DIR;
  params.out ??= DEFAULT_RESULTS_DIR;
  // Shown, not spread: `{ ...params }` is the plain parameters.
  Object.defineProperty(params, Symbol.for("Jupyter.display"), {
    enumerable: false,
    value: () => ({ "text/html": paramsHtml(params, overrides).html }),
  });
  return params as unknown as ResolvedNotebookParams;
}

/** The parameters in effect, as a small table, with the VB_* overrides said first. */
function paramsHtml(params: Record<string, unknown>, overrides: string[]) {
  const rows = Object.entries(params).map(([name, value]) =>
    safeHtml`<tr><td style="text-align:left;padding:1px 10px 1px 0"><code>${name}</code></td><td style="text-align:left;padding:1px 0">${
      JSON.stringify(value)
    }</td></tr>`
  );
  return safeHtml`<div class="tex2jax_ignore">${
    overrides.map((line) => safeHtml`<p style="margin:0 0 4px;color:#9a6700"><b>${line}.</b></p>`)
  }<table style="border-collapse:collapse;font-size:13px;overflow-wrap:anywhere"><caption style="text-align:left;caption-side:top;color:#57606a">Parameters in effect</caption>${rows}</table></div>`;
}

/** Checks the parameters cell's values; a message names the parameter and says what it takes. */
function checkCellParams(cell: NotebookParams): NotebookParams {
  const fail = (name: string, what: string, value: unknown): never => {
    throw new VisionBenchError(
      "usage",
      `parameter ${name} must be ${what}, got ${JSON.stringify(value) ?? String(value)}`,
    );
  };
  const strings = (name: keyof NotebookParams, hint: string) => {
    const value = cell[name];
    if (value === undefined) return;
    if (
      !Array.isArray(value) || value.length === 0 ||
      value.some((item) => typeof item !== "string" || !item.trim())
    ) {
      fail(name, `a non-empty list of strings, e.g. ${hint}`, value);
    }
  };
  const text = (name: keyof NotebookParams) => {
    const value = cell[name];
    if (value !== undefined && (typeof value !== "string" || !value.trim())) {
      fail(name, "a non-empty string", value);
    }
  };
  strings("platforms", `["local", "openai"]`);
  strings("resize", `["original", "512"]`);
  strings("simulated", `["openai"]`);
  for (const name of ["images", "prompt", "runId", "out", "judge"] as const) text(name);
  for (
    const [name, max] of [["limit", FLAG_BOUNDS.limit], ["repeat", FLAG_BOUNDS.repeat], [
      "maxP50Ms",
      Number.MAX_SAFE_INTEGER,
    ]] as const
  ) {
    const value = cell[name];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= max)) {
      fail(
        name,
        `a whole number from 1 to ${max}${name === "limit" ? " (undefined: every image)" : ""}`,
        value,
      );
    }
  }
  if (cell.resize) {
    for (const variant of cell.resize) {
      try {
        parseVariant(variant);
      } catch (error) {
        fail("resize", `"original" or a longest side in px (${(error as Error).message})`, variant);
      }
    }
  }
  if (cell.blind !== undefined && typeof cell.blind !== "boolean") {
    fail("blind", "true or false", cell.blind);
  }
  if (cell.cache !== undefined) {
    try {
      parseCacheMode(cacheFlagValue(cell.cache), "cache");
    } catch {
      fail("cache", `"use", "refresh" or "off"`, cell.cache);
    }
  }
  if (cell.minQuality !== undefined) {
    if (typeof cell.minQuality !== "number") {
      fail("minQuality", "a number from 0 to 10", cell.minQuality);
    }
    quality(cell.minQuality, "parameter minQuality");
  }
  if (cell.maxSpendUsd !== undefined) dollars(cell.maxSpendUsd, "parameter maxSpendUsd");
  return cell.cache === undefined
    ? cell
    : { ...cell, cache: parseCacheMode(cacheFlagValue(cell.cache), "cache") };
}

/** A spend cap: dollars, 0 or more. */
function dollars(value: unknown, name: string): number {
  if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) {
    throw new VisionBenchError("usage", `${name} must be a number of dollars >= 0, got ${value}`);
  }
  return value;
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
