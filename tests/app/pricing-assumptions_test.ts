/**
 * The assumptions behind costs, on the page and yours to set: a subscription's monthly volume and
 * an hourly server's utilisation recompute the rows they affect and can change the pick; every
 * assumption gets a footnote mark on the cost and its sentence in Method; the cost chart draws the
 * leaderboard's own numbers (per size, today's prices, batch beside live).
 */
import assert from "node:assert/strict";
import { compareReport } from "../../lib/app/compare-report.ts";
import { computeCost, DEFAULT_PRICES_PATH, loadPriceCards } from "../../lib/price/cost.ts";
import { footnoteMarks, leaderboardTable } from "../../lib/present/leaderboard.ts";
import { methodSection } from "../../lib/present/method.ts";
import { decisionCard } from "../../lib/present/decision-card.ts";
import { costChart } from "../../lib/present/charts/cost.ts";
import { formatUsd } from "../../lib/util/format.ts";
import { usdTick } from "../../lib/present/charts/readable.ts";
import type { ResultRecord } from "../../lib/contract/record.ts";
import type { PriceCard } from "../../lib/contract/price-card.ts";
import { resultRecord } from "../support/result-record.ts";
import { parseReportArgs, pricingEnv, pricingParams } from "../../lib/app/report-args.ts";
import { loadConfig } from "../../lib/platforms/config.ts";

const cards = await loadPriceCards();
const IMAGES = ["o01_cat", "o02_red_panda", "o03_espresso"];

function calls(
  card: PriceCard,
  preset: string,
  extra: (imageId: string) => Partial<ResultRecord>,
): ResultRecord[] {
  return IMAGES.map((imageId) => {
    const record = resultRecord({
      runId: "benchmark",
      platform: card.platform,
      model: card.model,
      preset,
      imageId,
      price: card,
      costBasis: card.basis,
      ...extra(imageId),
    });
    return { ...record, costUsd: computeCost(card, fields(record)).costUsd };
  });
}

const fields = (record: ResultRecord) => ({
  usage: { inputTokens: record.inputTokens, outputTokens: record.outputTokens },
  latencyMs: record.latencyMs,
});

/** Gemini at two sizes, Ollama Cloud ($20 / 60,000 a month), a droplet at 1 s per image. */
async function writeFixture(): Promise<string> {
  const gemini = cards.get("gemini/gemini-2.5-flash-lite")!;
  const records = [
    ...calls(
      gemini,
      "gemini",
      () => ({ variant: "512", latencyMs: 2400, inputTokens: 268, outputTokens: 35 }),
    ),
    ...calls(
      gemini,
      "gemini",
      () => ({ variant: "original", latencyMs: 2400, inputTokens: 1300, outputTokens: 35 }),
    ),
    ...calls(cards.get("ollama-cloud/qwen3-vl:235b")!, "ollama-cloud", () => ({ latencyMs: 3000 })),
    ...calls(cards.get("ollama-vps/moondream")!, "ollama-vps", () => ({ latencyMs: 1000 })),
  ];
  const out = await Deno.makeTempDir({ prefix: "visionbench-assumptions-" });
  await Deno.writeTextFile(
    `${out}/benchmark.jsonl`,
    records.map((record) => JSON.stringify(record) + "\n").join(""),
  );
  return out;
}

const options = { minQuality: 0, maxP50Ms: 5000, draws: 20 };

Deno.test("monthlyImages and utilisation recompute the rows they affect and move the pick", async () => {
  const out = await writeFixture();
  try {
    const base = await compareReport({ out, ...options });
    const row = (report: typeof base, preset: string) =>
      report.rows.find((row) => row.preset === preset)!;
    // $0.12268/h × 1 s = $0.034 per 1,000: the droplet is the cheapest.
    assert.equal(base.decision.pick?.row.platform, "ollama-vps");
    assert.ok(Math.abs(row(base, "ollama-cloud").costPer1kToday! - 20 / 60_000 * 1000) < 1e-9);

    const busy = await compareReport({ out, ...options, utilisation: 0.25 });
    assert.ok(
      Math.abs(
        row(busy, "ollama-vps").costPer1kToday! - 4 * row(base, "ollama-vps").costPer1kToday!,
      ) < 1e-9,
    );
    assert.equal(busy.decision.pick?.row.platform, "gemini");
    assert.equal(
      row(busy, "ollama-cloud").costPer1kToday,
      row(base, "ollama-cloud").costPer1kToday,
    );

    const volume = await compareReport({ out, ...options, monthlyImages: 2_000_000 });
    assert.ok(Math.abs(row(volume, "ollama-cloud").costPer1kToday! - 0.01) < 1e-9);
    assert.equal(volume.decision.pick?.row.platform, "ollama-cloud");
    // The recorded cost stays what was recorded.
    assert.equal(row(volume, "ollama-cloud").costPer1k, row(base, "ollama-cloud").costPer1k);
    assert.match(
      volume.assumptions.find((note) => note.kind === "volume")!.text,
      /2,000,000 images a month/,
    );
    await assert.rejects(compareReport({ out, ...options, utilisation: 0 }), /utilisation/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("the report shows each assumption: a mark on the cost, its sentence in Method, the pick's on the card", async () => {
  const out = await writeFixture();
  try {
    const report = await compareReport({ out, ...options });
    const kinds = report.assumptions.map((note) => `${note.cardId}: ${note.kind}`).sort();
    assert.deepEqual(kinds, [
      "ollama-cloud/qwen3-vl:235b: volume",
      "ollama-vps/moondream: implied",
      "ollama-vps/moondream: utilisation",
    ]);
    const table = leaderboardTable(report.rows).html;
    for (const row of report.rows) {
      const marks = footnoteMarks(row.notes);
      assert.equal(marks === "", row.platform === "gemini", row.platform);
      assert.ok(table.includes(`${formatUsd(row.costPer1kToday!)}${marks}`), row.platform);
    }
    const method = methodSection(report).html;
    for (const note of report.assumptions) {
      assert.ok(method.includes(`id="vb-assumption-${note.mark}"`), note.text);
    }
    assert.match(method, /60,000 images a month/);
    assert.match(method, /Implied rate, not a published droplet price/);
    const card = decisionCard(report).html;
    assert.match(card, /Its cost rests on: .*Implied rate/);
    assert.match(card, /keyword recall score/);
    assert.match(card, /n = 3 images.*Only 3 images \(n &lt; 20\)/s);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("costChart(report.rows) draws the leaderboard's numbers: per size, repriced, batch beside live", async () => {
  const out = await writeFixture();
  const prices = JSON.parse(await Deno.readTextFile(DEFAULT_PRICES_PATH));
  for (const card of prices.cards) {
    if (card.id === "gemini/gemini-2.5-flash-lite") card.inputPerMTok *= 10;
  }
  const pricesPath = `${out}/prices.json`;
  await Deno.writeTextFile(pricesPath, JSON.stringify(prices));
  try {
    const report = await compareReport({ out, ...options, pricesPath });
    const chart = costChart(report.rows).html;
    const gemini = report.rows.filter((row) => row.platform === "gemini");
    assert.equal(gemini.length, 2);
    assert.notEqual(gemini[0].costPer1kToday, gemini[1].costPer1kToday);
    for (const row of gemini) {
      // Repriced: today's cost, not the recorded one, and each size on its own.
      assert.ok(row.costPer1kToday! > row.costPer1k! * 2, row.variant);
      const tip = `gemini · gemini-2.5-flash-lite · ${row.variant}\nreal-time: ${
        usdTick(row.costPer1kToday!)
      } per 1,000 images\nbatch API: ${usdTick(row.batchCostPer1kToday!)}`;
      assert.ok(chart.includes(escape(tip)), `${row.variant}: ${tip}`);
      assert.ok(Math.abs(row.batchCostPer1kToday! - row.costPer1kToday! / 2) < 1e-12);
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

/** As Plot writes a title into the SVG. */
function escape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

Deno.test("the pick can be made for batch mode: batch-API prices, no latency budget", async () => {
  const out = await writeFixture();
  try {
    const live = await compareReport({ out, ...options });
    const batch = await compareReport({ out, ...options, mode: "batch", maxP50Ms: 1 });
    assert.equal(live.decision.pick?.row.platform, "ollama-vps");
    // Only Gemini has a batch API; its half price wins, however slow its calls.
    assert.equal(batch.mode, "batch");
    assert.equal(batch.decision.pick?.label, "gemini · gemini-2.5-flash-lite · 512 px");
    const row = live.rows.find((row) => row.platform === "gemini" && row.variant === "512")!;
    assert.equal(batch.decision.pick?.row.costPer1k, row.batchCostPer1kToday);
    assert.match(decisionCard(batch).html, /batch API/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("report flags and VB_* variables carry monthlyImages, utilisation and the pick mode", () => {
  const args = parseReportArgs([
    "--monthly-images",
    "120000",
    "--utilisation",
    "0.5",
    "--pick-mode",
    "batch",
  ]);
  assert.deepEqual(args.pricing, { monthlyImages: 120_000, utilisation: 0.5, mode: "batch" });
  const env = pricingEnv(args.pricing);
  assert.deepEqual(env, {
    VB_MONTHLY_IMAGES: "120000",
    VB_UTILISATION: "0.5",
    VB_PICK_MODE: "batch",
  });
  // The notebook side: the variables win over the parameters cell.
  const config = loadConfig({ env, envFile: "/dev/null" });
  assert.deepEqual(pricingParams({ monthlyImages: 60_000 }, config), args.pricing);
  assert.deepEqual(
    pricingParams({ monthlyImages: 60_000 }, loadConfig({ env: {}, envFile: "/dev/null" })),
    {
      monthlyImages: 60_000,
    },
  );
  assert.throws(() => parseReportArgs(["--utilisation", "1.5"]), /utilisation/);
  const none = loadConfig({ env: {}, envFile: "/dev/null" });
  assert.throws(
    () => pricingParams({ mode: "later" as "live" }, none),
    /pickMode must be live or batch/,
  );
  assert.throws(() => parseReportArgs(["--pick-mode", "later"]), /live or batch/);
});

Deno.test("the floor applies to human ratings once every option has 10, and the card says which scale", async () => {
  const gemini = cards.get("gemini/gemini-2.5-flash-lite")!;
  const openai = cards.get("openai/gpt-4o-mini")!;
  const images = Array.from({ length: 10 }, (_, index) => `img-${index}`);
  // Descriptions that name no labelled thing: a keyword score of 0 on every call.
  const rows = (card: PriceCard, inputTokens: number) =>
    images.map((imageId) => {
      const record = resultRecord({
        runId: "benchmark",
        platform: card.platform,
        model: card.model,
        preset: card.platform,
        imageId,
        text: "Something.",
        latencyMs: 2000,
        inputTokens,
        outputTokens: 10,
        price: card,
        costBasis: "tokens",
      });
      return { ...record, costUsd: computeCost(card, fields(record)).costUsd };
    });
  const records = [...rows(gemini, 300), ...rows(openai, 3000)];
  const out = await Deno.makeTempDir({ prefix: "visionbench-human-" });
  await Deno.writeTextFile(
    `${out}/benchmark.jsonl`,
    records.map((record) => JSON.stringify(record) + "\n").join(""),
  );
  const rate = (count: number) =>
    records.filter((record) => record.platform === "gemini").slice(0, count)
      .concat(records.filter((record) => record.platform === "openai"))
      .map((record, index) =>
        JSON.stringify({
          ratingId: `r${index}`,
          recordId: record.recordId,
          runId: record.runId,
          imageId: record.imageId,
          platform: record.platform,
          model: record.model,
          rating: record.platform === "gemini" ? 8 : 4,
          blind: true,
          createdAt: "2026-12-01T10:00:00.000Z",
        }) + "\n"
      ).join("");
  try {
    await Deno.mkdir(`${out}/ratings`);
    // 9 ratings for gemini: not enough, the keyword score (0) decides: nothing qualifies.
    await Deno.writeTextFile(`${out}/ratings/ratings.jsonl`, rate(9));
    const keyword = await compareReport({ out, minQuality: 6, draws: 5 });
    assert.equal(keyword.qualityScale.kind, "keyword");
    assert.equal(keyword.qualityScale.rated, 1);
    assert.equal(keyword.decision.pick, undefined);
    // 10 each: human ratings decide; gemini's 8/10 passes the floor.
    await Deno.writeTextFile(`${out}/ratings/ratings.jsonl`, rate(10));
    const human = await compareReport({ out, minQuality: 6, draws: 5 });
    assert.equal(human.qualityScale.kind, "human");
    assert.equal(human.decision.pick?.row.platform, "gemini");
    assert.equal(human.decision.pick?.row.meanScore, 8);
    assert.match(decisionCard(human).html, /Quality floor applied to <b>human ratings<\/b>/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
