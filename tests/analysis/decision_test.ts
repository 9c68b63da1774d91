import assert from "node:assert/strict";
import { isUsageError } from "../support/usage-error.ts";
import { decide, type DecisionRow } from "../../lib/analysis/decision.ts";
import { bootstrapPick, type CallSample } from "../../lib/analysis/robustness.ts";
import { loadReferenceFigures, publishedOptions } from "../../lib/analysis/reference-figures.ts";

/** The cheapest row scores below the floor; the next-cheapest is good enough; one is too slow. */
const FIXTURE: DecisionRow[] = [
  { platform: "ollama-local", model: "moondream", p50LatencyMs: 900, costPer1k: 0, meanScore: 0.6 },
  { platform: "gemini", model: "flash-lite", p50LatencyMs: 2400, costPer1k: 0.04, meanScore: 6.5 },
  { platform: "openai", model: "gpt-4o-mini", p50LatencyMs: 6400, costPer1k: 0.03, meanScore: 7 },
  { platform: "anthropic", model: "haiku", p50LatencyMs: 4600, costPer1k: 1.87, meanScore: 7.5 },
  { platform: "mystery", model: "x", p50LatencyMs: null, costPer1k: 0.01, meanScore: 9 },
];

Deno.test("decide() picks Gemini 2.5 Flash Lite on the study's published figures at the study's floor", async () => {
  const decision = decide(publishedOptions(await loadReferenceFigures()), { minQuality: 6 });
  assert.equal(decision.pick?.row.platform, "gemini");
  assert.equal(decision.pick?.row.model, "Gemini 2.5 Flash Lite (Google AI)");
});

Deno.test("decide() does not pick the cheapest row when its quality is below the floor", () => {
  const decision = decide(FIXTURE, { minQuality: 6, maxP50Ms: 5000 });
  assert.equal(decision.pick?.label, "gemini · flash-lite");
  assert.equal(decision.runnerUp?.label, "anthropic · haiku");
  assert.equal(decision.eligible, 2);
  assert.equal(decision.belowFloor, 1);
  assert.equal(decision.overBudget, 1);
  assert.equal(decision.unknown, 1);
  assert.match(decision.tradeOff, /anthropic · haiku, costs 47× as much \(\$1\.87 vs \$0\.04/);
  // Without a floor, the free local model wins: the card says at which floor that happens.
  assert.equal(decide(FIXTURE, { minQuality: 0 }).pick?.label, "ollama-local · moondream");
  assert.ok(
    decision.wouldChange.includes(
      "ollama-local · moondream wins with a quality floor of 0.6/10 or lower.",
    ),
    decision.wouldChange.join("\n"),
  );
  assert.ok(
    decision.wouldChange.includes("openai · gpt-4o-mini wins if a p50 of 6.4 s is acceptable."),
  );
  assert.ok(decision.wouldChange.includes("With a budget under 2.4 s, nothing qualifies."));
  assert.ok(decision.wouldChange.includes("With a floor above 6.5/10, anthropic · haiku wins."));
});

Deno.test("decide() says why there is no pick, and rejects a floor outside 0–10", () => {
  const decision = decide(FIXTURE, { minQuality: 9.5 });
  assert.equal(decision.pick, undefined);
  assert.match(decision.tradeOff, /No option has quality ≥ 9\.5\/10 and p50 ≤ 5\.0 s/);
  assert.throws(() => decide(FIXTURE, { minQuality: 11 }), isUsageError);
  assert.throws(() => decide(FIXTURE, { maxP50Ms: -1 }), isUsageError);
});

function calls(
  platform: string,
  perImage: (index: number) => { latencyMs: number; costUsd: number; score: number },
): CallSample[] {
  return Array.from({ length: 20 }, (_, index) => ({
    platform,
    model: "m",
    imageId: `img-${String(index).padStart(2, "0")}`,
    ...perImage(index),
  }));
}

Deno.test("bootstrapPick() is sure of a clear winner and unsure when the floor cuts through a tie", () => {
  const clear = [
    ...calls("cheap-good", () => ({ latencyMs: 1000, costUsd: 0.00004, score: 7 })),
    ...calls("dear-good", () => ({ latencyMs: 1000, costUsd: 0.002, score: 8 })),
  ];
  const sure = bootstrapPick(clear, { minQuality: 6, draws: 200 });
  assert.equal(sure.leader, "cheap-good · m");
  assert.equal(sure.shareOf("cheap-good · m"), 1);
  // Mean quality of "borderline" is 6.0: half the draws fall below the floor.
  const borderline = [
    ...calls("borderline", (i) => ({ latencyMs: 1000, costUsd: 0.00004, score: i % 2 ? 9 : 3 })),
    ...calls("dear-good", () => ({ latencyMs: 1000, costUsd: 0.002, score: 8 })),
  ];
  const unsure = bootstrapPick(borderline, { minQuality: 6, draws: 400, seed: 7 });
  const share = unsure.shareOf("borderline · m");
  assert.ok(share > 0.25 && share < 0.75, `share ${share}`);
  assert.equal(unsure.shareOf("borderline · m") + unsure.shareOf("dear-good · m"), 1);
  // Same seed, same answer.
  assert.equal(
    bootstrapPick(borderline, { minQuality: 6, draws: 400, seed: 7 }).shareOf("borderline · m"),
    share,
  );
});
