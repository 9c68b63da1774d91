import assert from "node:assert/strict";
import { wait } from "../../lib/util/wait.ts";

Deno.test("wait() resolves true when the whole wait passed", async () => {
  const started = performance.now();
  assert.equal(await wait(20), true);
  assert.ok(performance.now() - started >= 15);
  assert.equal(await wait(0), true);
});

Deno.test("wait() resolves false at once when the signal aborts, leaving no timer behind", async () => {
  // Deno's sanitizer fails this test if a timer or listener outlives it.
  const controller = new AbortController();
  const started = performance.now();
  const waiting = wait(60_000, controller.signal);
  setTimeout(() => controller.abort(), 10);
  assert.equal(await waiting, false);
  assert.ok(performance.now() - started < 5_000);
  assert.equal(await wait(1_000, controller.signal), false, "already aborted");
});
