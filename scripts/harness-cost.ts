/**
 * `deno run -A scripts/harness-cost.ts`: what the harness itself costs per case, without a
 * network or an SDK. The runner runs 33 images at 512 px × `--repeat` against a platform stand-in
 * that answers at once, with what the CLI adds (the progress listener per record, the closing
 * summary read back from the run file), concurrency 64, cache off, nothing kept in memory.
 * Everything left is the harness: building, pricing, checking and writing the record, timeout
 * and retry, the summary. Each run prints microseconds of wall time per case (in one process, no
 * I/O wait but the run file: that is CPU).
 *
 * Add `--cpu-prof` before the script name to see where those microseconds go.
 *
 *   deno run -A scripts/harness-cost.ts [--repeat 300] [--runs 3]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import type { Adapter, Description } from "../lib/contract/mod.ts";
import { createTerminalProgress } from "../lib/present/mod.ts";
import { loadImageSet } from "../lib/images/mod.ts";
import { loadPriceCards } from "../lib/price/mod.ts";
import { repoPath } from "../lib/util/mod.ts";
import { runCases } from "../lib/run/mod.ts";
import { printRunSummary } from "../lib/app/cli-summary.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    repeat: { type: "string", default: "300" },
    runs: { type: "string", default: "3" },
  },
});
const repeat = Number(values.repeat);
const runs = Number(values.runs);
if (!Number.isInteger(repeat) || repeat < 1 || !Number.isInteger(runs) || runs < 1) {
  console.error("--repeat and --runs take whole numbers ≥ 1");
  Deno.exit(2);
}

/** A platform that answers at once: an answer of the emulators' length, with usage. */
const platform: Adapter = {
  id: "openai",
  model: "gpt-4o-mini",
  capabilities: { streaming: true, structuredOutput: true, imageUrl: true, batch: false },
  billing: "tokens",
  async describe(_request, options = {}): Promise<Description> {
    await Promise.resolve();
    options.onFirstToken?.();
    return {
      text: "A wide concert hall with rows of red seats facing a lit stage where an orchestra " +
        "plays under warm lights.",
      finishReason: "stop",
      usage: { inputTokens: 8509, outputTokens: 20 },
    };
  },
};

const work = await Deno.makeTempDir({ prefix: "visionbench-harness-cost-" });
try {
  const images = await loadImageSet(repoPath("images"));
  const priceCard = (await loadPriceCards()).get("openai/gpt-4o-mini");
  const variantCacheDir = join(work, "variants");
  const run = async (runId: string, times: number) => {
    const progress = createTerminalProgress({
      stream: { writeSync: (bytes) => bytes.length },
      isTerminal: false,
    });
    const result = await runCases({
      runId,
      outDir: work,
      variantCacheDir,
      targets: [{ preset: "openai", adapter: platform, priceCard, concurrency: 64 }],
      images,
      variants: ["512"],
      prompts: [{ id: "default", text: "Describe everything you see in this image in detail." }],
      repeat: times,
      cache: "bypass",
      keepRecords: false,
      onEvent: progress,
    });
    await printRunSummary(result, { print: () => {} });
    return result;
  };
  // Warm-up: the variants are resized once, as in any run after the first.
  await run("warm-up", 1);
  for (let index = 1; index <= runs; index++) {
    const started = performance.now();
    const result = await run(`run-${index}`, repeat);
    const microseconds = (performance.now() - started) * 1000 / result.written;
    console.log(`run ${index}: ${result.written} cases, ${microseconds.toFixed(1)} µs a case`);
  }
} finally {
  await Deno.remove(work, { recursive: true });
}
