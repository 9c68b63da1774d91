import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { wait } from "../../lib/util/wait.ts";

function installClock() {
  return FakeTimers.withGlobal(globalThis).install({ toFake: ["setTimeout", "clearTimeout"] });
}

/** Whether `promise` has settled, read after the microtasks queued so far ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true, () => done = true);
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

Deno.test("wait() resolves true when the whole wait passed, not a millisecond before", async () => {
  const clock = installClock();
  try {
    const waiting = wait(20);
    await clock.tickAsync(19);
    assert.equal(await settled(waiting), false, "still waiting at 19 ms");
    await clock.tickAsync(1);
    assert.equal(await waiting, true);
    assert.equal(clock.countTimers(), 0);
    assert.equal(await wait(0), true, "no wait at all resolves at once");
  } finally {
    clock.uninstall();
  }
});

Deno.test("wait() resolves false at once when the signal aborts, leaving no timer behind", async () => {
  // Deno's sanitizer also fails this test if a listener outlives it.
  const clock = installClock();
  try {
    const controller = new AbortController();
    const waiting = wait(60_000, controller.signal);
    await clock.tickAsync(10);
    assert.equal(clock.countTimers(), 1);
    controller.abort();
    assert.equal(await waiting, false);
    assert.equal(clock.now, 10, "no time passed after the abort");
    assert.equal(clock.countTimers(), 0, "the timer was cleared");
    assert.equal(await wait(1_000, controller.signal), false, "already aborted");
  } finally {
    clock.uninstall();
  }
});
