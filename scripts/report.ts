/**
 * `deno task report`: executes the notebooks (notebooks/NN-*.ipynb, or the ones given) with the
 * Deno kernel and writes one self-contained results/report.html.
 *
 * Usage:
 *   deno task report [--platforms local,openai] [--images images] [--limit 3] [--prompt "…"]
 *                    [--resize original,512] [--run-id ID] [--repeat 1] [--out results]
 *                    [--max-p50-ms 5000] [--min-quality 6] [--judge openai] [--no-blind] [--cache use|bypass|refresh]
 *                    [--timeout 1800]
 *                    [notebooks/01-quick-check.ipynb …]
 *
 * Flags become the notebooks' VB_* variables; VB_* already in the environment pass through too.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { VisionBenchError } from "../lib/contract/errors.ts";
import { parsePositiveInteger } from "../lib/util/parse-values.ts";
import { type NotebookParams, renderReport } from "../lib/app/notebook-runner.ts";
import { EMULATED_PRESETS, startAllEmulators } from "../emulators/all.ts";
import { simulatedAnswers } from "../emulators/profiles.ts";

const USAGE = `usage: deno task report [--platforms a,b] [--images DIR] [--limit N] [--prompt TEXT]
       [--resize original,512] [--run-id ID] [--repeat N] [--out DIR] [--max-p50-ms N]
       [--min-quality Q] [--judge PRESET] [--no-blind] [--cache MODE] [--timeout SECONDS] [notebook.ipynb ...]

  --run-id ID     the benchmark's run id (default "benchmark": re-running resumes, nothing recorded
                  is called again; a new id with --cache refresh measures everything again)
  --max-p50-ms N  the pick's latency budget: p50 per image in ms (default 5000; VB_MAX_P50_MS)
  --min-quality Q the pick's quality floor, 0-10 (default 6, the study's; VB_MIN_QUALITY)
  --emulated      start a local emulator of every platform and benchmark them all (no keys, no
                  network), into results/emulated/ unless --out is given. Answers are SIMULATED
                  from per-platform profiles; the report labels them so
  --latency-scale S  with --emulated: latencies around the study's published average and fastest
                  × S (default 0.005). On a busy machine the emulators' own overhead can
                  outweigh these waits: simulated latencies are labelled, never measured
  --cache MODE    response cache: use (default; a hit is flagged cached and kept out of latency
                  statistics), bypass, or refresh

  --judge PRESET  05-quality: a vision preset (e.g. openai) grades each description (costs calls)
  --no-blind      05-quality: show the platform when rating descriptions`;

function list(value: string | undefined): string[] | undefined {
  return value?.split(",").map((item) => item.trim()).filter(Boolean);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      platforms: { type: "string" },
      images: { type: "string" },
      limit: { type: "string" },
      prompt: { type: "string" },
      resize: { type: "string" },
      "run-id": { type: "string" },
      repeat: { type: "string" },
      out: { type: "string" },
      "max-p50-ms": { type: "string" },
      "min-quality": { type: "string" },
      judge: { type: "string" },
      "no-blind": { type: "boolean" },
      cache: { type: "string" },
      emulated: { type: "boolean" },
      "latency-scale": { type: "string" },
      timeout: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const scale = Number(values["latency-scale"] ?? "0.005");
  if (!(scale > 0)) throw new RangeError(`--latency-scale must be a positive number`);
  const minQuality = values["min-quality"] === undefined
    ? undefined
    : Number(values["min-quality"]);
  const params: NotebookParams = {
    platforms: list(values.platforms),
    images: values.images,
    limit: parsePositiveInteger(values.limit, "--limit"),
    prompt: values.prompt,
    resize: list(values.resize),
    runId: values["run-id"],
    repeat: parsePositiveInteger(values.repeat, "--repeat"),
    // Emulated runs get a folder of their own: they must never mix with real measurements.
    out: values.out ?? (values.emulated ? "results/emulated" : undefined),
    maxP50Ms: parsePositiveInteger(values["max-p50-ms"], "--max-p50-ms"),
    minQuality,
    simulated: values.emulated ? [...EMULATED_PRESETS] : undefined,
    judge: values.judge,
    blind: values["no-blind"] ? false : undefined,
    cache: values.cache as NotebookParams["cache"],
  };
  const fleet = values.emulated
    ? startAllEmulators({ behaviour: await simulatedAnswers({ scale }) })
    : undefined;
  let report;
  try {
    report = await renderReport({
      notebooks: positionals.length > 0 ? positionals : undefined,
      params,
      cellTimeoutSeconds: parsePositiveInteger(values.timeout, "--timeout"),
      // Every preset points at its emulator; a .env with real keys stays out of it.
      env: fleet ? { ...fleet.env, VISIONBENCH_ENV_FILE: "/dev/null" } : undefined,
      onLine: (line) => console.log(line),
    });
  } finally {
    await fleet?.close();
  }
  const megabytes = (report.bytes / 1_000_000).toFixed(2);
  const seconds = (report.elapsedMs / 1000).toFixed(1);
  console.log(`report: ${report.reportPath} (${megabytes} MB) in ${seconds} s`);
  return 0;
}

try {
  Deno.exit(await main());
} catch (error) {
  if (
    error instanceof VisionBenchError || error instanceof RangeError || error instanceof TypeError
  ) {
    console.error(`report: ${error.message}`);
    if (!(error instanceof VisionBenchError)) console.error(USAGE);
    Deno.exit(2);
  }
  // A failed notebook's details were already streamed above: repeat only the headline.
  const message = error instanceof Error ? error.message : String(error);
  console.error(`report: ${message.split("\n")[0]}`);
  Deno.exit(1);
}
