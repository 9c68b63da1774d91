/**
 * Batch mode through the whole stack for OpenAI, Anthropic and Gemini: `runBenchmark` with
 * `mode: "batch"`, the official SDKs, the batch emulators (whose limits are the adapters' limits,
 * so an oversized batch would be refused as the platforms refuse it), the real run store.
 */
import assert from "node:assert/strict";
import { runBenchmark } from "../../lib/app/bench.ts";
import { computeCost, loadPriceCards, recomputeCost } from "../../lib/price/cost.ts";
import { readBatchManifest } from "../../lib/run/batch/manifest.ts";
import { readRun } from "../../lib/run/run-store.ts";
import type { ResultRecord } from "../../lib/contract/record.ts";
import { BATCH_PRESETS, startBatchFleet } from "../support/batch-fleet.ts";

const FAST_POLL = { pollIntervalMs: 5, maxPollIntervalMs: 20 };
const cards = await loadPriceCards();
// One results folder for the module: the prepared image variants are shared between tests.
const outDir = await Deno.makeTempDir({ prefix: "vb-batch-" });

function usageOf(record: ResultRecord) {
  return {
    inputTokens: record.inputTokens,
    outputTokens: record.outputTokens,
    imageTokens: record.imageTokens,
    reasoningTokens: record.reasoningTokens,
  };
}

function countByCase(records: ResultRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of records) counts.set(record.caseKey, (counts.get(record.caseKey) ?? 0) + 1);
  return counts;
}

Deno.test("33 images × 2 sizes in batch mode: 66 ok rows per platform at exactly half the live price", async () => {
  const fleet = startBatchFleet({ queuedMs: 2, runningMs: 5 });
  try {
    const result = await runBenchmark({
      platforms: [...BATCH_PRESETS],
      mode: "batch",
      outDir,
      variants: ["original", "512"],
      env: fleet.env,
      batch: FAST_POLL,
    });
    for (const preset of BATCH_PRESETS) {
      const rows = result.caseRecords.filter((record) => record.preset === preset);
      assert.equal(rows.length, 66, preset);
      assert.equal(rows.filter((record) => record.status === "ok").length, 66, preset);
      assert.equal(fleet.creations(preset), 1, `${preset}: one batch holds 66 cases`);
      const live = cards.get(`${preset}/${rows[0].model}`)!;
      for (const record of rows) {
        assert.equal(record.mode, "batch");
        assert.ok(record.batchId);
        assert.equal(record.latencyMs, undefined, "no per-call latency in batch rows");
        assert.ok(record.turnaroundMs !== undefined && record.turnaroundMs >= 0);
        assert.equal(record.price?.id, `${live.id}@batch`);
        assert.ok(record.inputTokens! > 0 && record.outputTokens! > 0);
        assert.equal(record.costUsd, recomputeCost(record).costUsd);
        assert.equal(record.costUsd, computeCost(live, { usage: usageOf(record) }).costUsd / 2);
      }
      // Same prompt and output limit as a live case: the platform saw the live request body.
      assert.ok(rows.every((record) => record.maxOutputTokens === 300));
    }
  } finally {
    await fleet.close();
  }
});

Deno.test("a case set larger than one batch's limit is split into several batches that complete into one run", async () => {
  const fleet = startBatchFleet({ queuedMs: 1, runningMs: 3, maxRequests: 4 });
  try {
    const runId = "2026-12-01T00-00-00-shrd";
    const result = await runBenchmark({
      platforms: [...BATCH_PRESETS],
      mode: "batch",
      runId,
      outDir,
      limit: 5,
      variants: ["256", "512"],
      env: fleet.env,
      // The adapters' limits match the emulators': a 5th request in a batch would be refused.
      batch: { ...FAST_POLL, limits: { maxRequests: 4 } },
    });
    const manifest = await readBatchManifest(outDir, runId);
    for (const preset of BATCH_PRESETS) {
      assert.equal(fleet.creations(preset), 3, `${preset}: 10 cases in batches of 4`);
      const shards = manifest.shards.filter((shard) => shard.preset === preset);
      assert.deepEqual(shards.map((shard) => shard.items.length), [4, 4, 2]);
      assert.ok(shards.every((shard) => shard.state === "collected"));
      const rows = result.caseRecords.filter((record) => record.preset === preset);
      assert.equal(rows.length, 10);
      assert.ok(rows.every((record) => record.status === "ok"), preset);
      assert.equal(new Set(rows.map((record) => record.batchId)).size, 3);
    }
    // A byte limit splits too: about two items' worth per batch.
    const bytesRun = "2026-12-01T00-00-00-byte";
    const before = Object.fromEntries(
      BATCH_PRESETS.map((preset) => [preset, fleet.creations(preset)]),
    );
    await runBenchmark({
      platforms: ["openai"],
      mode: "batch",
      runId: bytesRun,
      outDir,
      limit: 3,
      variants: ["256"],
      env: fleet.env,
      batch: { ...FAST_POLL, limits: { maxBytes: 30_000 } },
    });
    const split = (await readBatchManifest(outDir, bytesRun)).shards;
    assert.ok(split.length >= 2, `3 small images over a 30 kB limit: ${split.length} batches`);
    assert.equal(fleet.creations("openai") - before.openai, split.length);
  } finally {
    await fleet.close();
  }
});

Deno.test("failed, expired and cancelled items are error rows with kinds; malformed lines and unknown ids are reported", async () => {
  const fleet = startBatchFleet({
    queuedMs: 1,
    runningMs: 3,
    maxRequests: 4,
    failEvery: 3,
    expireBatches: [1],
    malformedLine: true,
    unknownResult: true,
  });
  try {
    const runId = "2026-12-01T00-00-00-errs";
    const result = await runBenchmark({
      platforms: [...BATCH_PRESETS],
      mode: "batch",
      runId,
      outDir,
      limit: 4,
      variants: ["256", "512"],
      env: fleet.env,
      batch: { ...FAST_POLL, limits: { maxRequests: 4 } },
    });
    for (const preset of BATCH_PRESETS) {
      const rows = result.caseRecords.filter((record) => record.preset === preset);
      assert.equal(rows.length, 8, preset);
      const kinds = rows.filter((record) => record.status === "error").map((record) =>
        record.error!.kind
      );
      // Batch 1: items 3 fail. Batch 2 expires with 2 of 4 run (and its item 2 ok, none fail).
      assert.ok(kinds.includes("server"), `${preset}: a failed item is a server error (${kinds})`);
      // Gemini returns no responses for an expired batch; the others return what ran.
      assert.equal(
        kinds.filter((kind) => kind === "timeout").length,
        preset === "gemini" ? 4 : 2,
        `${preset}: expired (${kinds})`,
      );
      assert.ok(
        rows.filter((record) => record.error?.kind === "timeout")
          .every((record) => record.error?.code === "batch_expired"),
      );
      assert.ok(
        rows.filter((record) => record.status === "ok").every((record) => record.costUsd! > 0),
      );
      const unknown = result.batch!.unknownResults.filter((entry) =>
        rows.some((record) => record.batchId === entry.batchId)
      );
      assert.ok(unknown.some((entry) => entry.customId === "not-submitted-by-anyone"), preset);
    }
    // OpenAI and Anthropic results files carry one malformed line per batch; it is reported.
    assert.ok(result.batch!.problems.length >= 2, JSON.stringify(result.batch!.problems));
    // The run file holds every case once, and the rows are all readable.
    const stored = await readRun(result.path);
    assert.equal(stored.problems.length, 0);
    assert.ok([...countByCase(stored.records).values()].every((count) => count === 1));
  } finally {
    await fleet.close();
  }
});

Deno.test("--batch-status / --batch-cancel: the platforms' word on a run's batches, then cancelled rows when it is picked up", async () => {
  const { batchStatus, cancelBatches } = await import("../../lib/run/batch/batch-control.ts");
  const { batchAdaptersForRun } = await import("../../lib/app/batch-commands.ts");
  // Queued for no time: the platforms say "running" from the first status request on.
  const fleet = startBatchFleet({ queuedMs: 0, runningMs: 60_000 });
  try {
    const runId = "2026-12-01T00-00-00-cncl";
    const options = {
      platforms: [...BATCH_PRESETS],
      mode: "batch" as const,
      runId,
      outDir,
      limit: 2,
      variants: ["256"],
      env: fleet.env,
    };
    const submitted = await runBenchmark({ ...options, batch: { ...FAST_POLL, wait: false } });
    assert.equal(submitted.batch!.pending.length, 3);
    assert.equal(submitted.caseRecords.length, 0);
    // What the CLI does: batch adapters for the presets the manifest names, with this env's keys.
    const { adapters, skipped } = await batchAdaptersForRun({ runId, outDir, env: fleet.env });
    assert.deepEqual(skipped, []);
    const status = await batchStatus({ runId, outDir, adapters });
    assert.deepEqual(
      status.map((row) => row.rawStatus),
      ["in_progress", "in_progress", "JOB_STATE_RUNNING"],
    );
    const rows = await cancelBatches({ runId, outDir, adapters });
    assert.equal(rows.length, 3);
    assert.ok(rows.every((row) => row.error === undefined), JSON.stringify(rows));
    const collected = await runBenchmark({ ...options, batch: FAST_POLL });
    for (const preset of BATCH_PRESETS) {
      assert.equal(fleet.creations(preset), 1, `${preset}: picking up submits nothing new`);
      const mine = collected.caseRecords.filter((record) => record.preset === preset);
      assert.equal(mine.length, 2);
      assert.ok(
        mine.every((record) => record.error?.kind === "cancelled"),
        `${preset}: ${mine.map((record) => record.error?.kind)}`,
      );
    }
  } finally {
    await fleet.close();
  }
});

Deno.test("kill -9 right after submission: the re-run with the same run id submits nothing and records every case once", async () => {
  const fleet = startBatchFleet({ queuedMs: 1, runningMs: 60_000 });
  const runId = "2026-12-01T00-00-00-kill";
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../fixtures/kill-batch-run.ts", import.meta.url).pathname,
        runId,
        outDir,
      ],
      env: fleet.env,
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const submitted: string[] = [];
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of child.stdout) {
      buffered += decoder.decode(chunk);
      submitted.splice(
        0,
        submitted.length,
        ...buffered.split("\n").filter((line) => line.startsWith("submitted")),
      );
      if (submitted.length === 3) break;
    }
    child.kill("SIGKILL");
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL");
    assert.equal(submitted.length, 3, buffered);
    const manifest = await readBatchManifest(outDir, runId);
    assert.deepEqual(manifest.shards.map((shard) => shard.state), [
      "submitted",
      "submitted",
      "submitted",
    ]);

    // The batches finish while nobody is watching; the re-run only polls and collects.
    fleet.configure({ runningMs: 0 });
    const result = await runBenchmark({
      platforms: [...BATCH_PRESETS],
      mode: "batch",
      runId,
      outDir,
      limit: 3,
      variants: ["256"],
      env: fleet.env,
      batch: FAST_POLL,
    });
    assert.equal(result.batch!.submitted, 0);
    for (const preset of BATCH_PRESETS) assert.equal(fleet.creations(preset), 1, preset);
    const stored = await readRun(result.path);
    assert.equal(stored.records.length, 9);
    assert.ok(stored.records.every((record) => record.status === "ok"));
    assert.ok([...countByCase(stored.records).values()].every((count) => count === 1));
    assert.deepEqual(
      new Set(stored.records.map((record) => record.batchId)),
      new Set(submitted.map((line) => line.split(" ")[2])),
    );
  } finally {
    await fleet.close();
  }
});

Deno.test("CLI: Ctrl-C while batches run leaves them running and says how to resume, see or cancel them", async () => {
  const fleet = startBatchFleet({ queuedMs: 1, runningMs: 60_000 });
  const runId = "2026-12-01T00-00-00-sigi";
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../../lib/app/cli.ts", import.meta.url).pathname,
        "--mode=batch",
        "--platform=openai",
        "--limit=1",
        "--resize=256",
        "--batch-poll=1",
        `--run-id=${runId}`,
        `--out=${outDir}`,
      ],
      env: fleet.env,
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const decoder = new TextDecoder();
    let stderr = "";
    const reader = child.stderr.getReader();
    while (!stderr.includes("submitted openai batch")) {
      const { value, done } = await reader.read();
      if (done) break;
      stderr += decoder.decode(value);
    }
    child.kill("SIGINT");
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      stderr += decoder.decode(chunk.value);
    }
    const status = await child.status;
    assert.equal(status.code, 130, stderr);
    assert.match(stderr, /keep running on the platforms/);
    assert.match(stderr, new RegExp(`--batch-cancel --run-id ${runId}`));
    assert.ok(!stderr.includes(fleet.env.OPENAI_API_KEY), "the key never reaches the output");
    assert.equal(fleet.creations("openai"), 1);
    assert.equal(
      (await readBatchManifest(outDir, runId)).shards[0].state,
      "submitted",
      "the batch is still tracked",
    );
  } finally {
    await fleet.close();
  }
});

Deno.test("a batch over the platform's own limit is refused as the platform refuses it: error rows, the run goes on", async () => {
  // The emulators hold 2 requests per batch; the adapters believe the documented limits.
  const fleet = startBatchFleet({ queuedMs: 1, runningMs: 3, maxRequests: 2 });
  try {
    const result = await runBenchmark({
      platforms: [...BATCH_PRESETS],
      mode: "batch",
      runId: "2026-12-01T00-00-00-over",
      outDir,
      limit: 3,
      variants: ["256"],
      env: fleet.env,
      batch: FAST_POLL,
    });
    for (const preset of BATCH_PRESETS) {
      const rows = result.caseRecords.filter((record) => record.preset === preset);
      assert.equal(rows.length, 3, preset);
      assert.ok(
        rows.every((record) => record.status === "error" && record.error?.kind === "bad_request"),
        `${preset}: ${rows.map((record) => `${record.error?.kind} ${record.error?.message}`)}`,
      );
      assert.ok(rows.every((record) => record.mode === "batch"));
    }
  } finally {
    await fleet.close();
  }
});

Deno.test("a preset without a batch service is refused before anything is sent", async () => {
  const { VisionBenchError } = await import("../../lib/contract/errors.ts");
  await assert.rejects(
    () => runBenchmark({ platforms: ["local"], mode: "batch", outDir, limit: 1 }),
    (error: unknown) =>
      error instanceof VisionBenchError && error.kind === "unsupported" &&
      /local: no batch service/.test(error.message),
  );
});

Deno.test("quality unchanged: each batch item is the very request the live adapter sends", async () => {
  const fleet = startBatchFleet({ queuedMs: 1, runningMs: 2 });
  try {
    const common = {
      platforms: [...BATCH_PRESETS],
      outDir,
      limit: 1,
      variants: ["256"],
      env: fleet.env,
    };
    await runBenchmark({
      ...common,
      runId: "2026-12-01T00-00-00-qlive",
      cache: "bypass",
      stream: false,
    });
    await runBenchmark({
      ...common,
      runId: "2026-12-01T00-00-00-qbtch",
      mode: "batch",
      batch: FAST_POLL,
    });
    // The live emulators saw the live call first, then the batch item when the batch ran.
    for (const preset of BATCH_PRESETS) {
      const seen = fleet.emulators[preset].live.requests.filter((request) =>
        request.method === "POST"
      );
      assert.equal(seen.length, 2, preset);
      const [live, batch] = seen.map((request) => {
        const { stream: _stream, ...body } = request.body as Record<string, unknown>;
        return body;
      });
      assert.deepEqual(batch, live, preset);
    }
  } finally {
    await fleet.close();
  }
});

Deno.test("killed between the platform's acceptance and the manifest's record: every batch is found again (OpenAI, Gemini by label, Anthropic by its custom ids)", async () => {
  const { writeManifest } = await import("../../lib/run/batch/manifest.ts");
  const fleet = startBatchFleet({ queuedMs: 1, runningMs: 5 });
  try {
    const runId = "2026-12-01T00-00-00-lost";
    const options = {
      platforms: [...BATCH_PRESETS],
      mode: "batch" as const,
      runId,
      outDir,
      limit: 2,
      variants: ["256"],
      env: fleet.env,
    };
    await runBenchmark({ ...options, batch: { ...FAST_POLL, wait: false } });
    // What a kill -9 inside submit() leaves: the shard planned, the platform's id never written.
    const manifest = await readBatchManifest(outDir, runId);
    const accepted = new Map(manifest.shards.map((shard) => [shard.preset, shard.batchId]));
    for (const shard of manifest.shards) {
      shard.state = "planned";
      delete shard.batchId;
      delete shard.submittedAt;
    }
    await writeManifest(outDir, manifest);
    const problems: string[] = [];
    const result = await runBenchmark({
      ...options,
      batch: FAST_POLL,
      onBatchEvent: (event) => {
        if (event.type === "batch-problem") problems.push(event.message);
      },
    });
    for (const preset of BATCH_PRESETS) assert.equal(fleet.creations(preset), 1, preset);
    assert.deepEqual(problems, []);
    const stored = await readRun(result.path);
    assert.equal(stored.records.length, 6);
    assert.ok([...countByCase(stored.records).values()].every((count) => count === 1));
    for (const preset of BATCH_PRESETS) {
      assert.ok(
        stored.records.filter((record) => record.preset === preset)
          .every((record) => record.batchId === accepted.get(preset)),
        preset,
      );
    }
  } finally {
    await fleet.close();
  }
});

Deno.test("killed while writing a batch's results: the re-run writes only what is missing", async () => {
  const { writeManifest } = await import("../../lib/run/batch/manifest.ts");
  const fleet = startBatchFleet({ queuedMs: 1, runningMs: 2 });
  try {
    const runId = "2026-12-01T00-00-00-half";
    const options = {
      platforms: ["openai"],
      mode: "batch" as const,
      runId,
      outDir,
      limit: 3,
      variants: ["256"],
      env: fleet.env,
      batch: FAST_POLL,
    };
    const first = await runBenchmark(options);
    // As if the process died after two of the three rows and before the batch was marked done.
    const path = first.path;
    const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
    await Deno.writeTextFile(path, lines.slice(0, 2).join("\n") + "\n");
    const manifest = await readBatchManifest(outDir, runId);
    manifest.shards[0].state = "submitted";
    await writeManifest(outDir, manifest);

    const second = await runBenchmark(options);
    assert.equal(second.batch!.submitted, 0);
    assert.equal(fleet.creations("openai"), 1);
    assert.equal(second.records.length, 1, "only the missing row is written");
    const stored = await readRun(path);
    assert.equal(stored.records.length, 3);
    assert.ok([...countByCase(stored.records).values()].every((count) => count === 1));
  } finally {
    await fleet.close();
  }
});

Deno.test("batch mode: each unreadable image entry is its own error row, the good image still goes", async () => {
  const fleet = startBatchFleet({ queuedMs: 1, runningMs: 2 });
  const images = await Deno.makeTempDir({ prefix: "vb-batch-bad-" });
  try {
    await Deno.copyFile(new URL("../../images/o01_cat.png", import.meta.url), `${images}/good.png`);
    await Deno.writeTextFile(`${images}/a.jpg`, "not an image at all");
    await Deno.symlink(`${images}/missing.png`, `${images}/b.png`);
    const result = await runBenchmark({
      platforms: ["openai"],
      images,
      variants: ["256"],
      mode: "batch",
      batch: FAST_POLL,
      env: fleet.env,
      runId: "2026-12-01T00-00-00-badi",
      outDir,
    });
    const byImage = new Map(result.caseRecords.map((record) => [record.imageId, record]));
    assert.equal(byImage.get("good")?.status, "ok");
    const [a, b] = [byImage.get("a")!, byImage.get("b")!];
    assert.equal(a.status, "error");
    assert.equal(b.status, "error");
    assert.notEqual(a.error?.message, b.error?.message, "each entry keeps its own error");
  } finally {
    await fleet.close();
    await Deno.remove(images, { recursive: true });
  }
});

Deno.test("pointsAtLocalEndpoints() reads base URLs through the configuration, .env included", async () => {
  const { loadConfig } = await import("../../lib/platforms/config.ts");
  const { pointsAtLocalEndpoints } = await import("../../lib/app/batch-commands.ts");
  const envFile = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(envFile, "GEMINI_BASE_URL=http://127.0.0.1:4010\n");
    assert.equal(pointsAtLocalEndpoints(loadConfig({ env: {}, envFile })), true);
    assert.equal(
      pointsAtLocalEndpoints(
        loadConfig({ env: { OPENAI_BASE_URL: "https://api.openai.com/v1" }, envFile: "/dev/null" }),
      ),
      false,
    );
  } finally {
    await Deno.remove(envFile);
  }
});
