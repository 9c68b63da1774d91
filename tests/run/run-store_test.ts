import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { exportParquet } from "../../lib/analysis/parquet.ts";
import type { ResultRecord } from "../../lib/contract/record.ts";
import { addRating, DEFAULT_RATINGS_PATH } from "../../lib/quality/ratings.ts";
import {
  checkRecord,
  openRunStore,
  readRun,
  readRuns,
  unreadableField,
} from "../../lib/run/run-store.ts";
import { isVisionBenchError } from "../../lib/contract/errors.ts";

function record(overrides: Partial<ResultRecord> = {}): ResultRecord {
  return {
    runId: "run-a",
    recordId: crypto.randomUUID(),
    createdAt: new Date().toISOString(),
    caseKey: "case-1",
    platform: "openai",
    model: "gpt-4o-mini",
    preset: "openai",
    imageId: "o01_cat",
    imageSha256: "ab".repeat(32),
    variant: "512",
    width: 512,
    height: 384,
    bytes: 40_000,
    mimeType: "image/jpeg",
    promptId: "default",
    prompt: "Describe the image.",
    repeat: 0,
    maxOutputTokens: 300,
    status: "ok",
    text: "A cat on a sofa.",
    finishReason: "stop",
    latencyMs: 812.5,
    ttftMs: 301.25,
    inputTokens: 2890,
    outputTokens: 12,
    costUsd: 0.000441,
    costBasis: "tokens",
    price: {
      id: "openai/gpt-4o-mini",
      platform: "openai",
      model: "gpt-4o-mini",
      currency: "USD",
      asOf: "2026-11-01",
      source: "https://openai.com/api/pricing",
      basis: "tokens",
      inputPerMTok: 0.15,
      outputPerMTok: 0.6,
    },
    concurrency: 4,
    attempts: 1,
    cached: false,
    ...overrides,
  };
}

Deno.test("store appends one line per record and readRun() reads them back", async () => {
  const dir = await Deno.makeTempDir();
  const store = await openRunStore({ runId: "run-a", outDir: dir });
  const written = [
    record({ caseKey: "k1" }),
    record({
      caseKey: "k2",
      status: "error",
      text: "",
      error: { kind: "rate_limit", status: 429, message: "slow down" },
    }),
  ];
  for (const item of written) store.append(item);
  store.close();
  assert.equal(store.path, join(dir, "run-a.jsonl"));
  const text = await Deno.readTextFile(store.path);
  assert.equal(text.split("\n").length, 3);
  assert.ok(text.endsWith("\n"));
  const { records, problems } = await readRun(store.path);
  assert.deepEqual(problems, []);
  assert.deepEqual(records, written);
});

Deno.test("readRun() reports and skips a torn last line instead of throwing", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "run-a.jsonl");
  const good = JSON.stringify(record());
  await Deno.writeTextFile(path, `${good}\n${good.slice(0, 57)}`);
  const { records, problems } = await readRun(path);
  assert.equal(records.length, 1);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].line, 2);
  assert.match(problems[0].reason, /torn last line/);
});

Deno.test("readRun() reports a line that is JSON but not a record", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "run-a.jsonl");
  await Deno.writeTextFile(
    path,
    `${JSON.stringify({ runId: "x" })}\n${JSON.stringify(record())}\n`,
  );
  const { records, problems } = await readRun(path);
  assert.equal(records.length, 1);
  assert.equal(problems[0].line, 1);
  assert.match(problems[0].reason, /not a record/);
});

Deno.test("openRunStore() after a torn line starts a new line so the next record survives", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "run-a.jsonl");
  await Deno.writeTextFile(
    path,
    `${JSON.stringify(record({ caseKey: "k1" }))}\n{"runId":"run-a","rec`,
  );
  const store = await openRunStore({ runId: "run-a", outDir: dir });
  store.append(record({ caseKey: "k2" }));
  store.close();
  const { records, problems } = await readRun(path);
  assert.deepEqual(records.map((r) => r.caseKey), ["k1", "k2"]);
  assert.equal(problems.length, 1);
});

Deno.test("readRuns() keeps one record per (runId, caseKey), the latest ok first", async () => {
  const dir = await Deno.makeTempDir();
  const a = await openRunStore({ runId: "run-a", outDir: dir });
  const failed = {
    status: "error" as const,
    text: "",
    error: { kind: "server" as const, message: "500" },
  };
  a.append(record({ caseKey: "k1", ...failed, recordId: "a-k1-error" }));
  a.append(record({ caseKey: "k1", recordId: "a-k1-ok" }));
  a.append(record({ caseKey: "k2", recordId: "a-k2-ok" }));
  a.append(record({ caseKey: "k2", ...failed, recordId: "a-k2-error-after-ok" }));
  a.append(record({ caseKey: "k3", ...failed, recordId: "a-k3-error-1" }));
  a.append(record({ caseKey: "k3", ...failed, recordId: "a-k3-error-2" }));
  a.close();
  const b = await openRunStore({ runId: "run-b", outDir: dir });
  b.append(record({ runId: "run-b", caseKey: "k1", recordId: "b-k1-ok" }));
  b.close();
  await Deno.mkdir(join(dir, "cache"));
  await Deno.writeTextFile(join(dir, "cache", "ignored.jsonl"), "not read");

  const all = await readRuns(dir);
  assert.deepEqual(all.records.map((r) => r.recordId).sort(), [
    "a-k1-ok",
    "a-k2-ok",
    "a-k3-error-2",
    "b-k1-ok",
  ]);
  const onlyB = await readRuns(dir, { runIds: ["run-b"] });
  assert.deepEqual(onlyB.records.map((r) => r.recordId), ["b-k1-ok"]);
  await assert.rejects(readRuns(dir, { runIds: ["../etc"] }), /not file-safe/);
});

Deno.test("exportParquet() round-trips through pl.readParquet with nested fields flattened", async () => {
  const dir = await Deno.makeTempDir();
  const records = [
    record({
      caseKey: "k1",
      structured: { tags: ["cat", "sofa"] },
      timing: { serverMs: 700, coldStart: true },
    }),
    record({
      caseKey: "k2",
      status: "error",
      text: "",
      latencyMs: undefined,
      ttftMs: undefined,
      costUsd: undefined,
      costError: "usage not reported",
      error: { kind: "rate_limit", status: 429, code: "rate_limit_exceeded", message: "slow down" },
    }),
  ];
  const path = join(dir, "out", "runs.parquet");
  await exportParquet(records, path);
  const frame = pl.readParquet(path);
  // `frame.height` would be the "height" column (Polars proxies column names): use shape.
  assert.equal(frame.shape.height, 2);
  const rows = frame.toRecords();
  assert.equal(rows[0].caseKey, "k1");
  assert.equal(rows[0].latencyMs, 812.5);
  assert.equal(rows[0].priceId, "openai/gpt-4o-mini");
  assert.deepEqual(JSON.parse(rows[0].price as string), records[0].price);
  assert.deepEqual(JSON.parse(rows[0].structured as string), { tags: ["cat", "sofa"] });
  assert.equal(rows[0].timingServerMs, 700);
  assert.equal(rows[0].timingColdStart, true);
  assert.equal(rows[0].cached, false);
  assert.equal(rows[1].errorKind, "rate_limit");
  assert.equal(rows[1].errorStatus, 429);
  assert.equal(rows[1].errorCode, "rate_limit_exceeded");
  assert.equal(rows[1].latencyMs, null);
  assert.equal(rows[1].costUsd, null, "an unknown cost stays null, not 0");
  assert.equal(rows[1].costError, "usage not reported");
});

Deno.test("readRuns() sees the run files of the folder only: ratings and judge records live in subfolders", async () => {
  const dir = await Deno.makeTempDir();
  const store = await openRunStore({ outDir: dir, runId: "bench" });
  store.append(record({ caseKey: "k1" }));
  store.close();
  assert.match(DEFAULT_RATINGS_PATH, /results\/ratings\/ratings\.jsonl$/);
  await addRating({ record: record({ caseKey: "k1" }), rating: 7 }, {
    path: join(dir, "ratings", "ratings.jsonl"),
  });
  const { records, problems } = await readRuns(dir);
  assert.equal(records.length, 1);
  assert.deepEqual(problems, []);
});

Deno.test("append() refuses a record that would not read back, and unreadableField() names the field", async () => {
  const dir = await Deno.makeTempDir();
  const store = await openRunStore({ runId: "run-a", outDir: dir });
  const bad = [
    record({ caseKey: "negative", inputTokens: -5 }),
    record({ caseKey: "string", outputTokens: "12" as unknown as number }),
    record({ caseKey: "infinite", costUsd: Infinity }),
    record({ caseKey: "timing", timing: { serverMs: -1340 } }),
  ];
  assert.deepEqual(bad.map(unreadableField), [
    { field: "inputTokens", problem: "Too small: expected number to be >=0", value: "-5" },
    {
      field: "outputTokens",
      problem: "Invalid input: expected number, received string",
      value: '"12"',
    },
    // JSON writes Infinity as null: the line would hold null, so that is what is named.
    {
      field: "costUsd",
      problem: "Invalid input: expected number, received null",
      value: "null",
    },
    { field: "timing.serverMs", problem: "Too small: expected number to be >=0", value: "-1340" },
  ]);
  for (const item of bad) {
    assert.throws(
      () => store.append(item),
      /record not written: (inputTokens|outputTokens|costUsd|timing)/,
    );
  }
  store.append(record({ caseKey: "good" }));
  store.close();
  assert.equal(unreadableField(record()), undefined);
  const { records, problems } = await readRun(store.path);
  assert.deepEqual(problems, []);
  assert.deepEqual(records.map((r) => r.caseKey), ["good"]);
});

Deno.test("append() writes the lines of one turn together, before any timer or I/O callback runs", async () => {
  const dir = await Deno.makeTempDir();
  const store = await openRunStore({ runId: "run-a", outDir: dir });
  store.append(record({ caseKey: "k1" }));
  store.append(checkRecord(record({ caseKey: "k2" })).checked!);
  // The next macrotask already sees both lines, without close().
  const seen = await new Promise<string>((resolve) =>
    setTimeout(() => resolve(Deno.readTextFileSync(store.path)), 0)
  );
  assert.deepEqual(seen.trim().split("\n").map((line) => JSON.parse(line).caseKey), ["k1", "k2"]);
  store.close();
});

Deno.test("a run file that cannot be written stops the run at the next append, naming the file", async () => {
  const dir = await Deno.makeTempDir();
  // Every write to /dev/full fails with ENOSPC, as a full disk does.
  await Deno.symlink("/dev/full", join(dir, "run-a.jsonl"));
  const store = await openRunStore({ runId: "run-a", outDir: dir });
  store.append(record({ caseKey: "k1" }));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.throws(
    () => store.append(record({ caseKey: "k2" })),
    (error) => isVisionBenchError(error, "config") && error.message.includes("run-a.jsonl"),
  );
  assert.throws(() => store.close(), (error) => isVisionBenchError(error, "config"));
});
