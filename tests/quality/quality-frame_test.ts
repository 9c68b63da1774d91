import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { loadQualityFrame, qualitySummary, withQuality } from "../../lib/quality/quality-frame.ts";
import { loadLabels } from "../../lib/quality/labels.ts";
import { readRuns } from "../../lib/run/run-store.ts";
import { summarize } from "../../lib/analysis/summary.ts";

const labels = await loadLabels();
const FIXTURE = new URL("../fixtures/records-sample.jsonl", import.meta.url).pathname;

Deno.test("loadQualityFrame() scores a run as withQuality() does on its records, summaries included", async () => {
  const out = await Deno.makeTempDir({ prefix: "visionbench-quality-frame-" });
  try {
    await Deno.copyFile(FIXTURE, `${out}/sample.jsonl`);
    const expected = withQuality((await readRuns(out)).records, labels);
    const frame = await loadQualityFrame(out, { labels });
    const columns = ["recordId", "recall", "score", "hallucinations", "descriptionWords"];
    assert.deepEqual(
      frame.select(...columns).sort("recordId").toRecords(),
      expected.select(...columns).sort("recordId").toRecords(),
    );
    const by = ["platform", "model", "variant"];
    assert.deepEqual(
      qualitySummary(frame, { by }).toRecords(),
      qualitySummary(expected, { by }).toRecords(),
    );
    assert.deepEqual(summarize(frame).toRecords(), summarize(expected).toRecords());
    assert.equal(frame.filter(pl.col("score").isNotNull()).height > 0, true);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
