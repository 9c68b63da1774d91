import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { cheapestWithin, pareto, resizeEffect } from "../../lib/analysis/compare.ts";
import { errorsByKind, summarize, type SummaryRow } from "../../lib/analysis/summary.ts";
import { recordsToFrame } from "../../lib/analysis/frames.ts";
import { type ResultRecord, ResultRecordSchema } from "../../lib/contract/record.ts";
import { makeRecord } from "../../scripts/make-sample-records.ts";
import { isUsageError } from "../support/usage-error.ts";

const FIXTURE = new URL("../fixtures/records-sample.jsonl", import.meta.url);

async function readFixture(): Promise<ResultRecord[]> {
  const lines = (await Deno.readTextFile(FIXTURE)).trim().split("\n");
  return lines.map((line) => ResultRecordSchema.parse(JSON.parse(line)));
}

/** A small run whose numbers are checked by hand below. */
function handRun(): ResultRecord[] {
  const openai = (latencyMs: number, inputTokens: number, ttftMs: number) =>
    makeRecord({
      latencyMs,
      ttftMs,
      inputTokens,
      outputTokens: 20,
      costUsd: 0.001,
      batchCostUsd: 0.0005,
    });
  const failed = (kind: "rate_limit" | "timeout", latencyMs: number) =>
    makeRecord({ status: "error", text: "", latencyMs, error: { kind, message: kind } });
  return [
    openai(300, 3000, 70),
    openai(100, 1000, 50),
    openai(400, 4000, 80),
    openai(200, 2000, 60),
    // A cache hit keeps the original (here tiny) latency: it must not move latency statistics.
    makeRecord({
      cached: true,
      latencyMs: 5,
      ttftMs: 1,
      inputTokens: 2500,
      outputTokens: 20,
      costUsd: 0.001,
      batchCostUsd: 0.0005,
    }),
    failed("rate_limit", 10),
    failed("rate_limit", 12),
    failed("timeout", 60000),
    // Usage not reported: tokens stay null, cost is per GPU second.
    makeRecord({
      platform: "replicate",
      model: "moondream2",
      preset: "replicate",
      latencyMs: 1000,
      gpuSeconds: 2,
      costUsd: 0.002,
    }),
  ];
}

function row(frame: pl.DataFrame, platform: string): SummaryRow {
  const found = frame.toRecords().find((r) => r.platform === platform);
  assert.ok(found, `no row for ${platform}`);
  return found as SummaryRow;
}

Deno.test("every line of the sample fixture validates and flattens into one frame row", async () => {
  const records = await readFixture();
  assert.equal(records.length, 100);
  const frame = recordsToFrame(records);
  assert.equal(frame.height, 100);
  const first = frame.toRecords()[0];
  assert.equal(first.priceId, "local/sharp-baseline");
  assert.equal(first.errorKind, null);
  assert.ok(records.some((r) => r.cached) && records.some((r) => r.status === "error"));
});

Deno.test("sample fixture costs are consistent with the price card stored in each row", async () => {
  for (const record of await readFixture()) {
    if (record.status !== "ok") continue;
    const price = record.price!;
    const expected = price.basis === "tokens"
      ? ((record.inputTokens ?? 0) * price.inputPerMTok +
        (record.outputTokens ?? 0) * price.outputPerMTok) / 1e6
      : price.basis === "gpu_seconds"
      ? record.gpuSeconds! * price.perGpuSecond
      : price.basis === "hourly"
      ? price.perHour / 3_600_000 * record.latencyMs! / record.concurrency!
      : 0;
    assert.ok(
      Math.abs(record.costUsd! - expected) < 1e-12,
      `${record.recordId}: ${record.costUsd} vs ${expected}`,
    );
  }
});

Deno.test("recordsToFrame() of no records still has every column", () => {
  const frame = recordsToFrame([]);
  assert.equal(frame.height, 0);
  assert.ok(frame.columns.includes("inputTokens") && frame.columns.includes("errorKind"));
  assert.equal(summarize(frame).height, 0);
});

Deno.test("summarize() computes latency percentiles over ok, non-cached rows only", () => {
  const summary = summarize(recordsToFrame(handRun()), { by: ["platform"] });
  const openai = row(summary, "openai");
  assert.equal(openai.n, 8);
  assert.equal(openai.ok, 5);
  assert.equal(openai.errors, 3);
  assert.equal(openai.cached, 1);
  assert.equal(openai.timedCalls, 4);
  assert.equal(openai.meanLatencyMs, 250);
  assert.equal(openai.minLatencyMs, 100);
  assert.equal(openai.p50LatencyMs, 250); // between 200 and 300
  assert.ok(Math.abs(openai.p90LatencyMs! - 370) < 1e-9); // rank 2.7: 300 + 0.7 × 100
  assert.equal(openai.p50TtftMs, 65);
});

Deno.test("summarize() counts errors by kind and keeps unreported tokens null", () => {
  const summary = summarize(recordsToFrame(handRun()), { by: ["platform"] });
  const openai = row(summary, "openai");
  assert.equal(openai.errorKinds, "rate_limit:2, timeout:1");
  assert.equal(openai.meanInputTokens, 2500); // (1000+2000+3000+4000+2500)/5, cached row included
  const replicate = row(summary, "replicate");
  assert.equal(replicate.meanInputTokens, null);
  assert.equal(replicate.meanOutputTokens, null);
  assert.equal(replicate.errorKinds, "");
  assert.equal(replicate.batchCostPer1k, null);
});

Deno.test("summarize() projects cost per 1,000 images, at 10k and at 1M, real-time and batch", () => {
  const openai = row(summarize(recordsToFrame(handRun()), { by: ["platform"] }), "openai");
  assert.ok(Math.abs(openai.costPer1k! - 1) < 1e-12);
  assert.ok(Math.abs(openai.costAt10k! - 10) < 1e-9);
  assert.ok(Math.abs(openai.costAt1M! - 1000) < 1e-9);
  assert.ok(Math.abs(openai.batchCostPer1k! - 0.5) < 1e-12);
  assert.ok(Math.abs(openai.batchCostAt1M! - 500) < 1e-9);
  const replicate = row(summarize(recordsToFrame(handRun()), { by: ["platform"] }), "replicate");
  assert.ok(Math.abs(replicate.costPer1k! - 2) < 1e-12);
});

Deno.test("summarize() groups by platform, model, variant and prompt by default", async () => {
  const summary = summarize(recordsToFrame(await readFixture()));
  assert.equal(summary.height, 10); // 5 platforms × 2 variants × 1 prompt
  const openai512 = summary.toRecords().find((r) =>
    r.platform === "openai" && r.variant === "512"
  )!;
  assert.equal(openai512.cached, 2);
  assert.equal(openai512.timedCalls, 6); // 8 ok-or-error rows, 2 image errors, 2 cached
});

Deno.test("errorsByKind() counts error rows per platform, most frequent first", async () => {
  const errors = errorsByKind(recordsToFrame(await readFixture())).toRecords();
  const replicate = errors.filter((r) => r.platform === "replicate");
  assert.deepEqual(replicate.map((r) => [r.errorKind, r.count]), [
    ["image_corrupt", 4],
    ["rate_limit", 1],
    ["timeout", 1],
  ]);
  assert.equal(errors.reduce((sum, r) => sum + (r.count as number), 0), 25);
});

Deno.test("resizeEffect() shows 512 px sends fewer tokens and costs less than the original", async () => {
  const effect = resizeEffect(recordsToFrame(await readFixture())).toRecords();
  assert.equal(effect.length, 5);
  const openai = effect.find((r) => r.platform === "openai")!;
  assert.ok((openai.deltaInputTokens as number) < 0);
  assert.ok((openai.deltaCostPer1k as number) < 0);
  assert.ok(
    (openai.deltaCostPer1kPct as number) < 0 && (openai.deltaCostPer1kPct as number) > -100,
  );
  assert.ok((openai.deltaP50LatencyMs as number) < 0);
  const replicate = effect.find((r) => r.platform === "replicate")!;
  assert.equal(replicate.deltaInputTokens, null); // no usage reported, no delta invented
  const local = effect.find((r) => r.platform === "local")!;
  assert.equal(local.deltaCostPer1k, 0);
  assert.equal(local.deltaCostPer1kPct, null); // free: no relative change
});

function crafted(): pl.DataFrame {
  return pl.DataFrame([
    pl.Series("platform", ["a", "b", "c", "d", "e", "f"]),
    pl.Series("p50LatencyMs", [100, 200, 300, 150, 400, null], pl.Float64),
    pl.Series("costPer1k", [5, 3, 3, 6, 1, 0], pl.Float64),
    pl.Series("quality", [0.5, 0.5, 0.9, 0.5, 0.5, 1], pl.Float64),
  ]);
}

Deno.test("pareto() keeps rows no other row beats on both latency and cost", () => {
  const flags = pareto(crafted()).select("platform", "onFrontier").toRecords();
  assert.deepEqual(flags.filter((r) => r.onFrontier).map((r) => r.platform), ["a", "b", "e"]);
});

Deno.test("pareto() with a third axis to maximize keeps a slower row that is better", () => {
  const flags = pareto(crafted(), { extra: "quality" }).toRecords();
  assert.deepEqual(flags.filter((r) => r.onFrontier).map((r) => r.platform), ["a", "b", "c", "e"]);
});

Deno.test("cheapestWithin() picks the cheapest row inside the latency budget", () => {
  const { pick, candidates, reason } = cheapestWithin(crafted(), { maxP50LatencyMs: 250 });
  assert.equal(pick?.platform, "b");
  assert.equal(candidates, 3);
  assert.match(reason, /cheapest of 3 within 250 ms/);
  assert.equal(cheapestWithin(crafted(), { maxP50LatencyMs: 400 }).pick?.platform, "e");
});

Deno.test("cheapestWithin() prefers the faster row when costs tie", () => {
  assert.equal(
    cheapestWithin(crafted().filter(pl.col("platform").isIn(["b", "c"])), { maxP50LatencyMs: 1000 })
      .pick?.platform,
    "b",
  );
});

Deno.test("cheapestWithin() returns no pick and names the fastest when nothing fits", () => {
  const { pick, reason } = cheapestWithin(crafted(), { maxP50LatencyMs: 50 });
  assert.equal(pick, undefined);
  assert.match(reason, /fastest is a at 100 ms/);
  assert.throws(() => cheapestWithin(crafted(), { maxP50LatencyMs: -1 }), isUsageError);
});
