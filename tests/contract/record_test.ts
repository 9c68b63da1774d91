import assert from "node:assert/strict";
import { isValidRecord } from "../../lib/contract/record.ts";
import { resultRecord } from "../support/result-record.ts";

Deno.test("isValidRecord() accepts a record and rejects what would not read back", () => {
  const record = resultRecord({ inputTokens: 8509, timing: { serverMs: 2 } });
  assert.equal(isValidRecord(record), true);
  for (
    const wrong of [
      { inputTokens: -5 },
      { latencyMs: Infinity },
      { timing: { serverMs: NaN } },
      { warnings: [undefined] },
      { status: "maybe" },
    ]
  ) {
    assert.equal(isValidRecord({ ...record, ...wrong }), false, JSON.stringify(wrong));
  }
  assert.equal(isValidRecord(null), false);
});
