/**
 * `deno task perf`: what the harness costs, measured against the OpenAI emulator running in a
 * separate process (so the emulator's CPU is not billed to the harness). Each measurement runs in
 * a fresh process of its own, so memory and JIT state do not leak between them.
 *
 * 1. Per-call overhead: N sequential calls at 0 ms emulated latency (512-px image, streamed),
 *    through the bare `openai` SDK vs through visionbench (runner + adapter + pricing + record +
 *    JSONL append). Overhead = visionbench's per-call time − the bare SDK's, at p50 and p99.
 * 2. Throughput: 10,000 calls at 50 ms emulated latency, concurrency 64, as a fraction of the
 *    ideal (calls × latency ÷ concurrency) — for visionbench and, under the same load, for the
 *    bare SDK, since on a 2-core machine the emulator and the SDK set the ceiling.
 * 3. Peak RSS of the visionbench process during (2), run with the flags of `deno task bench`
 *    (and once more with V8's defaults, for comparison).
 *
 * Flags: --calls N (overhead calls, default 1000), --throughput-calls N (default 10000),
 * --concurrency N (default 64), --latency-ms N (default 50).
 *
 * @module
 */
import OpenAI from "openai";
import { parseArgs } from "node:util";
import {
  createOpenAI,
  imageDataUrl,
  loadImageSet,
  loadPriceCards,
  prepareImage,
  repoPath,
  runCases,
  type RunEvent,
} from "../mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    part: { type: "string" },
    env: { type: "string" },
    calls: { type: "string", default: "1000" },
    "throughput-calls": { type: "string", default: "10000" },
    concurrency: { type: "string", default: "64" },
    "latency-ms": { type: "string", default: "50" },
  },
});
const CALLS = Number(values.calls);
const THROUGHPUT_CALLS = Number(values["throughput-calls"]);
const CONCURRENCY = Number(values.concurrency);
const LATENCY_MS = Number(values["latency-ms"]);
const PROMPT = { id: "default", text: "Describe everything you see in this image in detail." };
const WARM_UP = 50;
/**
 * The runtime flags `deno task bench` runs with (deno.json): V8 trades a little speed for memory,
 * which is invisible next to a platform's latency. The harness is measured as it ships.
 */
const BENCH_FLAGS = ["--v8-flags=--optimize-for-size"];

type Measurement = {
  times?: number[];
  elapsedMs?: number;
  peakRssMb?: number;
  startRssMb?: number;
  errors?: number;
};

// ---------------------------------------------------------------------------------------------
// Parts (each runs in its own process)

async function part(name: string, env: Record<string, string>): Promise<Measurement> {
  const startRssMb = Deno.memoryUsage().rss / 2 ** 20;
  const outDir = await Deno.makeTempDir({ prefix: "visionbench-perf-" });
  const [image] = await loadImageSet(repoPath("images"), { limit: 1 });
  const variant = name.startsWith("overhead") ? "512" : "64";
  const prepared = await prepareImage(image, { variant, cacheDir: `${outDir}/variants` });
  const client = new OpenAI({
    apiKey: env.OPENAI_API_KEY,
    baseURL: env.OPENAI_BASE_URL,
    maxRetries: 0,
  });
  const body = {
    model: "gpt-4o-mini",
    max_completion_tokens: 300,
    messages: [{
      role: "user" as const,
      content: [
        { type: "text" as const, text: PROMPT.text },
        {
          type: "image_url" as const,
          image_url: { url: imageDataUrl(prepared.payload), detail: "auto" as const },
        },
      ],
    }],
  };
  const adapter = createOpenAI({
    apiKey: env.OPENAI_API_KEY,
    baseUrl: env.OPENAI_BASE_URL,
    model: "gpt-4o-mini",
  });
  const priceCard = (await loadPriceCards()).get("openai/gpt-4o-mini");
  const run = (
    repeat: number,
    concurrency: number,
    stream: boolean,
    onEvent?: (event: RunEvent) => void,
  ) =>
    runCases({
      runId: name,
      outDir,
      targets: [{ preset: "openai", adapter, priceCard, concurrency }],
      images: [image],
      variants: [variant],
      prompts: [PROMPT],
      repeat,
      stream,
      cache: "bypass",
      variantCacheDir: `${outDir}/variants`,
      onEvent,
    });
  try {
    if (name === "overhead-bare") {
      const times: number[] = [];
      for (let i = 0; i < CALLS + WARM_UP; i++) {
        const started = performance.now();
        const stream = await client.chat.completions.create({
          ...body,
          stream: true,
          stream_options: { include_usage: true },
        });
        for await (const _chunk of stream) { /* consume */ }
        if (i >= WARM_UP) times.push(performance.now() - started);
      }
      return { times };
    }
    if (name === "overhead-harness") {
      const stamps: number[] = [];
      await run(CALLS + WARM_UP, 1, true, (event) => {
        if (event.type === "record") stamps.push(performance.now());
      });
      return {
        times: stamps.slice(WARM_UP + 1).map((stamp, index) => stamp - stamps[WARM_UP + index]),
      };
    }
    if (name === "throughput-bare") {
      let next = 0;
      const started = performance.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < THROUGHPUT_CALLS) {
          next++;
          await client.chat.completions.create(body);
        }
      }));
      return { elapsedMs: performance.now() - started };
    }
    let peakRss = Deno.memoryUsage().rss;
    const sampler = setInterval(() => peakRss = Math.max(peakRss, Deno.memoryUsage().rss), 50);
    const started = performance.now();
    const result = await run(THROUGHPUT_CALLS, CONCURRENCY, false);
    const elapsedMs = performance.now() - started;
    clearInterval(sampler);
    return {
      elapsedMs,
      startRssMb,
      peakRssMb: Math.max(peakRss, Deno.memoryUsage().rss) / 2 ** 20,
      errors: result.records.filter((record) => record.status === "error").length,
    };
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
}

/**
 * The floor of this machine: a bare server that only waits LATENCY_MS, driven by raw `fetch` at
 * the same concurrency. No client or server can do better here, so it says how much of the gap to
 * the ideal is the machine (timers, event loops, two cores) rather than the SDK or the harness.
 */
function floorServer(): void {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    await request.text();
    await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
    return new Response('{"ok":true}', { headers: { "content-type": "application/json" } });
  });
  const url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
  console.log(JSON.stringify({ env: { OPENAI_BASE_URL: url, OPENAI_API_KEY: "none" } }));
}

async function floorClient(env: Record<string, string>): Promise<Measurement> {
  const body = JSON.stringify({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: PROMPT.text }],
  });
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < THROUGHPUT_CALLS) {
      next++;
      const response = await fetch(env.OPENAI_BASE_URL, { method: "POST", body });
      await response.text();
    }
  }));
  return { elapsedMs: performance.now() - started };
}

if (values.part === "floor-server") {
  floorServer();
  // Serve until the orchestrator kills this process; never fall through to the orchestration.
  await new Promise(() => {});
} else if (values.part === "floor-client") {
  console.log(JSON.stringify(await floorClient(JSON.parse(values.env!))));
  Deno.exit(0);
} else if (values.part) {
  console.log(JSON.stringify(await part(values.part, JSON.parse(values.env!))));
  Deno.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Orchestration

/** Starts the OpenAI emulator in its own process; resolves its env once it is listening. */
async function spawnEmulator(latencyMs: number, floor = false) {
  const script = floor ? [repoPath("scripts/perf.ts"), "--part", "floor-server", ...Deno.args] : [
    repoPath("scripts/serve-emulators.ts"),
    "--json",
    "--only",
    "openai",
    "--latency-ms",
    String(latencyMs),
  ];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...script],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (!buffer.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("emulator exited early");
    buffer += value;
  }
  reader.cancel();
  return {
    env: JSON.parse(buffer.split("\n")[0]).env as Record<string, string>,
    stop: () => child.kill("SIGTERM"),
  };
}

async function measure(
  name: string,
  env: Record<string, string>,
  runtimeFlags: string[] = [],
): Promise<Measurement> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...runtimeFlags,
      repoPath("scripts/perf.ts"),
      "--part",
      name,
      "--env",
      JSON.stringify(env),
      ...Deno.args,
    ],
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`perf part ${name} failed`);
  return JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * p;
  const low = Math.floor(rank);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (rank - low);
}
const ms = (value: number) => `${value.toFixed(3)} ms`;

{
  const emulator = await spawnEmulator(0);
  const bare = (await measure("overhead-bare", emulator.env)).times!;
  const harness = (await measure("overhead-harness", emulator.env, BENCH_FLAGS)).times!;
  emulator.stop();
  console.log(`overhead (${CALLS} sequential calls, 0 ms emulator, 512-px image, streamed):`);
  console.log(
    `  bare SDK call      p50 ${ms(percentile(bare, 0.5))}  p99 ${ms(percentile(bare, 0.99))}`,
  );
  console.log(
    `  visionbench call   p50 ${ms(percentile(harness, 0.5))}  p99 ${
      ms(percentile(harness, 0.99))
    }`,
  );
  console.log(
    `  harness overhead   p50 ${ms(percentile(harness, 0.5) - percentile(bare, 0.5))}  p99 ${
      ms(percentile(harness, 0.99) - percentile(bare, 0.99))
    }   (target p50 ≤ 1 ms)`,
  );
}
{
  const emulator = await spawnEmulator(LATENCY_MS);
  const ideal = THROUGHPUT_CALLS * LATENCY_MS / CONCURRENCY;
  const harness = await measure("throughput-harness", emulator.env, BENCH_FLAGS);
  const bare = await measure("throughput-bare", emulator.env);
  // The same run with V8's default flags: most of the difference is garbage not yet collected.
  const defaults = await measure("throughput-harness", emulator.env);
  emulator.stop();
  const fraction = (elapsed: number) => (ideal / elapsed).toFixed(3);
  console.log(
    `throughput (${THROUGHPUT_CALLS} calls, ${LATENCY_MS} ms emulator, concurrency ${CONCURRENCY}, 64-px image, not streamed; ideal ${
      (ideal / 1000).toFixed(2)
    } s):`,
  );
  console.log(
    `  bare SDK      ${(bare.elapsedMs! / 1000).toFixed(2)} s → ${
      fraction(bare.elapsedMs!)
    } of ideal`,
  );
  console.log(
    `  visionbench   ${(harness.elapsedMs! / 1000).toFixed(2)} s → ${
      fraction(harness.elapsedMs!)
    } of ideal (target ≥ 0.95), ${
      (bare.elapsedMs! / harness.elapsedMs!).toFixed(3)
    } of the bare SDK's speed; ${harness.errors} errors`,
  );
  console.log(
    `peak RSS of the visionbench process (${BENCH_FLAGS.join(" ")}) ${
      harness.peakRssMb!.toFixed(0)
    } MB (target ≤ 200 MB; ${harness.startRssMb!.toFixed(0)} MB at start)`,
  );
  const floorServerProcess = await spawnEmulator(LATENCY_MS, true);
  const floor = await measure("floor-client", floorServerProcess.env);
  floorServerProcess.stop();
  console.log(
    `  floor: raw fetch against a server that only waits ${LATENCY_MS} ms: ${
      (floor.elapsedMs! / 1000).toFixed(2)
    } s → ${fraction(floor.elapsedMs!)} of ideal (the best this machine allows)`,
  );
  console.log(
    `  the same run with V8's default flags (no --optimize-for-size): ${
      (defaults.elapsedMs! / 1000).toFixed(2)
    } s → ${fraction(defaults.elapsedMs!)} of ideal, peak RSS ${defaults.peakRssMb!.toFixed(0)} MB`,
  );
}
