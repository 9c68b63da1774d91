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

/** A batch service whose one batch runs until its third status request. */
function standIn(): BatchAdapter & { polledAt: number[] } {
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
      return Promise.resolve(job(polledAt.length >= 3 ? "ended" : "running"));
    },
    results: () =>
      Promise.resolve({
        items: items.map((customId) => ({
          customId,
          ok: true as const,
          description: { text: "a cat", finishReason: "stop" as const, usage: {} },
        })),
        problems: [],
      }),
    cancel: () => Promise.resolve(job("cancelling")),
  };
}

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
