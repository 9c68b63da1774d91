/**
 * The HTML report: executes the notebooks with the Deno kernel (through
 * `scripts/execute-notebooks.py`, an nbclient executor that does not lose late outputs) and
 * combines them into one self-contained `results/report.html`.
 *
 * Notebooks take their parameters from `VB_*` environment variables, read in their first cell.
 *
 * @example
 * ```ts
 * const report = await renderReport({ params: { platforms: ["local"], limit: 3 } });
 * console.log(report.reportPath, report.bytes);
 * ```
 *
 * @module
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { type Config, loadConfig } from "../platforms/config.ts";
import { VisionBenchError } from "../contract/errors.ts";
import { DEFAULT_IMAGES_DIR, DEFAULT_RESULTS_DIR, repoPath } from "../util/paths.ts";
import type { CacheMode } from "../run/response-cache.ts";
import { parsePositiveInteger } from "../util/parse-values.ts";

/** Python that has nbclient and nbconvert (Debian's packages install them for the system python). */
export const DEFAULT_PYTHON = "/usr/bin/python3";

/** The command that installs what the report needs. */
export const SETUP_HINT =
  "sh scripts/setup-jupyter.sh   (apt-get: jupyter-nbconvert jupyter-client)";

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
  /** `VB_CACHE`: response cache of the benchmark notebooks: `use`, `bypass` or `refresh`. @default "use" */
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
  if (params.limit !== undefined) env.VB_LIMIT = String(positive("limit", params.limit));
  if (params.prompt !== undefined) env.VB_PROMPT = params.prompt;
  if (params.resize?.length) env.VB_RESIZE = params.resize.join(",");
  if (params.runId !== undefined) env.VB_RUN_ID = params.runId;
  if (params.repeat !== undefined) env.VB_REPEAT = String(positive("repeat", params.repeat));
  if (params.out !== undefined) env.VB_OUT = absolute(params.out);
  if (params.maxP50Ms !== undefined) {
    env.VB_MAX_P50_MS = String(positive("maxP50Ms", params.maxP50Ms));
  }
  if (params.judge !== undefined) env.VB_JUDGE = params.judge;
  if (params.blind !== undefined) env.VB_BLIND = String(params.blind);
  if (params.cache !== undefined) env.VB_CACHE = cacheMode("cache", params.cache);
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
 * ```
 */
export function notebookParams(
  defaults: NotebookParams = {},
  config: Config = loadConfig(),
): ResolvedNotebookParams {
  const list = (name: string) =>
    config.get(name)?.split(",").map((item) => item.trim()).filter(Boolean);
  const integer = (name: string) => parsePositiveInteger(config.get(name), name);
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
    limit: integer("VB_LIMIT") ?? defaults.limit,
    prompt: config.get("VB_PROMPT") ?? defaults.prompt,
    resize: list("VB_RESIZE") ?? defaults.resize,
    runId: config.get("VB_RUN_ID") ?? defaults.runId,
    repeat: integer("VB_REPEAT") ?? defaults.repeat,
    out: config.get("VB_OUT") ?? defaults.out ?? DEFAULT_RESULTS_DIR,
    maxP50Ms: integer("VB_MAX_P50_MS") ?? defaults.maxP50Ms,
    judge: config.get("VB_JUDGE") ?? defaults.judge,
    blind: boolean("VB_BLIND") ?? defaults.blind,
    cache: config.get("VB_CACHE") === undefined
      ? defaults.cache
      : cacheMode("VB_CACHE", config.get("VB_CACHE")!),
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

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Options of {@link renderReport}. */
export interface RenderReportOptions {
  /** Notebooks in execution order. @default notebooks/NN-*.ipynb, sorted */
  notebooks?: string[];
  /** Parameters passed to every notebook. @default {} (the notebooks' own defaults) */
  params?: NotebookParams;
  /** Where executed notebooks go (`<outDir>/notebooks/`). @default params.out, else results/ */
  outDir?: string;
  /** @default `<outDir>/report.html` */
  reportPath?: string;
  /** Seconds one cell may run. @default 1800 */
  cellTimeoutSeconds?: number;
  /** @default {@link DEFAULT_PYTHON} */
  python?: string;
  /** Extra environment of the kernels, e.g. keys and base URLs (emulators). @default {} */
  env?: Record<string, string>;
  /** Receives the executor's progress lines. @default written to stderr */
  onLine?: (line: string) => void;
}

/** What {@link renderReport} produced. */
export interface RenderedReport {
  reportPath: string;
  /** Size of the report file. */
  bytes: number;
  /** Executing and exporting, wall clock. */
  elapsedMs: number;
  /** Executed notebooks (`<outDir>/notebooks/<name>.ipynb`). */
  executedNotebooks: string[];
}

/**
 * The order notebooks appear in the report (they run in numeric order, since the comparison
 * reads what the benchmark recorded): findings, leaderboard and charts first, then the
 * descriptions, the quality detail, and the notebooks that produced the numbers.
 */
export const REPORT_ORDER = [
  "03-compare",
  "06-descriptions",
  "05-quality",
  "04-prompt-lab",
  "02-benchmark",
  "01-quick-check",
];

/** The numbered notebooks of the repository, sorted. */
export async function defaultNotebooks(folder: string = repoPath("notebooks")): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(folder)) {
    if (entry.isFile && /^\d\d-.+\.ipynb$/.test(entry.name)) names.push(`${folder}/${entry.name}`);
  }
  return names.sort();
}

/**
 * Throws a `config` error saying how to install Jupyter when `python` cannot import nbclient and
 * nbconvert, or when the Deno kernelspec is missing.
 */
export async function checkJupyter(python: string = DEFAULT_PYTHON): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(python, {
      args: ["-c", "import nbclient, nbconvert, jupyter_client"],
      stdout: "null",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new VisionBenchError(
      "config",
      `${python} cannot run; install Jupyter with: ${SETUP_HINT}`,
      {
        cause: error,
      },
    );
  }
  if (!output.success) {
    throw new VisionBenchError(
      "config",
      `${python} has no nbclient/nbconvert; install them with: ${SETUP_HINT}`,
    );
  }
  try {
    await Deno.stat(repoPath(".jupyter/kernels/deno/kernel.json"));
  } catch (error) {
    throw new VisionBenchError(
      "config",
      "the Deno kernelspec .jupyter/kernels/deno/kernel.json is missing",
      {
        cause: error,
      },
    );
  }
}

/**
 * Executes the notebooks and writes the combined report. Throws when a notebook fails (a cell
 * raised, or a cell that should show something showed nothing); the message names the notebook
 * and the cell, and the executed notebook is kept in `<outDir>/notebooks/` for inspection.
 */
export async function renderReport(options: RenderReportOptions = {}): Promise<RenderedReport> {
  const python = options.python ?? DEFAULT_PYTHON;
  await checkJupyter(python);
  const params = options.params ?? {};
  const notebooks = options.notebooks ?? await defaultNotebooks();
  if (notebooks.length === 0) throw new VisionBenchError("config", "no notebooks to execute");
  const outDir = resolve(options.outDir ?? params.out ?? repoPath("results"));
  const reportPath = resolve(options.reportPath ?? `${outDir}/report.html`);
  const onLine = options.onLine ?? ((line: string) => console.error(line));

  const started = performance.now();
  const child = new Deno.Command(python, {
    args: [
      repoPath("scripts/execute-notebooks.py"),
      "--out",
      outDir,
      "--report",
      reportPath,
      "--timeout",
      String(options.cellTimeoutSeconds ?? 1800),
      "--order",
      REPORT_ORDER.join(","),
      "--assets",
      repoPath("lib/present/report-assets"),
      // No local paths in a report that leaves this machine.
      "--redact",
      `${outDir}=results`,
      "--redact",
      `${repoPath("")}/=`,
      ...((Deno.env.get("HOME")?.length ?? 0) > 1 ? ["--redact", `${Deno.env.get("HOME")}=~`] : []),
      ...notebooks.map((path) => resolve(path)),
    ],
    env: { ...options.env, ...kernelEnv(), ...paramsToEnv(params) },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const failures: string[] = [];
  await Promise.all([
    forEachLine(child.stdout, onLine),
    forEachLine(child.stderr, (line) => {
      // The kernel's "deno jupyter is unstable" banner is noise; keep everything else.
      if (line.includes('"deno jupyter" is unstable')) return;
      failures.push(line);
      onLine(line);
    }),
  ]);
  const status = await child.status;
  const elapsedMs = performance.now() - started;
  if (!status.success) {
    throw new Error(`notebook execution failed (exit ${status.code}):\n${failures.join("\n")}`);
  }
  const { size } = await Deno.stat(reportPath);
  const executedNotebooks = notebooks.map((path) =>
    `${outDir}/notebooks/${path.replace(/^.*\//, "").replace(/\.ipynb$/, "")}.ipynb`
  );
  return { reportPath, bytes: size, elapsedMs, executedNotebooks };
}

/** Environment for the executor: the repo-local kernelspec, and this deno first on PATH. */
function kernelEnv(): Record<string, string> {
  const jupyterPath = [repoPath(".jupyter"), Deno.env.get("JUPYTER_PATH")].filter(Boolean).join(
    ":",
  );
  const path = [dirname(Deno.execPath()), Deno.env.get("PATH")].filter(Boolean).join(":");
  return { JUPYTER_PATH: jupyterPath, PATH: path };
}

async function forEachLine(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  }
  if (pending) onLine(pending);
}

/** A quality floor: a number from 0 to 10. */
function quality(value: number, name = "minQuality"): number {
  if (!(value >= 0 && value <= 10)) {
    throw new VisionBenchError("config", `${name} must be a number from 0 to 10, got ${value}`);
  }
  return value;
}

const CACHE_MODES: readonly CacheMode[] = ["use", "bypass", "refresh"];

function cacheMode(name: string, value: string): CacheMode {
  if (!(CACHE_MODES as readonly string[]).includes(value)) {
    throw new VisionBenchError("config", `${name} must be use, bypass or refresh, got "${value}"`);
  }
  return value as CacheMode;
}
