/**
 * Issue 20, exactly-once submission: the batch emulators create the batch and then lose the
 * answer (a 500, a call that never answers and is interrupted, an answer that cannot be read).
 * The platform must see each case submitted once, and every case is recorded once.
 */
import assert from "node:assert/strict";
import { runBenchmark } from "../../lib/app/bench.ts";
import { readBatchManifest } from "../../lib/run/batch/manifest.ts";
import { readRun } from "../../lib/run/run-store.ts";
import { BATCH_PRESETS, type BatchFleet, startBatchFleet } from "../support/batch-fleet.ts";
import { waitFor } from "../support/wait-for.ts";

const FAST_POLL = { pollIntervalMs: 5, maxPollIntervalMs: 20 };
const outDir = await Deno.makeTempDir({ prefix: "vb-once-" });

function options(fleet: BatchFleet, runId: string) {
  return {
    platforms: [...BATCH_PRESETS],
    mode: "batch" as const,
    runId,
    outDir,
    limit: 2,
    variants: ["64"],
    env: fleet.env,
    batch: FAST_POLL,
  };
}

/** Each case submitted to each platform once, and recorded once, ok. */
async function assertOnceEach(fleet: BatchFleet, path: string) {
  for (const preset of BATCH_PRESETS) assert.equal(fleet.creations(preset), 1, preset);
  const { records } = await readRun(path);
  assert.equal(records.length, 6, JSON.stringify(records.map((r) => r.error?.message)));
  assert.ok(records.every((record) => record.status === "ok"));
  assert.equal(new Set(records.map((record) => record.caseKey)).size, 6);
}

for (const fault of ["error", "unreadable"] as const) {
  Deno.test(`create answered ${fault === "error" ? "HTTP 500" : "unreadably"} after the batch was created: it is found and adopted, never submitted again`, async () => {
    const fleet = startBatchFleet({ queuedMs: 1, runningMs: 5, createFault: fault });
    try {
      const first = await runBenchmark(options(fleet, `once-${fault}`));
      // A second run on the same id (the resume) submits nothing either.
      const again = await runBenchmark(options(fleet, `once-${fault}`));
      assert.equal(again.batch!.submitted, 0);
      await assertOnceEach(fleet, first.path);
    } finally {
      await fleet.close();
    }
  });
}

Deno.test("Ctrl-C while the create call is in flight: the shard stays submitting, the resume adopts the batch", async () => {
  const fleet = startBatchFleet({ queuedMs: 1, runningMs: 5, createFault: "hang" });
  try {
    const controller = new AbortController();
    const running = runBenchmark({ ...options(fleet, "once-hang"), signal: controller.signal });
    // One create at a time: the first platform's batch is created, its answer never comes.
    await waitFor(() => fleet.creations("openai") === 1, { what: "the openai create call" });
    controller.abort();
    const stopped = await running;
    assert.equal(stopped.cancelled, true);
    const manifest = await readBatchManifest(outDir, "once-hang");
    assert.deepEqual(manifest.shards.map((shard) => [shard.preset, shard.state]), [
      ["openai", "submitting"],
    ]);
    assert.match(manifest.shards[0].label!, /^visionbench\/once-hang\/openai-/);
    fleet.configure({ createFault: "none" });
    const resumed = await runBenchmark(options(fleet, "once-hang"));
    assert.equal(resumed.batch!.submitted, 2, "anthropic and gemini; openai's was adopted");
    await assertOnceEach(fleet, resumed.path);
  } finally {
    await fleet.close();
  }
});

Deno.test("the create call hangs for every platform and each is interrupted: the resume adopts all three", async () => {
  const fleet = startBatchFleet({ queuedMs: 1, runningMs: 5, createFault: "hang" });
  try {
    for (const preset of BATCH_PRESETS) {
      const controller = new AbortController();
      const running = runBenchmark({
        ...options(fleet, "once-hang-all"),
        platforms: [preset],
        signal: controller.signal,
      });
      await waitFor(() => fleet.creations(preset) === 1, { what: `the ${preset} create call` });
      controller.abort();
      await running;
    }
    fleet.configure({ createFault: "none" });
    const resumed = await runBenchmark(options(fleet, "once-hang-all"));
    assert.equal(resumed.batch!.submitted, 0);
    await assertOnceEach(fleet, resumed.path);
  } finally {
    await fleet.close();
  }
});

Deno.test("--batch-cancel while a run is submitting refuses (the run holds the lock); the resume submits no case twice", async () => {
  const { cancelBatches, batchStatus } = await import("../../lib/run/batch/batch-control.ts");
  const { batchAdaptersForRun } = await import("../../lib/app/batch-commands.ts");
  const fleet = startBatchFleet({ queuedMs: 1, runningMs: 5 });
  fleet.emulators.anthropic.batch.createFault = "hang";
  try {
    const runId = "once-cancel";
    const controller = new AbortController();
    const running = runBenchmark({
      ...options(fleet, runId),
      platforms: ["anthropic"],
      signal: controller.signal,
    });
    await waitFor(() => fleet.creations("anthropic") === 1, { what: "the create call" });
    const { adapters } = await batchAdaptersForRun({ runId, outDir, env: fleet.env });
    await assert.rejects(
      cancelBatches({ runId, outDir, adapters }),
      /run "once-cancel" is in use by process/,
    );
    // Looking is allowed: it writes nothing.
    assert.equal((await batchStatus({ runId, outDir, adapters }))[0].state, "submitting");
    controller.abort();
    await running;
    fleet.configure({ createFault: "none" });
    const resumed = await runBenchmark({ ...options(fleet, runId), platforms: ["anthropic"] });
    assert.equal(fleet.creations("anthropic"), 1);
    const { records } = await readRun(resumed.path);
    assert.equal(records.length, 2);
    assert.ok(records.every((record) => record.status === "ok"));
  } finally {
    await fleet.close();
  }
});

Deno.test("--batch-status / --batch-cancel on a run id with no batches is a usage error naming it", async () => {
  const { cancelBatches, batchStatus } = await import("../../lib/run/batch/batch-control.ts");
  for (const command of [batchStatus, cancelBatches]) {
    await assert.rejects(
      command({ runId: "no-such-run", outDir, adapters: new Map() }),
      (error: Error & { kind?: string }) =>
        error.kind === "usage" && /no batch run "no-such-run"/.test(error.message),
    );
  }
});
