import { runBenchmark } from "../lib/app/bench.ts";
import { startBatchFleet } from "../tests/support/batch-fleet.ts";
const fleet = startBatchFleet({ queuedMs: 2, runningMs: 5 });
const outDir = await Deno.makeTempDir();
for (let i = 0; i < 2; i++) {
const t = performance.now();
await runBenchmark({
  platforms: ["openai", "anthropic", "gemini"], mode: "batch", outDir, env: fleet.env,
  batch: { pollIntervalMs: 5, maxPollIntervalMs: 20 },
  onBatchEvent: (e) => console.log(Math.round(performance.now() - t), e.type, (e as {preset?: string}).preset),
  onEvent: (e) => { if (e.type !== "record") console.log(Math.round(performance.now() - t), e.type); },
});
}
await fleet.close();
