import assert from "node:assert/strict";
import { buildDescriptionReview } from "../../lib/quality/description-review.ts";
import { sampleDescriptions } from "../../lib/quality/description-sample.ts";
import { loadLabels } from "../../lib/quality/labels.ts";
import { readRuns } from "../../lib/run/run-store.ts";
import { writeRunParquet } from "../../lib/analysis/run-frame.ts";
import { sampleRecords } from "../../scripts/make-sample-records.ts";
import type { ResultRecord } from "../../lib/contract/record.ts";

const labels = await loadLabels();

/** The sample run three times over (repeats with later dates and other texts), as one run. */
async function repeatedRun(): Promise<{ out: string; records: ResultRecord[] }> {
  const out = await Deno.makeTempDir({ prefix: "visionbench-sample-" });
  const records = [0, 1, 2].flatMap((round) =>
    sampleRecords().map((record) => ({
      ...record,
      recordId: `${record.recordId}-${round}`,
      caseKey: `${record.caseKey}|${round}`,
      createdAt: new Date(Date.parse(record.createdAt) + round * 86_400_000).toISOString(),
      text: record.status === "ok" ? `${record.text} Round ${round}.` : record.text,
    }))
  );
  await Deno.writeTextFile(
    `${out}/repeated.jsonl`,
    records.map((record) => JSON.stringify(record) + "\n").join(""),
  );
  return { out, records };
}

Deno.test("sampleDescriptions() gives the browser the same content as every record, from JSONL and Parquet", async () => {
  const { out } = await repeatedRun();
  try {
    const all = (await readRuns(out)).records;
    const expected = buildDescriptionReview(all, labels);
    const fromLines = await sampleDescriptions(out, { from: "jsonl" });
    assert.deepEqual(buildDescriptionReview(fromLines.records, labels), expected);
    await writeRunParquet(`${out}/repeated.jsonl`);
    const fromParquet = await sampleDescriptions(out, { from: "parquet" });
    assert.deepEqual(buildDescriptionReview(fromParquet.records, labels), expected);
    // One record per image × platform · model × size × prompt, not one per repeat.
    assert.equal(fromLines.records.length, fromLines.repeats.length);
    assert.equal(fromLines.total, all.length);
    assert.equal(fromLines.repeats.reduce((sum, cell) => sum + cell.records, 0), all.length);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("sampleDescriptions() keeps rated records and only the images asked for", async () => {
  const { out, records } = await repeatedRun();
  try {
    const old = records.find((record) => record.status === "ok" && record.recordId.endsWith("-0"))!;
    const sample = await sampleDescriptions(out, {
      imageIds: [old.imageId],
      ratings: [{ recordId: old.recordId, rating: 7, ratedAt: "2026-12-01T00:00:00Z" } as never],
    });
    assert.ok(sample.records.some((record) => record.recordId === old.recordId));
    assert.ok(sample.records.every((record) => record.imageId === old.imageId));
    assert.equal(sample.records.length, sample.repeats.length + 1);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
