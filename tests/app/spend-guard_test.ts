import assert from "node:assert/strict";
import { runBenchmark } from "../../lib/app/bench.ts";
import { parseBenchArgs } from "../../lib/app/cli.ts";
import { isLoopback } from "../../lib/app/spend.ts";
import type { SpendEstimate } from "../../lib/price/estimate.ts";

Deno.test("runBenchmark() shows its estimate, then refuses a paid run over maxSpendUsd before any call", async () => {
  const out = await Deno.makeTempDir({ prefix: "visionbench-spend-" });
  const estimates: SpendEstimate[] = [];
  await assert.rejects(
    runBenchmark({
      platforms: ["anthropic"],
      limit: 3,
      outDir: out,
      runId: "capped",
      maxSpendUsd: 0.0001,
      // TEST-NET: never answers, and the guard must not let anything reach it.
      env: { ANTHROPIC_API_KEY: "sk-ant-test-key-0000", ANTHROPIC_BASE_URL: "http://192.0.2.1:9" },
      onEvent: (event) => void (event.type === "estimate" && estimates.push(event.estimate)),
    }),
    /not started: the estimated cost .* exceeds maxSpendUsd/,
  );
  assert.equal(estimates.length, 1);
  assert.equal(estimates[0].platforms[0].calls, 6);
  await assert.rejects(Deno.stat(`${out}/capped.jsonl`), Deno.errors.NotFound);
  await Deno.remove(out, { recursive: true });
});

Deno.test("free presets are shown in the estimate and never capped", async () => {
  const out = await Deno.makeTempDir({ prefix: "visionbench-spend-" });
  let estimate: SpendEstimate | undefined;
  const run = await runBenchmark({
    platforms: ["local"],
    limit: 2,
    variants: ["512"],
    outDir: out,
    maxSpendUsd: 0,
    onEvent: (event) => void (event.type === "estimate" && (estimate = event.estimate)),
  });
  assert.equal(run.records.length, 2);
  assert.equal(estimate?.totalUsd, 0);
  assert.match(estimate!.text, /local · sharp-baseline: 2 calls · ~\$0 \(free\)/);
  await Deno.remove(out, { recursive: true });
});

Deno.test("--max-spend reads dollars; a base URL on this machine is loopback", () => {
  assert.equal(parseBenchArgs(["--max-spend", "2.5"]).maxSpendUsd, 2.5);
  assert.throws(() => parseBenchArgs(["--max-spend=-1"]), /--max-spend must be a number ≥ 0/);
  assert.deepEqual(
    [
      "http://127.0.0.1:8080/v1",
      "localhost:11434",
      "http://[::1]:9",
      "https://api.openai.com",
      "http://192.0.2.1:9",
    ]
      .map(isLoopback),
    [true, true, true, false, false],
  );
});
