import assert from "node:assert/strict";
import { compareReport } from "../../lib/app/compare-report.ts";
import { computeCost, DEFAULT_PRICES_PATH, loadPriceCards } from "../../lib/price/cost.ts";
import { leaderboardTable } from "../../lib/present/leaderboard.ts";
import { decisionCard, simulatedBanner } from "../../lib/present/decision-card.ts";
import { methodSection } from "../../lib/present/method.ts";
import type { ResultRecord } from "../../lib/contract/record.ts";
import { resultRecord } from "../support/result-record.ts";

const cards = await loadPriceCards();
const GEMINI = cards.get("gemini/gemini-2.5-flash-lite")!;

/** A priced Gemini call on `imageId` in run `runId`. */
function geminiCall(runId: string, imageId: string, extra: Partial<ResultRecord> = {}) {
  const usage = { inputTokens: 1300, outputTokens: 120 };
  return resultRecord({
    runId,
    platform: "gemini",
    model: "gemini-2.5-flash-lite",
    preset: "gemini",
    imageId,
    variant: "512",
    maxOutputTokens: 300,
    latencyMs: 2400,
    ...usage,
    costUsd: computeCost(GEMINI, { usage }).costUsd,
    costBasis: "tokens",
    price: GEMINI,
    ...extra,
  });
}

async function writeRuns(runs: Record<string, ResultRecord[]>): Promise<string> {
  const out = await Deno.makeTempDir({ prefix: "visionbench-compare-" });
  for (const [runId, records] of Object.entries(runs)) {
    await Deno.writeTextFile(
      `${out}/${runId}.jsonl`,
      records.map((record) => JSON.stringify(record) + "\n").join(""),
    );
  }
  return out;
}

Deno.test("re-pricing: a card's price raised in a temporary prices file changes today's cost and leaves the recorded one", async () => {
  const out = await writeRuns({
    benchmark: ["o01_cat", "o02_red_panda", "o03_espresso"].map((id) =>
      geminiCall("benchmark", id)
    ),
  });
  const prices = JSON.parse(await Deno.readTextFile(DEFAULT_PRICES_PATH));
  for (const card of prices.cards) {
    if (card.id === GEMINI.id) {
      card.inputPerMTok *= 10;
      card.outputPerMTok *= 10;
      card.asOf = "2027-01-15";
    }
  }
  const raised = `${out}/prices.json`;
  await Deno.writeTextFile(raised, JSON.stringify(prices));
  try {
    const before = await compareReport({ out, draws: 10 });
    const after = await compareReport({ out, pricesPath: raised, draws: 10 });
    const row = (report: typeof before) => report.rows.find((row) => row.platform === "gemini")!;
    assert.equal(row(before).costPer1kToday, row(before).costPer1k);
    assert.equal(row(after).costPer1k, row(before).costPer1k, "the recorded cost moved");
    assert.ok(
      Math.abs(row(after).costPer1kToday! - 10 * row(before).costPer1k!) < 1e-9,
      `today's cost ${row(after).costPer1kToday} is not 10× ${row(before).costPer1k}`,
    );
    // The table shows both columns; the method shows both cards' dates.
    const table = leaderboardTable(after.rows).html;
    const cells = [...table.matchAll(/<td data-sort="([\d.e-]+)" class="vb-num">\$([\d.]+)<\/td>/g)]
      .map((match) => match[2]);
    assert.ok(cells.includes("0.18") && cells.includes("1.78"), `cells ${cells}`);
    const method = methodSection(after).html;
    assert.match(method, /gemini\/gemini-2\.5-flash-lite.*2026-11-01.*2027-01-15.*yes/s);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("compareReport() names the runs it read and warns when unlike runs are merged into one row", async () => {
  const out = await writeRuns({
    full: ["o01_cat", "o02_red_panda", "o03_espresso"].map((id) => geminiCall("full", id)),
    "limit-1": [geminiCall("limit-1", "o01_cat", { prompt: "List the objects." })],
  });
  try {
    const report = await compareReport({ out, draws: 10 });
    assert.deepEqual(report.runs.map((run) => [run.runId, run.records, run.images]).sort(), [
      ["full", 3, 3],
      ["limit-1", 1, 1],
    ]);
    assert.deepEqual(report.warnings, [
      "gemini · gemini-2.5-flash-lite · 512 merges 2 runs (full, limit-1) with different image sets, prompts: its averages mix them.",
    ]);
    assert.match(methodSection(report).html, /Merged runs\..*limit-1/s);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("the decision card and banner say simulated exactly when simulated records are shown", async () => {
  const calls = (runId: string, simulated: boolean) =>
    ["o01_cat", "o02_red_panda", "o03_espresso", "o04_pizza"].map((id) =>
      geminiCall(runId, id, {
        text:
          "A tabby cat with green eyes, whiskers, ears, fur, nose; close-up, blurred background.",
        ...(simulated ? { simulated: true } : {}),
      })
    );
  for (const simulated of [false, true]) {
    const out = await writeRuns({ run: calls("run", simulated) });
    try {
      const report = await compareReport({ out, minQuality: 0, draws: 50 });
      assert.equal(report.simulated, simulated);
      assert.equal(simulatedBanner(report).html.includes("vb-simulated-banner"), simulated);
      const card = decisionCard(report).html;
      assert.match(card, /gemini · gemini-2\.5-flash-lite · 512 px/);
      assert.match(
        card,
        /gemini · gemini-2.5-flash-lite in 100 %<\/b> of 50 resamples of the n = 4 images/,
      );
      assert.equal(card.includes("simulated on 4 images"), simulated);
      assert.equal(card.includes("measured on 4 images"), !simulated);
      assert.equal(leaderboardTable(report.rows).html.includes("vb-simulated-tag"), simulated);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  }
});

Deno.test("batch-mode rows stay out of the leaderboard and the pick, and the report says so", async () => {
  const live = ["o01_cat", "o02_red_panda"].map((id) => geminiCall("live", id));
  const batch = ["o01_cat", "o02_red_panda"].map((id) =>
    geminiCall("batch", id, {
      mode: "batch",
      batchId: "batches/1",
      latencyMs: undefined,
      turnaroundMs: 60_000,
      costUsd: computeCost(GEMINI, { usage: { inputTokens: 1300, outputTokens: 120 } }).costUsd! /
        2,
    })
  );
  const out = await writeRuns({ live, batch });
  try {
    const report = await compareReport({ out, draws: 10 });
    const gemini = report.rows.filter((row) => row.platform === "gemini");
    assert.equal(gemini.length, 1);
    assert.equal(gemini[0].n, 2, "only the live calls are in the row");
    assert.ok(Math.abs(gemini[0].costPer1k! - 1000 * live[0].costUsd!) < 1e-9, "live cost only");
    assert.ok(report.warnings.some((warning) => /2 batch-mode rows are left out/.test(warning)));
    assert.equal(report.frame.height, 4, "the runs read still list every row");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
