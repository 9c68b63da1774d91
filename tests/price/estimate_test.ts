import assert from "node:assert/strict";
import { loadPriceCards } from "../../lib/price/cost.ts";
import {
  checkSpend,
  estimateCallUsd,
  estimateSpend,
  type PlannedCalls,
} from "../../lib/price/estimate.ts";

const cards = await loadPriceCards();
const planned = (overrides: Partial<PlannedCalls>): PlannedCalls => ({
  preset: "openai",
  platform: "openai",
  model: "gpt-4o-mini",
  priceCard: cards.get("openai/gpt-4o-mini"),
  width: 512,
  height: 384,
  prompt: "Describe everything you see in this image in detail.",
  maxOutputTokens: 300,
  calls: 10,
  free: 0,
  ...overrides,
});

Deno.test("estimateCallUsd() prices a call from the card and the platform's image-token rule", () => {
  // gpt-4o-mini, 512×384: 2833 + 5667 × 1 tile = 8500 image tokens + the prompt at ~4
  // characters a token (+10 for the message) at $0.15/M; 100 output tokens at $0.60/M.
  const call = planned({});
  const text = Math.ceil(call.prompt.length / 4) + 10;
  const usd = estimateCallUsd(cards.get("openai/gpt-4o-mini")!, call);
  assert.ok(Math.abs(usd - ((8500 + text) * 0.15 + 100 * 0.6) / 1e6) < 1e-12, String(usd));
});

Deno.test("estimateSpend() counts recorded and cached cases at $0, prefers the measured $/call, and caps only paid calls off this machine", () => {
  const estimate = estimateSpend([
    planned({ calls: 4, free: 6, measuredUsdPerCall: 0.01 }),
    planned({
      preset: "gemini",
      platform: "gemini",
      model: "gemini-2.5-flash-lite",
      priceCard: cards.get("gemini/gemini-2.5-flash-lite"),
      local: true,
    }),
    planned({
      preset: "local",
      platform: "local",
      model: "sharp-baseline",
      priceCard: cards.get("local/sharp-baseline"),
    }),
  ]);
  const [openai, gemini, local] = estimate.platforms;
  assert.equal(openai.costUsd, 0.04);
  assert.equal(openai.source, "measured");
  assert.deepEqual([openai.capped, gemini.capped, local.capped], [true, false, false]);
  assert.equal(local.costUsd, 0);
  assert.equal(estimate.cappedUsd, 0.04);
  assert.match(
    estimate.text,
    /openai · gpt-4o-mini: 4 calls \(\+6 recorded or cached, \$0\) · ~\$0\.04 \(measured\)/,
  );
  assert.match(
    estimate.text,
    /gemini · gemini-2\.5-flash-lite: 10 calls · ~\$[\d.]+ \(price card, on this machine: not capped\)/,
  );
});

Deno.test("checkSpend() refuses a run over the cap, saying how to raise it; a run without a card is shown as unknown", () => {
  const estimate = estimateSpend([planned({ calls: 1000 })]);
  assert.throws(
    () => checkSpend(estimate, 1),
    /not started: the estimated cost ~\$\d+\.\d\d exceeds maxSpendUsd \$1\.00\. To run it, raise the cap: maxSpendUsd = [\d.]+ .*--max-spend/s,
  );
  checkSpend(estimate, 100);
  const unknown = estimateSpend([planned({ priceCard: undefined })]);
  assert.match(unknown.text, /cost unknown \(no price card\)/);
  assert.throws(() => checkSpend(unknown, -1), /maxSpendUsd must be a number >= 0/);
});
