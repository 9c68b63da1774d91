/**
 * Issue 20, "every billed second counted": a Replicate prediction cancelled after a timeout and a
 * RunPod job that completed (billed) with an output the adapter cannot read keep their billed
 * GPU seconds and cost on the error row, are not paid for again (no retry, no resume), and the
 * report's cost per successful image includes them.
 */
import assert from "node:assert/strict";
import { runBenchmark } from "../../lib/app/bench.ts";
import { createRunPod } from "../../adapters/runpod.ts";
import { recomputeCost } from "../../lib/price/cost.ts";
import { startAllEmulators } from "../../emulators/all.ts";
import type { ReplicateEmulator } from "../../emulators/replicate.ts";
import type { RunPodEmulator } from "../../emulators/runpod.ts";
import { summarize } from "../../lib/analysis/summary.ts";
import { recordsToFrame } from "../../lib/analysis/frames.ts";
import { leaderboardTable } from "../../lib/present/leaderboard.ts";
import { readRun } from "../../lib/run/run-store.ts";
import { describeRequests } from "../support/describe-request.ts";
import { samplePayload } from "../support/sample-image.ts";

const describeRequest = async () => describeRequests(await samplePayload("o01_cat.png"))();

const outDir = await Deno.makeTempDir({ prefix: "vb-billed-" });

function creations(emulator: { requests: { method: string; path: string }[] }, path: RegExp) {
  return emulator.requests.filter((request) => request.method === "POST" && path.test(request.path))
    .length;
}

Deno.test("a Replicate prediction cancelled at the timeout keeps its billed predict time and cost; no retry, no resume pays again", async () => {
  const fleet = startAllEmulators({ only: ["replicate"] });
  const replicate = fleet.emulators.replicate as ReplicateEmulator;
  replicate.options.predictMs = 600_000; // never done within the call's timeout
  replicate.options.maxWaitMs = 20; // the create call answers at once ("starting"): then polls
  try {
    const options = {
      platforms: ["replicate"],
      runId: "replicate-timeout",
      outDir,
      limit: 1,
      variants: ["64"],
      env: fleet.env,
      timeoutMs: 300,
      cache: "bypass" as const,
    };
    const result = await runBenchmark(options);
    const [row] = result.caseRecords;
    assert.equal(row.status, "error");
    assert.equal(row.error?.kind, "timeout");
    assert.ok(row.gpuSeconds! > 0, `billed seconds kept: ${row.gpuSeconds}`);
    assert.ok(row.costUsd! > 0);
    assert.equal(row.costUsd, recomputeCost(row).costUsd);
    assert.equal(row.final, true);
    assert.equal(creations(replicate, /^\/v1\/(models\/.+\/)?predictions$/), 1, "one prediction");
    await runBenchmark(options);
    assert.equal(
      creations(replicate, /^\/v1\/(models\/.+\/)?predictions$/),
      1,
      "resume paid again",
    );
  } finally {
    await fleet.close();
  }
});

Deno.test("a RunPod job that completed with an unreadable output keeps its executionTime cost, is final, and resume does not run it again", async () => {
  const fleet = startAllEmulators({ only: ["runpod"] });
  const runpod = fleet.emulators.runpod as RunPodEmulator;
  runpod.options.outputShape = "custom";
  try {
    const options = {
      platforms: ["runpod"],
      runId: "runpod-unreadable",
      outDir,
      limit: 2,
      variants: ["64"],
      env: fleet.env,
      cache: "bypass" as const,
    };
    const result = await runBenchmark(options);
    assert.equal(result.caseRecords.length, 2);
    for (const row of result.caseRecords) {
      assert.equal(row.error?.kind, "invalid_response");
      assert.ok(row.gpuSeconds! > 0 && row.costUsd! > 0, JSON.stringify(row));
      assert.equal(row.final, true);
    }
    const jobs = creations(runpod, /\/(runsync|run)$/);
    assert.equal(jobs, 2);
    await runBenchmark(options);
    assert.equal(creations(runpod, /\/(runsync|run)$/), jobs, "resume ran the jobs again");

    // The report: cost per successful image counts the billed failures.
    runpod.options.outputShape = "text";
    const ok = await runBenchmark({ ...options, runId: "runpod-mixed", limit: 1 });
    const { records } = await readRun(ok.path);
    const mixed = [...records, ...(await readRun(result.path)).records];
    const [summary] = summarize(recordsToFrame(mixed), { by: ["platform"] }).toRecords();
    const billedTotal = mixed.reduce((sum, record) => sum + (record.costUsd ?? 0), 0);
    assert.equal(summary.ok, 1);
    assert.ok(
      Math.abs((summary.costPerSuccess1k as number) - billedTotal * 1000) < 1e-9,
      JSON.stringify(summary),
    );
    assert.ok((summary.costPerSuccess1k as number) > (summary.costPer1k as number) * 2);
    const html = String(leaderboardTable([{
      platform: "runpod",
      model: "moondream2",
      variant: "64",
      n: 3,
      errors: 2,
      p50LatencyMs: null,
      p90LatencyMs: null,
      costPer1k: summary.costPer1k as number,
      costPerSuccess1k: summary.costPerSuccess1k as number,
      costPer1kToday: null,
      meanScore: null,
      meanRecall: null,
      hallucinationRate: null,
      onFrontier: false,
      simulated: true,
      baseline: false,
    }]));
    assert.match(html, /per 1,000 successes with billed failures/);
  } finally {
    await fleet.close();
  }
});

Deno.test("RunPod output: the vLLM worker's {text: [...], input_tokens, output_tokens}, and a preset's output path for a custom handler", async () => {
  const fleet = startAllEmulators({ only: ["runpod"] });
  const runpod = fleet.emulators.runpod as RunPodEmulator;
  const settings = {
    apiKey: fleet.env.RUNPOD_API_KEY,
    endpointId: fleet.env.RUNPOD_ENDPOINT_ID,
    baseUrl: fleet.env.RUNPOD_BASE_URL,
    model: "moondream2",
  };
  try {
    runpod.options.outputShape = "vllm-text";
    const whole = await createRunPod(settings).describe(await describeRequest());
    assert.ok(whole.text.length > 0);
    assert.ok(whole.usage.inputTokens! > 0 && whole.usage.outputTokens! > 0);
    runpod.options.outputShape = "custom";
    const custom = await createRunPod({ ...settings, outputPath: "result.caption" })
      .describe(await describeRequest());
    assert.ok(custom.text.length > 0);
  } finally {
    await fleet.close();
  }
});
