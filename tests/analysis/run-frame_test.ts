/**
 * Runs read as columns (Polars' JSON-lines reader and Parquet) give what the record path gives,
 * report bad lines by number without failing, and keep Parquet fresh beside the JSONL.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { recordsToFrame } from "../../lib/analysis/frames.ts";
import { loadRunFrame, SUMMARY_COLUMNS, writeRunParquet } from "../../lib/analysis/run-frame.ts";
import { summarize } from "../../lib/analysis/summary.ts";
import { readRuns } from "../../lib/run/run-store.ts";

const FIXTURE = new URL("../fixtures/records-sample.jsonl", import.meta.url);

/** The sample run, plus a case recorded twice (an error, then ok on resume). */
async function sampleRun(): Promise<{ dir: string; path: string; lines: string[] }> {
  const dir = await Deno.makeTempDir();
  const lines = (await Deno.readTextFile(FIXTURE)).trim().split("\n");
  const ok = JSON.parse(lines.find((line) => line.includes('"platform":"openai"'))!);
  const failed = {
    ...ok,
    recordId: "retried",
    status: "error",
    text: "",
    error: { kind: "timeout", message: "no answer within 60000 ms" },
  };
  // File order is time order: the error came first, the ok on resume must win.
  lines.unshift(JSON.stringify(failed));
  const path = join(dir, "sample-2026-11-20.jsonl");
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return { dir, path, lines };
}

function sorted(frame: pl.DataFrame): Record<string, unknown>[] {
  return frame.sort(["platform", "model", "variant", "promptId"]).toRecords();
}

Deno.test("JSONL through Polars, Parquet, and records give the same summary", async () => {
  const { dir, path } = await sampleRun();
  const { records } = await readRuns(dir);
  const expected = sorted(summarize(recordsToFrame(records)));

  const fromJsonl = await loadRunFrame(dir, { columns: SUMMARY_COLUMNS });
  assert.deepEqual(fromJsonl.sources, [{ path, from: "jsonl" }]);
  assert.deepEqual(fromJsonl.problems, []);
  assert.equal(fromJsonl.frame.height, records.length, "one row per case");
  assert.deepEqual(sorted(summarize(fromJsonl.frame)), expected);

  const written = await writeRunParquet(path);
  assert.ok(written.written);
  const fromParquet = await loadRunFrame(dir, { columns: SUMMARY_COLUMNS });
  assert.deepEqual(fromParquet.sources, [{ path: written.path, from: "parquet" }]);
  assert.deepEqual(sorted(summarize(fromParquet.frame)), expected);

  // Every column, not only the summary's: the same values as the record path.
  const full = await loadRunFrame(dir, { from: "jsonl" });
  const byRecord = (frame: pl.DataFrame) =>
    frame.drop("price", "structured", "warnings").sort("recordId").toRecords();
  assert.deepEqual(byRecord(full.frame), byRecord(recordsToFrame(records)));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Parquet keeps labels as categoricals, and two runs read from Parquet summarize like their JSONL", async () => {
  const { dir, path, lines } = await sampleRun();
  // A second run of the same platforms: its categoricals come from another file.
  const second = join(dir, "sample-2026-11-21.jsonl");
  await Deno.writeTextFile(
    second,
    lines.map((line) => {
      const record = JSON.parse(line);
      return JSON.stringify({
        ...record,
        runId: "sample-2026-11-21",
        recordId: `${record.recordId}-2`,
      });
    }).join("\n") + "\n",
  );
  const expected = sorted(summarize((await loadRunFrame(dir, { from: "jsonl" })).frame));
  await writeRunParquet(path);
  await writeRunParquet(second);
  const one = pl.readParquet(path.replace(/\.jsonl$/, ".parquet"));
  assert.ok(
    one.getColumn("platform").dtype.equals(pl.Categorical),
    "labels stored as categoricals",
  );
  const both = await loadRunFrame(dir, { columns: SUMMARY_COLUMNS, from: "parquet" });
  assert.equal(both.sources.length, 2);
  assert.ok(both.frame.getColumn("platform").dtype.equals(pl.String), "runs joined as strings");
  assert.deepEqual(sorted(summarize(both.frame)), expected);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("bad lines are reported with their line numbers and left out, never fatal", async () => {
  const { dir, path, lines } = await sampleRun();
  const good = lines.length;
  const noRunId = JSON.parse(lines[5]);
  delete noRunId.runId;
  const negative = { ...JSON.parse(lines[6]), caseKey: "negative", latencyMs: -5 };
  await Deno.writeTextFile(
    path,
    [
      lines[0],
      "", // blank lines are not problems, but they shift the numbering
      "this is not JSON",
      ...lines.slice(1),
      JSON.stringify(noRunId),
      JSON.stringify(negative),
      '{"runId":"sample-2026-11-20","recordId":"torn',
    ].join("\n"),
  );
  const { frame, problems } = await loadRunFrame(dir, { columns: SUMMARY_COLUMNS });
  assert.deepEqual(problems, [
    { path, line: 3, reason: "not JSON" },
    { path, line: good + 3, reason: "not a record: runId missing" },
    { path, line: good + 4, reason: "not a record: latencyMs negative" },
    { path, line: good + 5, reason: "not JSON (torn last line)" },
  ]);
  const { records } = await readRuns(dir);
  assert.equal(frame.height, records.length);

  // A file Polars can read but with a bad row: the row numbers still map to file lines.
  await Deno.writeTextFile(path, [lines[1], "", JSON.stringify(negative), lines[2]].join("\n"));
  const second = await loadRunFrame(dir, { columns: SUMMARY_COLUMNS });
  assert.deepEqual(second.problems, [
    { path, line: 3, reason: "not a record: latencyMs negative" },
  ]);
  assert.equal(second.frame.height, 2);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Parquet beside the JSONL is read while fresh and refreshed once the run grows", async () => {
  const { dir, path, lines } = await sampleRun();
  const first = await writeRunParquet(path);
  assert.ok(first.written);
  assert.equal((await writeRunParquet(path)).written, false, "fresh: not written again");

  const extra = { ...JSON.parse(lines[3]), recordId: "later", caseKey: "later-case" };
  await Deno.writeTextFile(path, JSON.stringify(extra) + "\n", { append: true });
  // Freshness compares modification times: date the Parquet file a second before the append,
  // as an older write is, instead of sleeping past the file system's clock resolution.
  const appended = (await Deno.stat(path)).mtime!;
  await Deno.utime(first.path, new Date(), new Date(appended.getTime() - 1_000));
  const stale = await loadRunFrame(dir, { columns: ["platform", "ok"] });
  assert.deepEqual(stale.sources, [{ path, from: "jsonl" }], "a stale Parquet is not read");
  assert.equal(stale.frame.height, lines.length);

  // refreshParquet rewrites the stale file once, then reads columns from it.
  const refreshed = await loadRunFrame(dir, { columns: ["platform", "ok"], refreshParquet: true });
  assert.deepEqual(refreshed.sources, [{ path: first.path, from: "parquet" }]);
  assert.equal(refreshed.frame.height, lines.length);
  assert.equal((await writeRunParquet(path)).written, false, "refreshed: fresh again");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("an empty folder gives an empty frame with the columns asked for", async () => {
  const dir = await Deno.makeTempDir();
  const { frame, problems } = await loadRunFrame(dir, { columns: SUMMARY_COLUMNS });
  assert.equal(frame.height, 0);
  assert.deepEqual(frame.columns, [...SUMMARY_COLUMNS]);
  assert.deepEqual(problems, []);
  await Deno.remove(dir);
});
