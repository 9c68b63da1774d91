/**
 * `deno task perf`: what the harness costs, measured against the OpenAI emulator running in a
 * separate process (so the emulator's CPU is not billed to the harness).
 *
 * 1. Per-call overhead: N sequential calls at 0 ms emulated latency, through the bare `openai`
 *    SDK vs through visionbench (runner + adapter + pricing + record + JSONL append). Overhead =
 *    visionbench's per-call time − the bare SDK's, at p50 and p99.
 * 2. Throughput: 10,000 calls at 50 ms emulated latency, concurrency 64, as a fraction of the
 *    ideal (calls × latency ÷ concurrency).
 * 3. Peak RSS of this process during (2).
 *
 * Flags: --calls N (overhead calls, default 1000), --throughput-calls N (default 10000),
 * --concurrency N (default 64), --latency-ms N (default 50).
 *
 * @module
 */
import OpenAI from "openai";
import { parseArgs } from "node:util";
import { createOpenAI } from "../adapters/openai.ts";
import { loadImageSet, prepareImage } from "../lib/images.ts";
import { repoPath } from "../lib/paths.ts";
import { loadPriceCards } from "../lib/pricing.ts";
import { type RunEvent, runCases } from "../lib/runner.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
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

/** Starts the OpenAI emulator in its own process; resolves its env once it is listening. */
async function spawnEmulator(latencyMs: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", repoPath("scripts/serve-emulators.ts"), "--json", "--only", "openai", "--latency-ms", String(latencyMs)],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (!buffer.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("emulator exited early");
    buffer += value;
  }
  reader.releaseLock();
  const env = JSON.parse(buffer.split("\n")[0]).env as Record<string, string>;
  return { env, stop: () => child.kill("SIGTERM") };
}

function percentile(sorted: number[], p: number): number {
  const rank = (sorted.length - 1) * p;
  const low = Math.floor(rank);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (rank - low);
}
const sortNumbers = (values: number[]) => [...values].sort((a, b) => a - b);
const ms = (value: number) => `${value.toFixed(3)} ms`;

const [image] = await loadImageSet(repoPath("images"), { limit: 1 });
const outDir = await Deno.makeTempDir({ prefix: "visionbench-perf-" });
const prepared = await prepareImage(image, { variant: "512", cacheDir: `${outDir}/variants` });
const cards = await loadPriceCards();

// 1. Overhead at 0 ms.
{
  const emulator = await spawnEmulator(0);
  const client = new OpenAI({ apiKey: emulator.env.OPENAI_API_KEY, baseURL: emulator.env.OPENAI_BASE_URL, maxRetries: 0 });
  const dataUrl = `data:${prepared.payload.mimeType};base64,${btoa(String.fromCharCode(...prepared.payload.bytes))}`;
  const bare: number[] = [];
  for (let i = 0; i < CALLS + 50; i++) {
    const started = performance.now();
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      max_completion_tokens: 300,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{
        role: "user",
        content: [{ type: "text", text: PROMPT.text }, { type: "image_url", image_url: { url: dataUrl, detail: "auto" } }],
      }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    if (i >= 50) bare.push(performance.now() - started); // first 50 warm up
  }
  const adapter = createOpenAI({ apiKey: emulator.env.OPENAI_API_KEY, baseUrl: emulator.env.OPENAI_BASE_URL });
  const stamps: number[] = [];
  await runCases({
    runId: "perf-overhead",
    outDir,
    targets: [{ preset: "openai", adapter, priceCard: cards.get("openai/gpt-4o-mini"), concurrency: 1 }],
    images: [image],
    variants: ["512"],
    prompts: [PROMPT],
    repeat: CALLS + 50,
    cache: "bypass",
    variantCacheDir: `${outDir}/variants`,
    onEvent: (event: RunEvent) => {
      if (event.type === "record") stamps.push(performance.now());
    },
  });
  const harness = stamps.slice(51).map((stamp, index) => stamp - stamps[50 + index]);
  const bareSorted = sortNumbers(bare);
  const harnessSorted = sortNumbers(harness);
  const p50 = percentile(harnessSorted, 0.5) - percentile(bareSorted, 0.5);
  const p99 = percentile(harnessSorted, 0.99) - percentile(bareSorted, 0.99);
  console.log(`overhead (${CALLS} sequential calls, 0 ms emulator, 512-px image, streaming):`);
  console.log(`  bare SDK call      p50 ${ms(percentile(bareSorted, 0.5))}  p99 ${ms(percentile(bareSorted, 0.99))}`);
  console.log(`  visionbench call   p50 ${ms(percentile(harnessSorted, 0.5))}  p99 ${ms(percentile(harnessSorted, 0.99))}`);
  console.log(`  harness overhead   p50 ${ms(p50)}  p99 ${ms(p99)}   (target p50 ≤ 1 ms)`);
  emulator.stop();
}

// 2 + 3. Throughput and peak RSS.
{
  const emulator = await spawnEmulator(LATENCY_MS);
  const adapter = createOpenAI({ apiKey: emulator.env.OPENAI_API_KEY, baseUrl: emulator.env.OPENAI_BASE_URL });
  let peakRss = Deno.memoryUsage().rss;
  const sampler = setInterval(() => peakRss = Math.max(peakRss, Deno.memoryUsage().rss), 50);
  const started = performance.now();
  const result = await runCases({
    runId: "perf-throughput",
    outDir,
    targets: [{ preset: "openai", adapter, priceCard: cards.get("openai/gpt-4o-mini"), concurrency: CONCURRENCY }],
    images: [image],
    variants: ["512"],
    prompts: [PROMPT],
    repeat: THROUGHPUT_CALLS,
    cache: "bypass",
    variantCacheDir: `${outDir}/variants`,
  });
  const elapsed = performance.now() - started;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
  const ideal = THROUGHPUT_CALLS * LATENCY_MS / CONCURRENCY;
  const errors = result.records.filter((record) => record.status === "error").length;
  console.log(`throughput (${THROUGHPUT_CALLS} calls, ${LATENCY_MS} ms emulator, concurrency ${CONCURRENCY}):`);
  console.log(`  elapsed ${(elapsed / 1000).toFixed(2)} s, ideal ${(ideal / 1000).toFixed(2)} s → ${(ideal / elapsed).toFixed(3)} of ideal (target ≥ 0.95); ${errors} errors`);
  console.log(`  ${(THROUGHPUT_CALLS / elapsed * 1000).toFixed(0)} calls/s`);
  console.log(`peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB (target ≤ 200 MB)`);
  emulator.stop();
}
await Deno.remove(outDir, { recursive: true });
