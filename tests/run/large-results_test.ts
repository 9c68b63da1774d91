/**
 * Issue 20, "any size collects": a batch results file over the 16 MiB whole-response cap is
 * streamed line by line into the run file, every case once. (300 MB: scripts/measure-batch-collect.ts.)
 */
import assert from "node:assert/strict";
import { readRun } from "../../lib/run/run-store.ts";
import {
  collectLargeBatch,
  largeRunPath,
  resultsFileBytes,
} from "../../scripts/large-batch-results.ts";

Deno.test("a 20 MiB batch results file collects completely: one ok row per case", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "vb-large-" });
  // Long answers (10,000 characters): the size, not the number of cases, is what is tested here
  // (scripts/measure-batch-collect.ts measures 50,000 cases in 300 MB).
  const text = "A long description, fifty characters in each part. ".repeat(200);
  const cases = 2_200;
  assert.ok(resultsFileBytes(cases, text) > 20 * 1024 * 1024, "over 20 MiB");
  const result = await collectLargeBatch({ cases, text, outDir });
  assert.equal(result.written, cases);
  assert.equal(result.errors, 0);
  assert.deepEqual(result.problems, []);
  const { records, problems } = await readRun(largeRunPath(outDir));
  assert.deepEqual(problems, []);
  assert.equal(records.length, cases);
  assert.equal(new Set(records.map((record) => record.caseKey)).size, cases);
  assert.ok(records.every((record) => record.status === "ok" && record.text === text));
});
