/**
 * The CLI's running tally gives the numbers of the Polars summary (summarize + qualitySummary)
 * of the same records, without holding them.
 */
import assert from "node:assert/strict";
import { recordsToFrame } from "../../lib/analysis/frames.ts";
import { summarize } from "../../lib/analysis/summary.ts";
import { createRunTally } from "../../lib/app/run-tally.ts";
import { type ResultRecord, ResultRecordSchema } from "../../lib/contract/record.ts";
import { loadLabels } from "../../lib/quality/labels.ts";
import { joinQuality, qualitySummary } from "../../lib/quality/quality-frame.ts";

const FIXTURE = new URL("../fixtures/records-sample.jsonl", import.meta.url);

Deno.test("createRunTally() rows equal the Polars summary with quality, group by group", async () => {
  const records: ResultRecord[] = (await Deno.readTextFile(FIXTURE)).trim().split("\n")
    .map((line) => ResultRecordSchema.parse(JSON.parse(line)));
  // The fixture has errors, cached rows, missing usage and unlabelled images: every branch.
  assert.ok(records.some((record) => record.cached) && records.some((r) => r.status === "error"));
  const labels = await loadLabels();
  for (
    const by of [["platform", "model", "variant"], [
      "platform",
      "model",
      "variant",
      "promptId",
    ]] as const
  ) {
    const tally = createRunTally({ by, labels });
    for (const record of records) tally.add(record);
    const frame = recordsToFrame(records);
    const expected = joinQuality(
      summarize(frame, { by: [...by] }),
      qualitySummary(frame, { labels, by: [...by] }),
      { by: [...by] },
    ).toRecords();
    const actual = tally.rows();
    assert.equal(actual.length, expected.length);
    assert.equal(tally.count, records.length);
    assert.equal(tally.cached, records.filter((record) => record.cached).length);
    for (const [index, row] of actual.entries()) {
      const want = expected[index];
      for (const [column, value] of Object.entries(row)) {
        const other = want[column];
        if (typeof value === "number" && typeof other === "number") {
          assert.ok(
            Math.abs(value - other) <= 1e-9 * Math.max(1, Math.abs(other)),
            `${row.platform} ${column}: ${value} vs ${other}`,
          );
        } else {
          assert.deepEqual(value, other, `${row.platform} ${row.variant} ${column}`);
        }
      }
    }
  }
});
