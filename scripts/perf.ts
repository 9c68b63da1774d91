/**
 * `deno task perf`: the figures of issue 10, side by side from one run.
 *
 * 1. Harness vs a bare SDK loop. The OpenAI emulator runs in its own process, answering in
 *    50 ms. The same calls (33 images at 512 px × repeats, streamed, concurrency 64) go through
 *    a bare `openai` SDK loop and through `deno task bench` (the real CLI, flags as in deno.json,
 *    `--cache off`). Both are timed from the first request the emulator receives to the
 *    process's exit (the emulator prints both ends: `serve-emulators --request-times`), and perf
 *    checks the emulator saw exactly the calls asked for. Reported: both times and their ratio,
 *    the bench's start-up (spawn → first request) and tail (last request → exit), CPU seconds
 *    and each process's peak RSS (GNU time's max RSS). At 1,980 calls (× 60) and 9,900 calls
 *    (× 300). Every figure is the median of `--pairs` bare/bench pairs (which goes first
 *    alternates), every process with a fresh emulator: this 2-core VM's speed drifts by 10-20 %
 *    from minute to minute.
 * 2. Analysis at scale. 100,000 and 1,000,000 generated records (the sample run's records
 *    repeated with unique case keys) as JSON lines: load + summarize (the report's leaderboard
 *    columns) from the JSONL and from the Parquet beside it, each in a fresh process, with its
 *    time and peak RSS. The record path of before (`readRuns` → `recordsToFrame` → `summarize`)
 *    is measured at 100,000 for comparison.
 *
 * 3. The notebooks' path at scale: `compareReport` (what notebook 03 computes: the leaderboard with
 *    quality scored from every description, the pick and its robustness) over 50,000, 200,000
 *    and 1,000,000 generated real-shaped records — the sample run repeated, every ok description
 *    a different demo-shaped text — from the JSONL and from the Parquet beside it, each in a fresh
 *    process with its time and peak RSS. `--data-dir DIR` keeps the generated runs for the next
 *    perf run (they take a while to write at 1M).
 *
 * Every measurement runs in a process of its own so memory and JIT state never leak between
 * them; ratios are taken within one run, since other processes on the machine move absolute
 * times. Flags: --calls 1980,9900  --pairs 3  --records 100000,1000000  --skip-harness
 * --skip-analysis  --report-records 50000,200000,1000000  --skip-report  --data-dir DIR  --gc (run the harness processes under V8's --trace-gc-nvp and print, per pair,
 * the MB promoted to the old generation and the full collections: the bench's runs fell into one
 * of two regimes, docs/performance.md).
 *
 * @module
 */
import OpenAI from "openai";
import { parseArgs } from "node:util";
import { join } from "node:path";
import { imageDataUrl } from "../lib/contract/mod.ts";
import { loadImageSet, prepareImage } from "../lib/images/mod.ts";
import {
  loadRunFrame,
  recordsToFrame,
  summarize,
  SUMMARY_COLUMNS,
  writeRunParquet,
} from "../lib/analysis/mod.ts";
import { readRuns } from "../lib/run/mod.ts";
import { repoPath } from "../lib/util/mod.ts";
import { demoDescription, sampleRecords } from "./make-sample-records.ts";
import { compareReport } from "../lib/app/compare-report.ts";
import { loadLabels } from "../lib/quality/labels.ts";
import { seededRandom } from "../lib/analysis/robustness.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    part: { type: "string" },
    arg: { type: "string", multiple: true },
    calls: { type: "string", default: "1980,9900" },
    records: { type: "string", default: "100000,1000000" },
    pairs: { type: "string", default: "3" },
    "skip-harness": { type: "boolean" },
    "skip-analysis": { type: "boolean" },
    "report-records": { type: "string", default: "50000,200000,1000000" },
    "skip-report": { type: "boolean" },
    "data-dir": { type: "string" },
    gc: { type: "boolean" },
  },
});

const IMAGES = 33;
const CONCURRENCY = 64;
const LATENCY_MS = 50;
const PROMPT = "Describe everything you see in this image in detail.";
/** The runtime flags of `deno task bench`, read from deno.json so the CLI is measured as shipped. */
const BENCH_TASK: string = JSON.parse(await Deno.readTextFile(repoPath("deno.json"))).tasks.bench;
const BENCH_FLAGS = BENCH_TASK.split(/\s+/).filter((word) => word.startsWith("--v8-flags"));

// ---------------------------------------------------------------------------------------------
// Parts, each in its own process; each prints one JSON line last.

/** The bare loop: the SDK alone, the same streamed calls, images encoded before the clock. */
async function bareLoop(calls: number, imagesDir: string): Promise<{ elapsedMs: number }> {
  const images = await loadImageSet(imagesDir, { limit: IMAGES });
  const urls = await Promise.all(
    images.map(async (image) =>
      imageDataUrl(
        (await prepareImage(image, { variant: "512", cacheDir: join(imagesDir, ".variants") }))
          .payload,
      )
    ),
  );
  const client = new OpenAI({
    apiKey: Deno.env.get("OPENAI_API_KEY"),
    baseURL: Deno.env.get("OPENAI_BASE_URL"),
    maxRetries: 0,
  });
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < calls) {
      const url = urls[next++ % urls.length];
      const stream = await client.chat.completions.create({
        model: "gpt-4o-mini",
        max_completion_tokens: 300,
        messages: [{
          role: "user",
          content: [
            { type: "text", text: PROMPT },
            { type: "image_url", image_url: { url, detail: "auto" } },
          ],
        }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const _chunk of stream) { /* consume, as the adapter does */ }
    }
  }));
  return { elapsedMs: performance.now() - started };
}

/** Load + summarize one run folder; `from`: jsonl, parquet, or records (the old path). */
async function analysis(dir: string, from: string): Promise<{ elapsedMs: number; rows: number }> {
  const started = performance.now();
  let summary;
  if (from === "records") {
    const { records } = await readRuns(dir);
    summary = summarize(recordsToFrame(records));
  } else {
    const { frame } = await loadRunFrame(dir, {
      columns: SUMMARY_COLUMNS,
      from: from as "jsonl" | "parquet",
    });
    summary = summarize(frame);
  }
  return { elapsedMs: performance.now() - started, rows: summary.height };
}

/** The decision notebook's computation over one run folder, from `jsonl` or `parquet`. */
async function compare(dir: string, from: string): Promise<{ elapsedMs: number; rows: number }> {
  const started = performance.now();
  const report = await compareReport({ out: dir, from: from as "jsonl" | "parquet" });
  return { elapsedMs: performance.now() - started, rows: report.rows.length };
}

if (values.part) {
  const args = values.arg ?? [];
  const result = values.part === "bare"
    ? await bareLoop(Number(args[0]), args[1])
    : values.part === "compare"
    ? await compare(args[0], args[1])
    : await analysis(args[0], args[1]);
  console.log(JSON.stringify(result));
  Deno.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Orchestration

interface Measured {
  wallMs: number;
  /** When the process was spawned and when it had exited (epoch ms, see {@link epochMs}). */
  startedAt: number;
  endedAt: number;
  /** User + system CPU seconds of the process: what other processes on the machine do not move. */
  cpuS: number;
  peakRssMb: number;
  stdout: string;
  stderr: string;
}

/** Milliseconds since the epoch, to a fraction: one clock for this process and the emulator. */
const epochMs = () => performance.timeOrigin + performance.now();

/** Runs a command under GNU time: wall clock, CPU time and peak RSS of the process. */
async function timed(args: string[], env: Record<string, string> = {}): Promise<Measured> {
  const startedAt = epochMs();
  const child = new Deno.Command("/usr/bin/time", {
    args: ["-f", "VB_PEAK_RSS_KB=%M VB_CPU=%U+%S", Deno.execPath(), ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = await child.output();
  const endedAt = epochMs();
  const wallMs = endedAt - startedAt;
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  if (!output.success) throw new Error(`${args.join(" ")} failed:\n${stderr.slice(-2000)}`);
  const kilobytes = Number(/VB_PEAK_RSS_KB=(\d+)/.exec(stderr)?.[1]);
  const [user, system] = /VB_CPU=([\d.]+)\+([\d.]+)/.exec(stderr)!.slice(1).map(Number);
  return {
    wallMs,
    startedAt,
    endedAt,
    cpuS: user + system,
    peakRssMb: kilobytes / 1024,
    stdout,
    stderr,
  };
}

/** A measured process with the emulator's view: spawn → first request, first request → exit. */
interface Timed extends Measured {
  requests: number;
  startupMs?: number;
  callsMs?: number;
  /** From the last request the emulator received to the process's exit. */
  tailMs?: number;
}

/** The last JSON object line of `text` (`--gc` interleaves V8's trace lines). */
function lastJson<T>(text: string): T {
  return JSON.parse(text.trim().split("\n").findLast((line) => line.startsWith("{"))!);
}

/** With `--gc`, each measured process runs under V8's `--trace-gc-nvp`. */
const GC_TRACE = values.gc ? ["--v8-flags=--trace-gc-nvp"] : [];

/** From a `--trace-gc-nvp` log: MB promoted by scavenges, and how many full collections ran. */
function gcSummary(stdout: string): { promotedMb: number; markCompacts: number } {
  let promoted = 0;
  let markCompacts = 0;
  for (const match of stdout.matchAll(/GC: (\{.*\})/g)) {
    let event: { gc?: string; promoted?: number };
    try {
      event = JSON.parse(match[1]);
    } catch {
      continue; // a line cut by another process's output
    }
    if (event.gc === "s") promoted += event.promoted ?? 0;
    else markCompacts++;
  }
  return { promotedMb: promoted / 1e6, markCompacts };
}

/** What the emulator saw of one measured process (epoch ms; see {@link epochMs}). */
interface RequestTimes {
  firstRequestAt?: number;
  lastRequestAt?: number;
  requests: number;
}

/**
 * The OpenAI emulator in its own process; resolves its env once it is listening. `stop` ends it
 * and resolves to when the first and last requests reached it.
 */
async function startEmulator(): Promise<
  { env: Record<string, string>; stop: () => Promise<RequestTimes> }
> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      repoPath("scripts/serve-emulators.ts"),
      "--json",
      "--request-times",
      "--only",
      "openai",
      "--latency-ms",
      String(LATENCY_MS),
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = (async function* () {
    let buffer = "";
    for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += text;
      let end;
      while ((end = buffer.indexOf("\n")) >= 0) {
        yield buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
      }
    }
  })();
  const first = await lines.next();
  if (first.done) throw new Error("emulator exited early");
  const times = (async () => {
    const seen: RequestTimes = { requests: 0 };
    for await (const line of lines) Object.assign(seen, JSON.parse(line));
    return seen;
  })();
  return {
    env: JSON.parse(first.value).env as Record<string, string>,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
      return await times;
    },
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (mb: number) => `${mb.toFixed(0)} MB`;
const verdict = (ok: boolean) => ok ? "met" : "NOT met";

async function harness(): Promise<void> {
  const counts = values.calls.split(",").map(Number);
  const work = await Deno.makeTempDir({ prefix: "visionbench-perf-" });
  const imagesDir = join(work, "images");
  await Deno.mkdir(imagesDir);
  for (const image of await loadImageSet(repoPath("images"), { limit: IMAGES })) {
    await Deno.copyFile(image.path, join(imagesDir, image.path.split("/").at(-1)!));
  }
  // A fresh emulator for every measured process: whatever one run leaves in the emulator (a
  // grown heap, JIT state) must not slow down the next, so bare loop and bench start equal.
  // The emulator also says when the first request reached it: the clock both loops are read by.
  const measure = async (args: string[]): Promise<Timed> => {
    const emulator = await startEmulator();
    let run: Measured | undefined;
    let times: RequestTimes;
    try {
      run = await timed(args, {
        ...emulator.env,
        VISIONBENCH_ENV_FILE: "/dev/null",
        NO_COLOR: "1",
      });
    } finally {
      times = await emulator.stop();
    }
    const { firstRequestAt, lastRequestAt } = times;
    return {
      ...run,
      requests: times.requests,
      startupMs: firstRequestAt === undefined ? undefined : firstRequestAt - run.startedAt,
      callsMs: firstRequestAt === undefined ? undefined : run.endedAt - firstRequestAt,
      tailMs: lastRequestAt === undefined ? undefined : run.endedAt - lastRequestAt,
    };
  };
  const cli = ["run", "--allow-all", ...BENCH_FLAGS, ...GC_TRACE, repoPath("lib/app/cli.ts")];
  const bench = (repeat: number, runId: string) => [
    ...cli,
    "--platform",
    "openai",
    "--images",
    imagesDir,
    "--resize",
    "512",
    "--repeat",
    String(repeat),
    "--concurrency",
    String(CONCURRENCY),
    "--cache",
    "off",
    "--out",
    join(work, "results"),
    "--run-id",
    runId,
  ];
  try {
    // Warm-up: resized variants are cached on disk, as in any run after the first.
    await measure(bench(1, "warm-up"));
    const bareArgs = (calls: number) => [
      "run",
      "-A",
      ...GC_TRACE,
      repoPath("scripts/perf.ts"),
      "--part",
      "bare",
      "--arg",
      String(calls),
      "--arg",
      imagesDir,
    ];
    const helpFixed = await measure([...cli, "--help"]);
    const pairsPerCount = Number(values.pairs);
    if (!Number.isInteger(pairsPerCount) || pairsPerCount < 1) {
      throw new Error(`--pairs must be a whole number ≥ 1, got ${values.pairs}`);
    }
    console.log(
      `harness vs bare SDK loop: ${IMAGES} images at 512 px, OpenAI emulator (own process) ` +
        `answering in ${LATENCY_MS} ms, concurrency ${CONCURRENCY}, streamed, cache off; ` +
        `bench = deno task bench (${BENCH_FLAGS.join(" ") || "V8 defaults"}). ` +
        "Both loops are timed the same way: from the first request the emulator receives to the " +
        "process's exit (start-up = spawn to first request: module loading, config, images; the " +
        "bare loop encodes its images before its first request too); tail = last request to " +
        "exit. CPU = user + system seconds of the whole process, all threads. Each row: " +
        `the median of ${pairsPerCount} bare/bench pairs (the first of a pair alternates), each ` +
        "in fresh processes with a fresh emulator; the pairs' ratios last. Also shown: the " +
        "ratio as measured before (bench wall − --help wall, against the bare loop's own clock)",
    );
    console.log(
      "  calls   bare loop   bench   ratio (≤ 1.25)   bench start-up   tail bare/bench   bare CPU   bench CPU   CPU ratio   bare RSS   bench RSS   RSS ratio (≤ 1.25)   pairs   (wall − --help ratio)",
    );
    const median = (values: number[]) => {
      const sorted = [...values].sort((x, y) => x - y);
      const middle = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    };
    const callsMs = (run: Timed, calls: number) => {
      if (run.callsMs === undefined) throw new Error("the emulator saw no request");
      if (run.requests !== calls) {
        throw new Error(`the emulator saw ${run.requests} requests, not ${calls}`);
      }
      return run.callsMs;
    };
    for (const calls of counts) {
      const repeat = Math.ceil(calls / IMAGES);
      const pairs: {
        bareMs: number;
        benchMs: number;
        startupMs: number;
        bareTailMs: number;
        benchTailMs: number;
        helpRatio: number;
        bareCpu: number;
        benchCpu: number;
        bareRss: number;
        benchRss: number;
        bareGc: { promotedMb: number; markCompacts: number };
        benchGc: { promotedMb: number; markCompacts: number };
      }[] = [];
      for (let pair = 0; pair < pairsPerCount; pair++) {
        const measureBare = () => measure(bareArgs(IMAGES * repeat));
        const measureBench = async () => {
          // --help measured next to each run: the machine's speed drifts between runs.
          const help = await measure([...cli, "--help"]);
          const run = await measure(bench(repeat, `calls-${calls}-${pair}`));
          if (
            !new RegExp(`done: ${IMAGES * repeat}/${IMAGES * repeat}, 0 errors`).test(run.stderr)
          ) {
            throw new Error(`bench run had errors:\n${run.stderr.slice(-1500)}`);
          }
          return { run, help };
        };
        // Alternate which goes first, so neither always runs on a warmer (or busier) machine.
        let bare: Timed;
        let measured: { run: Timed; help: Timed };
        if (pair % 2 === 0) {
          bare = await measureBare();
          measured = await measureBench();
        } else {
          measured = await measureBench();
          bare = await measureBare();
        }
        pairs.push({
          bareMs: callsMs(bare, IMAGES * repeat),
          benchMs: callsMs(measured.run, IMAGES * repeat),
          startupMs: measured.run.startupMs!,
          bareTailMs: bare.tailMs!,
          benchTailMs: measured.run.tailMs!,
          helpRatio: (measured.run.wallMs - measured.help.wallMs) /
            Number(/\{"elapsedMs":([\d.]+)\}/.exec(bare.stdout)![1]),
          bareCpu: bare.cpuS,
          benchCpu: measured.run.cpuS,
          bareRss: bare.peakRssMb,
          benchRss: measured.run.peakRssMb,
          bareGc: gcSummary(bare.stdout),
          benchGc: gcSummary(measured.run.stdout),
        });
      }
      const ratios = pairs.map((pair) => pair.benchMs / pair.bareMs);
      const ratio = median(ratios);
      type Figure = Exclude<keyof (typeof pairs)[number], "bareGc" | "benchGc">;
      const of = (key: Figure) => median(pairs.map((pair) => pair[key]));
      const rssRatio = median(pairs.map((pair) => pair.benchRss / pair.bareRss));
      console.log(
        `  ${String(IMAGES * repeat).padStart(5)}   ${seconds(of("bareMs")).padStart(9)}   ${
          seconds(of("benchMs")).padStart(5)
        }   ${ratio.toFixed(2).padStart(5)} ${verdict(ratio <= 1.25).padEnd(9)}   ${
          seconds(of("startupMs")).padStart(14)
        }   ${`${seconds(of("bareTailMs"))} / ${seconds(of("benchTailMs"))}`.padStart(15)}   ${
          `${of("bareCpu").toFixed(2)} s`.padStart(8)
        }   ${`${of("benchCpu").toFixed(2)} s`.padStart(9)}   ${
          (of("benchCpu") / of("bareCpu")).toFixed(2).padStart(9)
        }   ${megabytes(of("bareRss")).padStart(8)}   ${megabytes(of("benchRss")).padStart(9)}   ${
          rssRatio.toFixed(2).padStart(5)
        } ${verdict(rssRatio <= 1.25)}   ${ratios.map((value) => value.toFixed(2)).join(" ")}   (${
          of("helpRatio").toFixed(2)
        }; --help ${seconds(helpFixed.wallMs)})`,
      );
      if (values.gc) {
        const list = (side: "bareGc" | "benchGc") =>
          pairs.map((pair) => `${pair[side].promotedMb.toFixed(0)} MB/${pair[side].markCompacts}`)
            .join(" ");
        console.log(
          `         GC, each pair (MB promoted by scavenges / full collections): bare ${
            list("bareGc")
          }; bench ${list("benchGc")}`,
        );
      }
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
}

/** Writes `count` records to `<dir>/perf.jsonl`: the sample run repeated, case keys unique. */
async function generateRun(dir: string, count: number): Promise<number> {
  const sample = sampleRecords();
  const path = join(dir, "perf.jsonl");
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  let lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const record = sample[index % sample.length];
    lines.push(JSON.stringify({
      ...record,
      runId: "perf",
      recordId: `r-${index}`,
      caseKey: `${record.caseKey}|${index}`,
      repeat: Math.floor(index / sample.length),
    }));
    if (lines.length === 20_000) {
      writeAll(file, encoder.encode(lines.join("\n") + "\n"));
      lines = [];
    }
  }
  if (lines.length > 0) writeAll(file, encoder.encode(lines.join("\n") + "\n"));
  return (await Deno.stat(path)).size;
}

async function analysisAtScale(): Promise<void> {
  const counts = values.records.split(",").map(Number);
  console.log(
    "analysis: load + summarize (leaderboard columns), each in a fresh process; targets 1M: " +
      "≤ 1 s Parquet, ≤ 10 s JSONL, ≤ 2 GB; 100k JSONL ≤ 1.5 s",
  );
  console.log("  records     JSONL size   from                time      peak RSS");
  for (const count of counts) {
    const dir = await Deno.makeTempDir({ prefix: "visionbench-perf-records-" });
    try {
      const bytes = await generateRun(dir, count);
      const measure = (from: string) => measurePart("analysis", { dir, from, count, bytes });
      await measure("jsonl");
      const parquetStarted = performance.now();
      await writeRunParquet(join(dir, "perf.jsonl"));
      console.log(
        `  ${"".padStart(9)}   ${"".padStart(10)}   (Parquet written in ${
          seconds(performance.now() - parquetStarted)
        }, ${megabytes((await Deno.stat(join(dir, "perf.parquet"))).size / 2 ** 20)})`,
      );
      await measure("parquet");
      if (count <= 100_000) await measure("records");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
}

/** Answer profiles of the demo's platforms (emulators/profiles.ts shapes), by sample platform. */
const DEMO_PROFILES: Record<
  string,
  { recall: number; hallucinationRate: number; verbosity: number }
> = {
  openai: { recall: 0.78, hallucinationRate: 0.06, verbosity: 4 },
  anthropic: { recall: 0.8, hallucinationRate: 0.05, verbosity: 4 },
  replicate: { recall: 0.35, hallucinationRate: 0.3, verbosity: 1 },
  "ollama-vps": { recall: 0.3, hallucinationRate: 0.35, verbosity: 1 },
};

/**
 * Writes `count` real-shaped records to `<dir>/perf.jsonl`: the sample run repeated (case keys
 * unique), every ok description a different demo-shaped text of the image's labels.
 */
async function generateDemoRun(dir: string, count: number): Promise<number> {
  const sample = sampleRecords();
  const labels = await loadLabels();
  const random = seededRandom(count);
  const path = join(dir, "perf.jsonl");
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  let lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const record = sample[index % sample.length];
    const profile = DEMO_PROFILES[record.platform];
    lines.push(JSON.stringify({
      ...record,
      runId: "perf",
      recordId: `r-${index}`,
      caseKey: `${record.caseKey}|${index}`,
      repeat: Math.floor(index / sample.length),
      text: record.status === "ok" && profile
        ? demoDescription(labels.get(record.imageId), { random, ...profile })
        : record.text,
    }));
    if (lines.length === 20_000) {
      writeAll(file, encoder.encode(lines.join("\n") + "\n"));
      lines = [];
    }
  }
  if (lines.length > 0) writeAll(file, encoder.encode(lines.join("\n") + "\n"));
  return (await Deno.stat(path)).size;
}

/** A folder holding `count` demo records (kept under --data-dir between runs, else temporary). */
async function demoRunFolder(
  count: number,
): Promise<{ dir: string; bytes: number; temporary: boolean }> {
  const base = values["data-dir"];
  const dir = base
    ? join(base, String(count))
    : await Deno.makeTempDir({ prefix: "visionbench-perf-demo-" });
  const path = join(dir, "perf.jsonl");
  const existing = await Deno.stat(path).catch(() => undefined);
  if (existing) return { dir, bytes: existing.size, temporary: false };
  await Deno.mkdir(dir, { recursive: true });
  return { dir, bytes: await generateDemoRun(dir, count), temporary: !base };
}

async function compareAtScale(): Promise<void> {
  const counts = values["report-records"].split(",").map(Number);
  console.log(
    "notebooks' path: compareReport (notebook 03: leaderboard, quality scored, pick, robustness), " +
      "each in a fresh process; targets 1M: ≤ 10 s and ≤ 2 GB from JSONL, ≤ 3 s from Parquet",
  );
  console.log("  records     JSONL size   from                time      peak RSS");
  for (const count of counts) {
    const { dir, bytes, temporary } = await demoRunFolder(count);
    try {
      const measure = (from: string) => measurePart("compare", { dir, from, count, bytes });
      await measure("jsonl");
      await writeRunParquet(join(dir, "perf.jsonl"));
      await measure("parquet");
    } finally {
      if (temporary) await Deno.remove(dir, { recursive: true });
    }
  }
}

if (!values["skip-harness"]) await harness();
if (!values["skip-analysis"]) await analysisAtScale();
if (!values["skip-report"]) await compareAtScale();

/** Runs one `--part` over a generated run in a fresh process and prints its time and peak RSS. */
async function measurePart(
  part: string,
  run: { dir: string; from: string; count: number; bytes: number },
): Promise<void> {
  const { dir, from, count, bytes } = run;
  const child = await timed([
    "run",
    "-A",
    repoPath("scripts/perf.ts"),
    "--part",
    part,
    "--arg",
    dir,
    "--arg",
    from,
  ]);
  const result = lastJson<{ elapsedMs: number }>(child.stdout);
  console.log(
    `  ${count.toLocaleString("en").padStart(9)}   ${megabytes(bytes / 2 ** 20).padStart(10)}   ${
      from.padEnd(16)
    } ${seconds(result.elapsedMs).padStart(8)}   ${megabytes(child.peakRssMb).padStart(8)}`,
  );
}
