import assert from "node:assert/strict";
import { isVisionBenchError, type VisionBenchError } from "../../lib/contract/errors.ts";
import { type PriceCard, PriceCardSchema } from "../../lib/contract/price-card.ts";
import { type ResultRecord, ResultRecordSchema } from "../../lib/contract/record.ts";
import { loadPresets } from "../../lib/platforms/presets.ts";
import { loadReferenceFigures } from "../../lib/analysis/reference-figures.ts";
import {
  computeCost,
  costPerThousand,
  loadPriceCards,
  recomputeCost,
} from "../../lib/price/cost.ts";
import { projectCost } from "../../lib/price/projection.ts";
import { isUsageError } from "../support/usage-error.ts";

const cards = await loadPriceCards();

function card(id: string): PriceCard {
  const found = cards.get(id);
  assert.ok(found, `price card ${id} is in data/prices.json`);
  return found;
}

/** Equal to 12 significant digits: float arithmetic, not approximation. */
function assertClose(actual: number | undefined, expected: number, tolerance = 1e-12) {
  assert.ok(actual !== undefined, "a number");
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)),
    `${actual} ≈ ${expected}`,
  );
}

function assertPricingError(run: () => unknown, mentions: string) {
  assert.throws(run, (error: unknown) => {
    assert.ok(isVisionBenchError(error, "pricing"), `a pricing error, got ${error}`);
    assert.match((error as VisionBenchError).message, new RegExp(mentions));
    return true;
  });
}

Deno.test("data/prices.json validates and has a card for every preset in data/presets.json", async () => {
  const presets = await loadPresets();
  assert.ok(presets.length >= 11);
  for (const preset of presets) {
    const priced = card(preset.priceCard);
    assert.equal(priced.platform, preset.platform, preset.id);
    assert.equal(priced.model, preset.model, preset.id);
    assert.match(priced.asOf, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(priced.source.length > 0);
  }
});

Deno.test("every card is dated and sourced, and retired models say so", () => {
  for (const priced of cards.values()) {
    assert.ok(priced.asOf && priced.source, priced.id);
  }
  assert.match(card("anthropic/claude-3-haiku-20240307").note ?? "", /RETIRED/);
  assert.match(card("anthropic/claude-3-5-haiku-20241022").note ?? "", /RETIRED 2026-02-19/);
});

Deno.test("OpenAI, Anthropic and Gemini cards batch at 50%; the others have no batch price", () => {
  for (const priced of cards.values()) {
    // `<card>@batch` is the batch price itself (checked below), not a live card.
    if (priced.id.endsWith("@batch")) continue;
    const hasBatchApi = ["openai", "anthropic", "gemini"].includes(priced.platform);
    assert.equal(priced.batchMultiplier, hasBatchApi ? 0.5 : undefined, priced.id);
  }
});

Deno.test("every @batch card is its live card at exactly half, so batch rows cost half for the same usage", () => {
  const batchCards = [...cards.values()].filter((priced) => priced.id.endsWith("@batch"));
  assert.ok(batchCards.length >= 3);
  const usage = { inputTokens: 25_520, outputTokens: 183 };
  for (const batch of batchCards) {
    const live = cards.get(batch.id.replace(/@batch$/, ""));
    assert.ok(live && live.basis === "tokens" && batch.basis === "tokens", batch.id);
    assert.equal(batch.inputPerMTok, live.inputPerMTok / 2, batch.id);
    assert.equal(batch.outputPerMTok, live.outputPerMTok / 2, batch.id);
    assert.equal(batch.batchMultiplier, undefined, `${batch.id}: no discount on top`);
    assert.equal(computeCost(batch, { usage }).costUsd, computeCost(live, { usage }).batchCostUsd);
  }
});

Deno.test("loadPriceCards() rejects an invalid file and a repeated id with a config error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const invalid = `${dir}/invalid.json`;
    await Deno.writeTextFile(invalid, JSON.stringify({ cards: [{ id: "x", basis: "tokens" }] }));
    await assert.rejects(() => loadPriceCards(invalid), (error: unknown) => {
      assert.ok(isVisionBenchError(error, "config"));
      return true;
    });
    const twice = `${dir}/twice.json`;
    const gemini = card("gemini/gemini-2.5-flash-lite");
    await Deno.writeTextFile(twice, JSON.stringify({ cards: [gemini, gemini] }));
    await assert.rejects(() => loadPriceCards(twice), /appears twice/);
    await assert.rejects(() => loadPriceCards(`${dir}/missing.json`), /cannot read/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tokens: gpt-4o-mini bills input (image included) and output per 1M, batch at half", () => {
  // 1024² at detail high = 25,501 image tokens + 15 text tokens = 25,516 prompt tokens.
  // 25,516 × $0.15 + 200 × $0.60 = 3,827.4 + 120 = 3,947.4 per 1M → $0.0039474
  const result = computeCost(card("openai/gpt-4o-mini"), {
    usage: { inputTokens: 25_516, outputTokens: 200, imageTokens: 25_501 },
  });
  assert.equal(result.basis, "tokens");
  assertClose(result.costUsd, 0.0039474);
  // batch: 0.0039474 × 0.5 = 0.0019737 ($0.075 / $0.30 per 1M)
  assertClose(result.batchCostUsd, 0.0019737);
});

Deno.test("tokens: Gemini thoughts tokens are billed as output on top of the answer", () => {
  // 1,042 × $0.10 + (150 + 50) × $0.40 = 104.2 + 80 = 184.2 per 1M → $0.0001842
  const result = computeCost(card("gemini/gemini-2.5-flash-lite"), {
    usage: { inputTokens: 1_042, outputTokens: 150, reasoningTokens: 50 },
  });
  assertClose(result.costUsd, 0.0001842);
  assertClose(result.batchCostUsd, 0.0000921);
});

Deno.test("tokens: Kimi K2.5 on Baseten bills 5,329 patch tokens at the input rate", () => {
  // (5,329 + 20) × $0.60 + 100 × $3.00 = 3,209.4 + 300 = 3,509.4 per 1M → $0.0035094
  const result = computeCost(card("baseten/moonshotai/Kimi-K2.5"), {
    usage: { inputTokens: 5_349, outputTokens: 100 },
  });
  assertClose(result.costUsd, 0.0035094);
  assert.equal(result.batchCostUsd, undefined);
});

Deno.test("tokens: image tokens billed apart are taken out of inputTokens, not added", () => {
  const apart = PriceCardSchema.parse({
    id: "test/apart",
    platform: "test",
    model: "apart",
    currency: "USD",
    asOf: "2026-11-01",
    source: "test",
    basis: "tokens",
    inputPerMTok: 1,
    imageInputPerMTok: 2,
    outputPerMTok: 4,
  });
  // text 1,000 − 800 = 200 × $1 + 800 × $2 + 100 × $4 = 200 + 1,600 + 400 = 2,200 per 1M
  const result = computeCost(apart, {
    usage: { inputTokens: 1_000, imageTokens: 800, outputTokens: 100 },
  });
  assertClose(result.costUsd, 0.0022);
  assertPricingError(
    () => computeCost(apart, { usage: { inputTokens: 1_000, outputTokens: 100 } }),
    "no imageTokens",
  );
  assertPricingError(
    () => computeCost(apart, { usage: { inputTokens: 100, imageTokens: 800, outputTokens: 1 } }),
    "exceed inputTokens",
  );
});

Deno.test("tokens: Cloudflare llama-3.2 vision bills neurons as $0.049 / $0.676 per 1M", () => {
  // 6,400 × $0.049 + 250 × $0.676 = 313.6 + 169 = 482.6 per 1M → $0.0004826
  const result = computeCost(card("cloudflare/@cf/meta/llama-3.2-11b-vision-instruct"), {
    usage: { inputTokens: 6_400, outputTokens: 250 },
  });
  assertClose(result.costUsd, 0.0004826);
});

Deno.test("gpu_seconds: Replicate predict_time × T4 rate, RunPod executionTime × 16 GB rate", () => {
  // 4.04 s × $0.000225 = $0.000909
  const replicate = computeCost(card("replicate/lucataco/moondream2"), {
    usage: {},
    gpuSeconds: 4.04,
  });
  assert.equal(replicate.basis, "gpu_seconds");
  assertClose(replicate.costUsd, 0.000909);
  // 1.5 s × $0.00016 = $0.00024
  assertClose(
    computeCost(card("runpod/moondream2"), { usage: {}, gpuSeconds: 1.5 }).costUsd,
    0.00024,
  );
});

Deno.test("hourly: server $/h × latency ÷ concurrency", () => {
  const vps = card("ollama-vps/moondream");
  // $0.12268/h × 49,300 ms / 3,600,000 ms/h = 6.048124 / 3,600 = $0.001680034444…
  assertClose(
    computeCost(vps, { usage: {}, latencyMs: 49_300 }).costUsd,
    0.0016800344444,
    1e-10,
  );
  // two calls in flight share the hour: half per image = $0.000840017222…
  assertClose(
    computeCost(vps, { usage: {}, latencyMs: 49_300, concurrency: 2 }).costUsd,
    0.0008400172222,
    1e-10,
  );
  assertPricingError(() => computeCost(vps, { usage: {} }), "no latencyMs");
  assertPricingError(
    () => computeCost(vps, { usage: {}, latencyMs: 1_000, concurrency: 0 }),
    "concurrency",
  );
});

Deno.test("subscription: $20 a month over 60,000 images is $0.333 per 1,000", () => {
  const result = computeCost(card("ollama-cloud/qwen3-vl:235b"), { usage: {} });
  assert.equal(result.basis, "subscription");
  // 20 / 60,000 = $0.000333…
  assertClose(result.costUsd, 20 / 60_000);
  assertClose(costPerThousand(result.costUsd), 1 / 3);
});

Deno.test("per_image and free need no usage", () => {
  const perImage = PriceCardSchema.parse({
    id: "test/per-image",
    platform: "test",
    model: "per-image",
    currency: "USD",
    asOf: "2026-11-01",
    source: "test",
    basis: "per_image",
    perImage: 0.002,
  });
  assert.deepEqual(computeCost(perImage, { usage: {} }), { costUsd: 0.002, basis: "per_image" });
  assert.deepEqual(computeCost(card("local/sharp-baseline"), { usage: {} }), {
    costUsd: 0,
    basis: "free",
  });
  assert.equal(computeCost(card("ollama-local/moondream"), { usage: {} }).costUsd, 0);
});

Deno.test("missing usage the basis needs is a pricing error, never $0", () => {
  const mini = card("openai/gpt-4o-mini");
  assertPricingError(() => computeCost(mini, { usage: { outputTokens: 10 } }), "no inputTokens");
  assertPricingError(() => computeCost(mini, { usage: { inputTokens: 10 } }), "no outputTokens");
  assertPricingError(
    () => computeCost(mini, { usage: { inputTokens: -1, outputTokens: 1 } }),
    "inputTokens must be",
  );
  assertPricingError(
    () => computeCost(card("replicate/lucataco/moondream2"), { usage: {}, latencyMs: 4_100 }),
    "no gpuSeconds",
  );
  assertPricingError(
    () => computeCost(card("runpod/moondream2"), { usage: { inputTokens: 5 } }),
    "no gpuSeconds",
  );
});

Deno.test("absurd usage is a pricing error, never Infinity: 1e308 tokens, a string count, an overflowing sum", () => {
  const mini = card("openai/gpt-4o-mini");
  assertPricingError(
    () => computeCost(mini, { usage: { inputTokens: 1e308, outputTokens: 1 } }),
    "inputTokens of 1e\\+308 is beyond any real call",
  );
  assertPricingError(
    () =>
      computeCost(mini, { usage: { inputTokens: "900" as unknown as number, outputTokens: 1 } }),
    'inputTokens must be a finite number >= 0, got "900"',
  );
  assertPricingError(
    () => computeCost(card("replicate/lucataco/moondream2"), { usage: {}, gpuSeconds: Infinity }),
    "gpuSeconds must be",
  );
  // Each count is below the bound, yet the price per token makes the sum overflow to Infinity.
  const dear = { ...mini, inputPerMTok: 1e300, outputPerMTok: 1e300 } as PriceCard;
  assertPricingError(
    () => computeCost(dear, { usage: { inputTokens: 2 ** 52, outputTokens: 2 ** 52 } }),
    "not a finite number",
  );
});

function recordWith(fields: Partial<ResultRecord>): ResultRecord {
  const base = {
    runId: "run-1",
    recordId: "rec-1",
    createdAt: "2026-11-01T00:00:00.000Z",
    caseKey: "case-1",
    platform: "openai",
    model: "gpt-4o-mini",
    preset: "openai",
    imageId: "o01_cat",
    imageSha256: "0".repeat(64),
    variant: "original",
    promptId: "default",
    prompt: "Describe everything you see in this image in detail.",
    repeat: 0,
    status: "ok",
    text: "A cat.",
    attempts: 1,
    cached: false,
  };
  // Through JSON and the record schema: what a stored JSONL line reads back as.
  return ResultRecordSchema.parse(JSON.parse(JSON.stringify({ ...base, ...fields })));
}

Deno.test("recomputeCost() from a stored record equals the cost computed at run time", () => {
  const cases: { price: PriceCard; fields: Partial<ResultRecord> }[] = [
    {
      price: card("openai/gpt-4o-mini"),
      fields: { inputTokens: 25_516, outputTokens: 200, imageTokens: 25_501 },
    },
    {
      price: card("gemini/gemini-2.5-flash-lite"),
      fields: { inputTokens: 1_042, outputTokens: 150, reasoningTokens: 50 },
    },
    { price: card("replicate/lucataco/moondream2"), fields: { gpuSeconds: 4.04 } },
    { price: card("ollama-vps/moondream"), fields: { latencyMs: 49_300, concurrency: 2 } },
    { price: card("ollama-cloud/qwen3-vl:235b"), fields: {} },
  ];
  for (const { price, fields } of cases) {
    const atRunTime = computeCost(price, {
      usage: {
        inputTokens: fields.inputTokens,
        outputTokens: fields.outputTokens,
        imageTokens: fields.imageTokens,
        reasoningTokens: fields.reasoningTokens,
      },
      gpuSeconds: fields.gpuSeconds,
      latencyMs: fields.latencyMs,
      concurrency: fields.concurrency,
    });
    const record = recordWith({
      ...fields,
      price,
      costUsd: atRunTime.costUsd,
      costBasis: atRunTime.basis,
      batchCostUsd: atRunTime.batchCostUsd,
    });
    const again = recomputeCost(record);
    assert.equal(again.costUsd, record.costUsd, price.id);
    assert.equal(again.batchCostUsd, record.batchCostUsd, price.id);
    assert.equal(again.basis, record.costBasis, price.id);
  }
});

Deno.test("recomputeCost() fails with a pricing error when the record has no price card", () => {
  assertPricingError(
    () => recomputeCost(recordWith({ inputTokens: 1, outputTokens: 1 })),
    "no price card",
  );
});

Deno.test("projectCost() scales per-image cost to 1k, 10k and 1M images, real time and batch", () => {
  // $0.0039474 per image: × 1,000 = $3.9474; × 10,000 = $39.474; × 1,000,000 = $3,947.4
  const projections = projectCost({ perImageUsd: 0.0039474, batchPerImageUsd: 0.0019737 });
  assert.deepEqual(projections.map((row) => row.images), [1_000, 10_000, 1_000_000]);
  assertClose(projections[0].costUsd, 3.9474);
  assertClose(projections[1].costUsd, 39.474);
  assertClose(projections[2].costUsd, 3947.4);
  assertClose(projections[2].batchCostUsd, 1973.7);
  const realTimeOnly = projectCost({ perImageUsd: 0.00004, images: [50_000] });
  assert.equal(realTimeOnly.length, 1);
  assertClose(realTimeOnly[0].costUsd, 2);
  assert.equal(realTimeOnly[0].batchCostUsd, undefined);
  assert.throws(() => projectCost({ perImageUsd: -1 }), isUsageError);
  assert.throws(() => projectCost({ perImageUsd: 1, images: [1.5] }), isUsageError);
});

Deno.test("costPerThousand() multiplies by 1,000 and rejects nonsense", () => {
  assertClose(costPerThousand(0.00168), 1.68);
  assert.throws(() => costPerThousand(Number.NaN), isUsageError);
});

Deno.test("the seed article's figures reproduce from the cards derived from them", async () => {
  const figures = await loadReferenceFigures();
  const figure = (preset: string) => {
    const found = figures.find((row) => row.preset === preset);
    assert.ok(found?.usdPer1000, preset);
    return { avgMs: found.avgSeconds * 1000, usdPer1000: found.usdPer1000 };
  };
  const within = (actual: number, expected: number, fraction: number) =>
    assert.ok(Math.abs(actual - expected) <= expected * fraction, `${actual} vs ${expected}`);

  // ollama-vps: 49.3 s at concurrency 1 → $0.12268/h × 49.3 s / 3,600 s = $0.00168 → $1.68 / 1k
  const vps = figure("ollama-vps");
  const vpsCost = computeCost(card("ollama-vps/moondream"), { usage: {}, latencyMs: vps.avgMs });
  within(costPerThousand(vpsCost.costUsd), vps.usdPer1000, 0.001);

  // ollama-cloud: $20 / 60,000 = $0.333 / 1k against the article's $0.33 (1% off: rounding)
  const cloud = computeCost(card("ollama-cloud/qwen3-vl:235b"), { usage: {} });
  within(costPerThousand(cloud.costUsd), figure("ollama-cloud").usdPer1000, 0.015);

  // replicate (consistency, not derivation): T4 $0.000225/s × the 4.1 s average (an upper bound
  // on predict_time) = $0.9225 / 1k against the article's $0.91
  const replicate = figure("replicate");
  const replicateCost = computeCost(card("replicate/lucataco/moondream2"), {
    usage: {},
    gpuSeconds: replicate.avgMs / 1000,
  });
  within(costPerThousand(replicateCost.costUsd), replicate.usdPer1000, 0.02);
});

Deno.test("reference figures validate and name presets that exist", async () => {
  const figures = await loadReferenceFigures();
  const presets = new Set((await loadPresets()).map((preset) => preset.id));
  assert.equal(figures.length, 10);
  for (const figure of figures) {
    assert.ok(presets.has(figure.preset), figure.preset);
    assert.equal(figure.images, 20);
    assert.equal(figure.prompt, "Describe everything you see in this image in detail.");
    assert.match(figure.source, /^seed\/benchmark-article\.txt \(/);
  }
  const gemini = figures.find((figure) => figure.preset === "gemini");
  assert.deepEqual(
    [gemini?.avgSeconds, gemini?.fastestSeconds, gemini?.usdPer1000],
    [2.4, 1.6, 0.04],
  );
  const openai = figures.find((figure) => figure.preset === "openai");
  assert.equal(openai?.fastestSeconds, null);
  assert.equal(figures.find((figure) => figure.preset === "ollama-local")?.usdPer1000, null);
});
