/**
 * Issue 9, finding 11: a Replicate prediction still running when its call times out is
 * cancelled before the runner moves on — so a CLI that exits right after does not leave it
 * running (and billing).
 */
import assert from "node:assert/strict";
import { createReplicate } from "../../adapters/replicate.ts";
import { withTimeout } from "../../lib/run/timeout.ts";
import { startReplicateEmulator } from "../../emulators/replicate.ts";
import { describeRequests } from "../support/describe-request.ts";
import { samplePayload } from "../support/sample-image.ts";

const TOKEN = "r8_cleanup-test-token-0123456789";

Deno.test("a timed-out Replicate call has sent its cancel by the time withTimeout returns", async () => {
  // Predictions take 5 s; `Prefer: wait` gives up after 50 ms, so the adapter is polling when
  // the 300 ms deadline hits.
  const emulator = startReplicateEmulator({ token: TOKEN, predictMs: 5000, maxWaitMs: 50 });
  try {
    const adapter = createReplicate({
      apiKey: TOKEN,
      baseUrl: `${emulator.url}/v1`,
      model: "lucataco/moondream2",
      pollIntervalMs: 20,
    });
    const request = describeRequests(await samplePayload("o01_cat.png", "256"))();
    await assert.rejects(
      withTimeout((signal) => adapter.describe(request, { signal }), { timeoutMs: 300 }),
      (error: Error & { kind?: string }) => error.kind === "timeout",
    );
    const cancels = emulator.requests.filter((seen) => seen.path.endsWith("/cancel"));
    assert.equal(cancels.length, 1, "the cancel went out before the call was given up");
  } finally {
    await emulator.close();
  }
});
