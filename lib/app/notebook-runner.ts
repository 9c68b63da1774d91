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
import { basename, dirname, resolve } from "node:path";
import { VisionBenchError } from "../contract/errors.ts";
import { repoPath } from "../util/paths.ts";
import { type NotebookParams, paramsToEnv } from "./notebook-params.ts";

/** Python that has nbclient and nbconvert (Debian's packages install them for the system python). */
export const DEFAULT_PYTHON = "/usr/bin/python3";

/** The command that installs what the report needs. */
export const SETUP_HINT =
  "sh scripts/setup-jupyter.sh   (apt-get: jupyter-nbconvert jupyter-client)";

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
  /**
   * Kernels at a time within a stage of {@link REPORT_STAGES}. Each kernel spends most of its
   * start-up importing the library on one core. @default 2, or 1 on a one-core machine
   */
  jobs?: number;
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
 * The order notebooks appear in the report (they run in {@link REPORT_STAGES}, since the
 * comparison reads what the benchmark recorded): findings, leaderboard and charts first, then the
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

/**
 * Notebooks that may run at the same time. The first stage records runs, each in a folder or run
 * id of its own; the second only reads what the benchmark (02) recorded. Anything not listed
 * runs afterwards, one at a time.
 */
export const REPORT_STAGES = [
  ["01-quick-check", "02-benchmark", "04-prompt-lab"],
  ["03-compare", "05-quality", "06-descriptions"],
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
      ...REPORT_STAGES.flatMap((stage) => ["--stage", stage.join(",")]),
      "--jobs",
      String(options.jobs ?? Math.min(2, navigator.hardwareConcurrency || 1)),
      "--assets",
      repoPath("lib/present/report-assets"),
      ...reportRedactions(outDir),
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
    throw new VisionBenchError(
      "notebook",
      `notebook execution failed (exit ${status.code}):\n${failures.join("\n")}`,
    );
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

/**
 * The executor's `--redact FROM=TO` arguments: no local path in a report that leaves this
 * machine. A results folder inside the repository reads as its relative path (the reader must
 * find `results/emulated/ratings`, not a `results/ratings` that does not hold them); one outside
 * reads as its last name; the home folder as `~`.
 *
 * @example
 * ```ts
 * reportRedactions("/tmp/run-7"); // ["--redact", "/tmp/run-7=run-7", "--redact", "<repo>/=", …]
 * ```
 */
export function reportRedactions(outDir: string, home = Deno.env.get("HOME")): string[] {
  const inside = outDir.startsWith(`${repoPath("")}/`);
  return [
    ...(inside ? [] : ["--redact", `${outDir}=${basename(outDir)}`]),
    "--redact",
    `${repoPath("")}/=`,
    ...((home?.length ?? 0) > 1 ? ["--redact", `${home}=~`] : []),
  ];
}
