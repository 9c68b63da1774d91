import assert from "node:assert/strict";
import { agreementByImage, jaccard } from "../../lib/quality/agreement.ts";
import { qualityCostLatencyChart, recallHeatmap } from "../../lib/present/charts/quality.ts";
import { recordsToFrame } from "../../lib/analysis/frames.ts";
import { loadLabels } from "../../lib/quality/labels.ts";
import { joinQuality, qualitySummary, withQuality } from "../../lib/quality/quality-frame.ts";
import {
  keywords,
  mentions,
  scoreDescription,
  stem,
  venueAccuracy,
} from "../../lib/quality/score.ts";
import type { ResultRecord } from "../../lib/contract/record.ts";
import { summarize } from "../../lib/analysis/summary.ts";
import { resultRecord } from "../support/result-record.ts";
import { isUsageError } from "../support/usage-error.ts";

const labels = await loadLabels();
const hall = labels.get("v01_orchestra_concert_hall")!;
const cat = labels.get("o01_cat")!;

const PERFECT = "A chamber orchestra performs on the wooden stage of a concert hall. A conductor " +
  "leads violins, cellos and timpani; rows of red chairs rise behind the musicians, who wear " +
  "black formal attire.";
const PARTIAL = "An orchestra plays on a stage under a conductor.";
const WRONG = "A tabby cat sleeps on a sofa next to a window.";

/** A record of platform alpha on the concert hall with the perfect description. */
function record(overrides: Partial<ResultRecord> = {}): ResultRecord {
  return resultRecord({
    imageId: "v01_orchestra_concert_hall",
    text: PERFECT,
    latencyMs: 1000,
    costUsd: 0.001,
    ...overrides,
  });
}

Deno.test("scoreDescription() ranks perfect > partial > wrong ≈ empty", () => {
  const perfect = scoreDescription(PERFECT, hall);
  const partial = scoreDescription(PARTIAL, hall);
  const wrong = scoreDescription(WRONG, hall);
  const empty = scoreDescription("", hall);
  assert.equal(perfect.recall, 1);
  assert.equal(perfect.score, 10);
  assert.deepEqual(perfect.missed, []);
  assert.ok(partial.score > wrong.score && partial.score < perfect.score, `${partial.score}`);
  assert.deepEqual(partial.matched, ["orchestra", "conductor", "stage"]);
  assert.equal(wrong.score, 0);
  assert.equal(empty.score, 0);
  assert.equal(empty.recall, 0);
  assert.equal(empty.words, 0);
  assert.equal(empty.wordsPerMatch, null);
});

Deno.test("a hallucination lowers the score of the same text", () => {
  const clean = scoreDescription(PARTIAL, hall);
  const hallucinating = scoreDescription(`${PARTIAL} A large audience applauds.`, hall);
  assert.deepEqual(hallucinating.hallucinated, ["audience"]);
  assert.equal(hallucinating.recall, clean.recall);
  assert.equal(hallucinating.score, clean.score - 2);
});

Deno.test("a negated mention is not a hallucination", () => {
  for (
    const text of [
      `${PARTIAL} There is no audience.`,
      `${PARTIAL} The hall is empty of spectators.`,
      `${PARTIAL} It plays without an audience or a choir.`,
      `${PARTIAL} The audience isn't visible.`,
      `${PARTIAL} No crowd, no singer.`,
    ]
  ) {
    assert.deepEqual(scoreDescription(text, hall).hallucinated, [], text);
  }
  // ...but the negation does not reach past "with"/"just" or into the next sentence.
  assert.deepEqual(
    scoreDescription(`${PARTIAL} No banners, just a choir.`, hall).hallucinated,
    ["choir"],
  );
  assert.deepEqual(
    scoreDescription(`No banners. A choir sings with the orchestra.`, hall).hallucinated,
    ["choir"],
  );
});

Deno.test("a negated expected thing is not a match", () => {
  assert.ok(
    !scoreDescription("There are no chairs on the stage.", hall).matched.includes("red chairs"),
  );
  // "empty" only negates with "of": empty chairs are still chairs.
  assert.ok(scoreDescription("Rows of empty chairs.", hall).matched.includes("red chairs"));
});

Deno.test("matching folds plurals, uses synonyms, and never matches inside another word", () => {
  assert.ok(mentions("Two chairs.", { term: "chair", synonyms: [] }));
  assert.ok(mentions("One chair.", { term: "chairs", synonyms: [] }));
  assert.ok(mentions("Several benches and galleries.", { term: "bench", synonyms: [] }));
  assert.ok(mentions("Several benches and galleries.", { term: "gallery", synonyms: [] }));
  assert.ok(
    mentions("A large auditorium.", hall.mustMention.find((m) => m.term === "concert hall")!),
  );
  assert.ok(mentions("The CONCERT-HALL is lit.", { term: "concert hall", synonyms: [] }));
  assert.ok(mentions("un château au bord de l'eau", { term: "chateau", synonyms: [] }));
  assert.ok(!mentions("A shallow stream.", { term: "hall", synonyms: [] }));
  assert.ok(!mentions("Concatenated strings.", { term: "cat", synonyms: [] }));
  assert.ok(!mentions("A concert. The hall is old.", { term: "concert hall", synonyms: [] }));
  assert.equal(stem("glasses"), "glass");
  assert.equal(stem("glass"), "glass");
  assert.equal(stem("houses"), stem("house"));
});

Deno.test("a longer text with the same matches is less efficient", () => {
  const short = scoreDescription("A tabby cat with green eyes.", cat);
  const long = scoreDescription(
    "In this particular photograph we can clearly observe what appears to be, quite " +
      "remarkably and beyond any doubt whatsoever, a tabby cat, and it has green eyes.",
    cat,
  );
  assert.deepEqual(long.matched, short.matched);
  assert.equal(long.score, short.score);
  assert.ok(long.wordsPerMatch! > 3 * short.wordsPerMatch!, `${long.wordsPerMatch}`);
});

Deno.test("structured answers score through the same rules (tags + scene)", () => {
  const structured = scoreDescription(
    { tags: ["orchestra", "conductor", "violins", "no audience"], scene: "concert hall" },
    hall,
  );
  assert.deepEqual(structured.matched, ["orchestra", "conductor", "violins", "concert hall"]);
  assert.deepEqual(structured.hallucinated, []);
  assert.equal(structured.score, 4);
  assert.deepEqual(scoreDescription({ tags: [] }, hall).score, 0);
});

Deno.test("venueAccuracy() compares structured.isEventVenue with the labels", () => {
  const records = [
    record({ structured: { tags: [], scene: "hall", isEventVenue: true } }),
    record({ imageId: "o01_cat", structured: { tags: [], scene: "cat", isEventVenue: true } }),
    record({
      imageId: "o03_espresso",
      structured: { tags: [], scene: "cup", isEventVenue: false },
    }),
    record({ imageId: "unlabelled", structured: { isEventVenue: true } }),
    record({ structured: undefined }),
    record({ status: "error", structured: { isEventVenue: false } }),
  ];
  const result = venueAccuracy(records, labels);
  assert.equal(result.total, 3);
  assert.equal(result.correct, 2);
  assert.equal(result.falsePositive, 1);
  assert.equal(result.wrong[0].imageId, "o01_cat");
  assert.equal(venueAccuracy([record()], labels).accuracy, null);
});

Deno.test("withQuality() is null, not 0, for unlabelled images and error records", () => {
  const records = [
    record(),
    record({ imageId: "not_labelled", text: "A cat." }),
    record({ status: "error", text: "", error: { kind: "timeout", message: "slow" } }),
    record({ text: "" }),
  ];
  const frame = withQuality(records, labels);
  assert.deepEqual(frame.getColumn("score").toArray(), [10, null, null, 0]);
  assert.deepEqual(frame.getColumn("recall").toArray(), [1, null, null, 0]);
  assert.deepEqual(frame.getColumn("hallucinations").toArray(), [0, null, null, 0]);
  const none = withQuality(records, new Map());
  assert.ok(none.getColumn("score").toArray().every((value) => value === null));
  // A frame built by recordsToFrame works the same as the records.
  assert.deepEqual(
    withQuality(recordsToFrame(records), labels).getColumn("score").toArray(),
    frame.getColumn("score").toArray(),
  );
});

Deno.test("qualitySummary() joins onto summarize() by the grouping columns", () => {
  const records = [
    record(),
    record({ text: `${PARTIAL} The audience cheers.` }),
    record({
      platform: "beta",
      text: PARTIAL,
      structured: { tags: ["orchestra"], isEventVenue: false },
    }),
    record({ platform: "gamma", imageId: "not_labelled" }),
  ];
  const frame = recordsToFrame(records);
  const quality = qualitySummary(frame, { labels });
  const joined = joinQuality(summarize(frame), quality).toRecords();
  const alpha = joined.find((row) => row.platform === "alpha")!;
  assert.equal(alpha.n, 2);
  assert.equal(alpha.meanScore, (10 + 1) / 2);
  assert.equal(alpha.hallucinationRate, 0.5);
  assert.equal(alpha.venueAccuracy, null);
  const beta = joined.find((row) => row.platform === "beta")!;
  assert.equal(beta.venueAccuracy, 0);
  const gamma = joined.find((row) => row.platform === "gamma")!;
  assert.equal(gamma.meanScore, null);
  assert.equal(gamma.scored, 0);
  assert.throws(() => qualitySummary(frame), isUsageError);
});

Deno.test("agreementByImage() measures overlap with the other platforms on the same image", () => {
  const records = [
    record({ platform: "alpha", text: "An orchestra and a conductor on a stage." }),
    record({ platform: "beta", text: "An orchestra with its conductor." }),
    record({ platform: "gamma", text: "A cat." }),
    record({ platform: "beta", text: "ignored second repeat", repeat: 1 }),
    record({ platform: "alpha", imageId: "o01_cat", text: "A cat." }),
  ];
  const rows = agreementByImage(records, { labels });
  const hallRows = rows.filter((row) => row.imageId === "v01_orchestra_concert_hall");
  assert.equal(hallRows.length, 3);
  const [alpha, beta, gamma] = hallRows;
  assert.equal(alpha.peers, 2);
  // alpha {orchestra, conductor, stage} vs beta {orchestra, conductor} = 2/3, vs gamma {} = 0.
  assert.equal(alpha.matchedAgreement, (2 / 3 + 0) / 2);
  assert.equal(beta.matchedAgreement, (2 / 3 + 0) / 2);
  // gamma matched nothing, and alpha/beta matched something: Jaccard 0 with each.
  assert.equal(gamma.matchedAgreement, 0);
  assert.ok(alpha.keywordAgreement! > gamma.keywordAgreement!);
  const lonely = rows.find((row) => row.imageId === "o01_cat")!;
  assert.equal(lonely.peers, 0);
  assert.equal(lonely.keywordAgreement, null);
  assert.equal(agreementByImage(records)[0].matchedAgreement, null);
  assert.equal(jaccard(new Set(), new Set()), null);
  assert.deepEqual([...keywords("Two red chairs in the hall.")], ["red", "chair", "hall"]);
});

Deno.test("qualityCostLatencyChart() rings the 3-axis Pareto frontier; recallHeatmap() draws cells", () => {
  const summary = [
    { platform: "cheap", model: "m", meanScore: 5, costPer1k: 0.1, p50LatencyMs: 2000 },
    { platform: "fast", model: "m", meanScore: 5, costPer1k: 1, p50LatencyMs: 300 },
    { platform: "good", model: "m", meanScore: 9, costPer1k: 2, p50LatencyMs: 3000 },
    { platform: "dominated", model: "m", meanScore: 4, costPer1k: 3, p50LatencyMs: 4000 },
    { platform: "unscored", model: "m", meanScore: null, costPer1k: 1, p50LatencyMs: 1 },
  ];
  // deno-lint-ignore no-explicit-any
  const html = String(qualityCostLatencyChart(summary as any));
  assert.match(html, /<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  // Labels (bold text marks) name the frontier only; every row is named in its dot's tooltip.
  const chartLabels = [
    ...html.matchAll(/<g(?=[^>]*aria-label="text")(?=[^>]*font-weight="bold")[^>]*>([^]*?)<\/g>/g),
  ]
    .map((match) => match[1]).join("");
  for (const name of ["cheap", "fast", "good"]) {
    assert.match(chartLabels, new RegExp(`>${name} · m<`), name);
  }
  assert.ok(!html.includes("unscored"));
  assert.ok(!chartLabels.includes("dominated"), "a dominated row is labelled");
  assert.match(html, /<title>dominated · m\n/);
  assert.match(String(qualityCostLatencyChart([])), /no data/);

  const frame = withQuality([
    record(),
    record({ platform: "beta", text: PARTIAL }),
    record({ platform: "beta", imageId: "o01_cat", text: "A cat." }),
  ], labels);
  const heatmap = String(recallHeatmap(frame));
  assert.match(heatmap, /<svg xmlns=/);
  assert.match(heatmap, />1\.00</);
  assert.match(heatmap, />0\.30</);
  assert.match(heatmap, /o01_cat/);
  assert.match(String(recallHeatmap(withQuality([record()], new Map()))), /no data/);
});
