/**
 * Faults through the whole stack, for every preset: the real runner, the real adapter and the
 * official SDK against the platform's emulator. Retryable faults are retried and end ok;
 * non-retryable ones end as an error record of the right kind; nothing already recorded is lost.
 */
import assert from "node:assert/strict";
import { runBenchmark } from "../../lib/app/bench.ts";
import { readRuns } from "../../lib/run/run-store.ts";
import { EMULATED_PRESETS, startAllEmulators } from "../../emulators/all.ts";

const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 50 };

for (const preset of EMULATED_PRESETS) {
  Deno.test(`${preset}: 429 and 5xx are retried, auth is not, and every case keeps one record`, async () => {
    const fleet = startAllEmulators({
      only: [preset],
      behaviour: { [preset]: { retryAfterSeconds: 0 } },
    });
    const emulator = fleet.emulators[preset];
    const outDir = await Deno.makeTempDir();
    try {
      // Concurrency 1 so the queued faults hit the cases in order: image 1 meets a 429 then a
      // 500 and succeeds on its third attempt; image 2 meets a 401 and is not retried.
      emulator.fail("rate_limit", "server_error");
      const first = await runBenchmark({
        platforms: [preset],
        env: fleet.env,
        limit: 1,
        variants: ["512"],
        concurrency: 1,
        retry: FAST_RETRY,
        outDir,
        runId: "faults",
        cache: "bypass",
      });
      assert.equal(first.records.length, 1);
      assert.equal(first.records[0].status, "ok", String(first.records[0].error?.message));
      assert.equal(first.records[0].attempts, 3);

      emulator.fail("auth");
      const second = await runBenchmark({
        platforms: [preset],
        env: fleet.env,
        limit: 2,
        variants: ["512"],
        concurrency: 1,
        retry: FAST_RETRY,
        outDir,
        runId: "faults",
        cache: "bypass",
      });
      // Resume: image 1 was ok, so only image 2 ran, and met the 401.
      assert.equal(second.skipped, 1);
      assert.equal(second.records.length, 1);
      const failed = second.records[0];
      assert.equal(failed.status, "error");
      assert.equal(failed.error?.kind, "auth");
      assert.equal(failed.attempts, 1);

      const { records } = await readRuns(outDir, { runIds: ["faults"] });
      assert.equal(records.length, 2);
      assert.deepEqual(records.map((record) => record.status).sort(), ["error", "ok"]);
    } finally {
      await fleet.close();
    }
  });
}
