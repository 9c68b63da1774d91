import assert from "node:assert/strict";
import { batchComparison, batchComparisonRows } from "../../lib/present/batch-comparison.ts";
import { resultRecord } from "../support/result-record.ts";
import { parseLabels } from "../../lib/quality/labels.ts";

const live = [
  resultRecord({ preset: "openai", model: "gpt-4o-mini", costUsd: 0.002, batchCostUsd: 0.001 }),
  resultRecord({ preset: "openai", model: "gpt-4o-mini", costUsd: 0.004, batchCostUsd: 0.002 }),
  resultRecord({ preset: "openai", model: "gpt-4o-mini", status: "error", text: "" }),
];
const batch = [
  ...[100, 300].map((turnaroundMs, index) =>
    resultRecord({
      preset: "openai",
      model: "gpt-4o-mini",
      mode: "batch",
      batchId: `batch_${index}`,
      turnaroundMs,
      costUsd: 0.0015,
    })
  ),
  resultRecord({
    preset: "openai",
    model: "gpt-4o-mini",
    mode: "batch",
    batchId: "batch_1",
    turnaroundMs: 300,
    status: "error",
    text: "",
  }),
];

Deno.test("batchComparisonRows: projected from live rows, actual from batch rows, one turnaround per batch", () => {
  const [row] = batchComparisonRows([...live, ...batch]);
  assert.equal(row.series, "openai · gpt-4o-mini");
  assert.equal(row.liveCases, 3);
  assert.equal(row.batchCases, 3);
  assert.equal(row.livePer1k, 3);
  assert.equal(row.projectedBatchPer1k, 1.5);
  assert.equal(row.actualBatchPer1k, 1.5);
  assert.equal(row.turnaroundP50Ms, 100);
  assert.equal(row.turnaroundMaxMs, 300);
  assert.equal(row.liveFailedShare, 1 / 3);
  assert.equal(row.batchFailedShare, 1 / 3);
});

Deno.test("batchComparison: labels simulated rows, escapes names, says when there is nothing to compare", () => {
  const html = String(
    batchComparison([
      ...batch.map((record) => ({ ...record, model: "<b>m</b>" })),
    ], { simulated: true }),
  );
  assert.match(html, /Simulated:/);
  assert.ok(html.includes("&lt;b&gt;m&lt;/b&gt;") && !html.includes("<b>m</b>"));
  assert.match(html, /<svg/);
  assert.match(String(batchComparison(live)), /No batch rows/);
});

Deno.test("batchComparisonRows: with labels, the quality of each mode side by side", () => {
  const labels = parseLabels({
    version: 1,
    images: {
      o01_cat: {
        scene: "animal close-up",
        isEventVenue: false,
        mustMention: ["cat", "sofa", "cushion", "window"].map((term) => ({ term })),
      },
    },
  });
  const [row] = batchComparisonRows([
    resultRecord({ preset: "openai", model: "m", imageId: "o01_cat", text: "A cat on a sofa." }),
    resultRecord({
      preset: "openai",
      model: "m",
      imageId: "o01_cat",
      text: "A sofa.",
      mode: "batch",
      batchId: "b",
    }),
  ], { labels });
  assert.ok(row.liveMeanScore! > row.batchMeanScore!, JSON.stringify(row));
});
