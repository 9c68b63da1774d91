/**
 * The batch runner's polling against a platform stand-in on fake time (the whole stack against
 * the batch emulators is tests/app/batch-mode_test.ts).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import FakeTimers from "@sinonjs/fake-timers";
import type { BatchAdapter, BatchJob } from "../../lib/contract/batch-adapter.ts";
import { loadImageSet } from "../../lib/images/image-set.ts";
import { runBatchCases } from "../../lib/run/batch/batch-runner.ts";
import { SAMPLE_IMAGES } from "../support/sample-image.ts";
import { ScriptedAdapter } from "../fixtures/scripted-adapter.ts";
import { parseBenchArgs } from "../../lib/app/cli.ts";

/** A batch service whose one batch runs until its third status request. */
function standIn(endAtPoll = 3): BatchAdapter & { polledAt: number[] } {
  let items: string[] = [];
  const polledAt: number[] = [];
  const job = (state: BatchJob["state"]): BatchJob => ({
    id: "batch-1",
    state,
    rawStatus: state === "ended" ? "completed" : "in_progress",
    ...(state === "ended" ? { outcome: "completed" } : {}),
  });
  return {
    id: "scripted",
    model: "scripted-1",
    limits: { maxRequests: 100, maxBytes: 1e9 },
    polledAt,
    itemBytes: () => 1,
    submit(batchItems) {
      items = batchItems.map((item) => item.customId);
      return Promise.resolve(job("running"));
    },
    status() {
      polledAt.push(performance.now());
      return Promise.resolve(job(polledAt.length >= endAtPoll ? "ended" : "running"));
    },
    async *results() {
      yield items.map((customId) => ({
        customId,
        ok: true as const,
        description: { text: "a cat", finishReason: "stop" as const, usage: {} },
      }));
    },
    cancel: () => Promise.resolve(job("cancelling")),
  };
}

/** Runs one case through `batch` on fake time with the CLI's poll options for `args`. */
async function runOnFakeTime(batch: BatchAdapter, args: string[]) {
  const dir = await Deno.makeTempDir();
  await Deno.copyFile(join(SAMPLE_IMAGES, "o01_cat.png"), join(dir, "o01_cat.png"));
  const parsed = parseBenchArgs(["--mode", "batch", ...args]).batch!;
  const clock = FakeTimers.withGlobal(globalThis).install({
    toFake: ["setTimeout", "clearTimeout", "performance"],
  });
  try {
    let settled = false;
    const running = runBatchCases({
      runId: "poll",
      outDir: dir,
      targets: [{ preset: "scripted", adapter: new ScriptedAdapter(), concurrency: 1, batch }],
      images: await loadImageSet(dir),
      variants: ["64"],
      prompts: [{ id: "default", text: "Describe the image." }],
      // What lib/app/bench.ts passes.
      poll: { intervalMs: parsed.pollIntervalMs, maxIntervalMs: parsed.maxPollIntervalMs },
    }).finally(() => settled = true);
    while (!settled) await clock.tickAsync(1_000);
    return await running;
  } finally {
    clock.uninstall();
  }
}

Deno.test("default flags: at most 2 status polls in a batch's first 60 s; --batch-poll 2: every wait at least 2 s", async () => {
  const slow = standIn(6);
  await runOnFakeTime(slow, []);
  const start = slow.polledAt[0];
  assert.ok(slow.polledAt.filter((at) => at - start < 60_000).length <= 2, String(slow.polledAt));
  const quick = standIn(8);
  await runOnFakeTime(quick, ["--batch-poll", "2"]);
  const gaps = quick.polledAt.slice(1).map((at, index) => at - quick.polledAt[index]);
  assert.equal(gaps.length, 7);
  assert.ok(gaps.every((gap) => gap >= 2_000), String(gaps));
  assert.throws(
    () => parseBenchArgs(["--mode", "batch", "--batch-poll", "0.5"]),
    /--batch-poll must be a number ≥ 1/,
  );
});

Deno.test("runBatchCases() polls every 30 s, growing ×1.5, when no interval is given (undefined too)", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.copyFile(join(SAMPLE_IMAGES, "o01_cat.png"), join(dir, "o01_cat.png"));
  const batch = standIn();
  const clock = FakeTimers.withGlobal(globalThis).install({
    toFake: ["setTimeout", "clearTimeout", "performance"],
  });
  try {
    let settled = false;
    const running = runBatchCases({
      runId: "poll-default",
      outDir: dir,
      targets: [{ preset: "scripted", adapter: new ScriptedAdapter(), concurrency: 1, batch }],
      images: await loadImageSet(dir),
      variants: ["64"],
      prompts: [{ id: "default", text: "Describe the image." }],
      // What the CLI passes without --batch-poll.
      poll: { intervalMs: undefined, maxIntervalMs: undefined },
    }).finally(() => settled = true);
    while (!settled) await clock.tickAsync(1_000);
    const result = await running;
    assert.equal(result.records.length, 1);
    assert.equal(result.records[0].status, "ok");
    const gaps = batch.polledAt.slice(1).map((at, index) => at - batch.polledAt[index]);
    assert.deepEqual(gaps, [30_000, 45_000]);
  } finally {
    clock.uninstall();
  }
});
