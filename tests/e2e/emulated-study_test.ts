/**
 * The `--emulated` demo reproduces the study it is modelled on: every platform's recorded latency
 * (the modelled one, never the compressed wait) within ±25 % of the study's average seconds per
 * image, and the cost per 1,000 within ±25 % where the cards can reproduce the study's figure —
 * the same run `deno task report --emulated` makes, on the 33 sample images at both sizes.
 */
import assert from "node:assert/strict";
import { runBenchmark } from "../../lib/app/bench.ts";
import { compareReport } from "../../lib/app/compare-report.ts";
import { readRuns } from "../../lib/run/run-store.ts";
import { EMULATED_PRESETS, startAllEmulators } from "../../emulators/all.ts";
import { simulatedAnswers } from "../../emulators/profiles.ts";

/** Where the study's cost follows from today's cards (the others say why beside its row). */
const COST_REPRODUCED: Record<string, string[]> = {
  "ollama-vps": ["original", "512"],
  "ollama-cloud": ["original", "512"],
  replicate: ["original", "512"],
  // The study's $0.04 is one 258-token tile per image: images of at most 768 px.
  gemini: ["512"],
};

Deno.test({
  name:
    "the emulated demo shows the study's seconds per image (±25 %) for every platform, and its $/1k for the droplet, Ollama Cloud, Replicate and Gemini",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const fleet = startAllEmulators({ behaviour: await simulatedAnswers(), keepRequests: 10 });
    const out = await Deno.makeTempDir({ prefix: "visionbench-emulated-study-" });
    try {
      await runBenchmark({
        platforms: [...EMULATED_PRESETS],
        outDir: out,
        runId: "benchmark",
        cache: "bypass",
        env: { ...fleet.env, VISIONBENCH_ENV_FILE: "/dev/null" },
      });
      const report = await compareReport({ out, draws: 1 });
      const figures = new Map(report.published.figures.map((figure) => [figure.preset, figure]));
      const within = (value: number, study: number) => Math.abs(value / study - 1) <= 0.25;
      for (const preset of EMULATED_PRESETS) {
        const figure = figures.get(preset)!;
        const rows = report.rows.filter((row) => row.preset === preset);
        assert.equal(rows.length, 2, preset);
        for (const row of rows) {
          const at = `${preset} at ${row.variant}`;
          assert.equal(row.n, 33, at);
          assert.equal(row.simulated, true, at);
          const seconds = row.p50LatencyMs! / 1000;
          assert.ok(
            within(seconds, figure.avgSeconds),
            `${at}: ${seconds} s vs ${figure.avgSeconds}`,
          );
          if (COST_REPRODUCED[preset]?.includes(row.variant)) {
            assert.ok(
              within(row.costPer1kToday!, figure.usdPer1000!),
              `${at}: $${row.costPer1kToday} vs $${figure.usdPer1000} per 1,000`,
            );
          }
        }
      }
      // Every simulated record keeps its compressed wait apart from the modelled latency.
      const simulated = (await readRuns(out)).records.filter((record) => record.preset !== "local");
      const unmarked = simulated.filter((record) =>
        !(record.simulated && record.wallLatencyMs !== undefined && record.latencyModel)
      );
      assert.deepEqual(unmarked.map((record) => `${record.preset} ${record.status}`), []);
      // The wait was compressed: per platform, the median wall time is below the modelled one
      // (one call can take longer than its modelled time, e.g. a 24-megapixel upload under load).
      const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1];
      for (const preset of EMULATED_PRESETS) {
        const rows = simulated.filter((record) => record.preset === preset);
        const wall = median(rows.map((record) => record.wallLatencyMs!));
        const modelled = median(rows.map((record) => record.latencyMs!));
        assert.ok(wall < modelled, `${preset}: median wall ${wall} ms, modelled ${modelled} ms`);
      }
    } finally {
      await fleet.close();
      await Deno.remove(out, { recursive: true });
    }
  },
});
