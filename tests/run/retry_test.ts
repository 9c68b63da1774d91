import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { VisionBenchError } from "../../lib/contract/errors.ts";
import { backoffDelay, retry, type RetryInfo } from "../../lib/run/retry.ts";
import { withTimeout } from "../../lib/run/timeout.ts";

function installClock() {
  return FakeTimers.withGlobal(globalThis).install({ toFake: ["setTimeout", "clearTimeout"] });
}

/** fn that fails with `errors` in order, then answers "ok"; records when each attempt started. */
function scripted(errors: Error[], clock: { now: number }) {
  const startedAt: number[] = [];
  const fn = (attempt: number) => {
    startedAt.push(clock.now);
    assert.equal(attempt, startedAt.length);
    const error = errors[attempt - 1];
    return error ? Promise.reject(error) : Promise.resolve("ok");
  };
  return { fn, startedAt };
}

Deno.test("retry() backs off exponentially: each wait is within [0, base·2^(n-1)]", async () => {
  const clock = installClock();
  try {
    const failures = Array.from({ length: 4 }, () => new VisionBenchError("server", "500"));
    const { fn, startedAt } = scripted(failures, clock);
    const waits: RetryInfo[] = [];
    // random() just below 1 puts every wait at the top of its window: the growth is visible.
    const promise = retry(fn, {
      maxAttempts: 5,
      baseDelayMs: 100,
      maxDelayMs: 10_000,
      random: () => 0.999,
      onRetry: (info) => waits.push(info),
    });
    await clock.runAllAsync();
    assert.equal(await promise, "ok");
    assert.deepEqual(waits.map((w) => w.delayMs), [99, 199, 399, 799]);
    const gaps = startedAt.slice(1).map((t, i) => t - startedAt[i]);
    assert.deepEqual(gaps, [99, 199, 399, 799]);
  } finally {
    clock.uninstall();
  }
});

Deno.test("backoffDelay() full jitter stays within bounds and is capped by maxDelayMs", () => {
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let attempt = 1; attempt <= 10; attempt++) {
    const cap = Math.min(2000, 100 * 2 ** (attempt - 1));
    const delays = Array.from(
      { length: 200 },
      () => backoffDelay(attempt, undefined, { baseDelayMs: 100, maxDelayMs: 2000, random }),
    );
    assert.ok(delays.every((d) => d >= 0 && d <= cap), `attempt ${attempt} within [0, ${cap}]`);
    // Full jitter: the spread covers most of the window, not a fixed value.
    assert.ok(Math.max(...delays) - Math.min(...delays) > cap * 0.5);
  }
});

Deno.test("retry() waits exactly the Retry-After a platform names, even beyond maxDelayMs", async () => {
  const clock = installClock();
  try {
    // Gemini's recorded 429 asked for RetryInfo.retryDelay "34.4s": retrying at 30 s lands inside
    // the window the platform named (finding 7 of issue 9).
    const { fn, startedAt } = scripted([
      new VisionBenchError("rate_limit", "429", { status: 429, retryAfterMs: 5000 }),
      new VisionBenchError("rate_limit", "429", { status: 429, retryAfterMs: 34_400 }),
    ], clock);
    const promise = retry(fn, {
      maxAttempts: 3,
      baseDelayMs: 10,
      maxDelayMs: 30_000,
      random: () => 0,
    });
    await clock.runAllAsync();
    assert.equal(await promise, "ok");
    assert.equal(startedAt[1] - startedAt[0], 5000);
    assert.equal(startedAt[2] - startedAt[1], 34_400);
  } finally {
    clock.uninstall();
  }
});

Deno.test("retry() ends with a rate_limit error naming the wait when Retry-After exceeds maxRetryAfterMs", async () => {
  let calls = 0;
  const huge = new VisionBenchError("rate_limit", "openai: 429 slow down", {
    status: 429,
    retryAfterMs: 99_999_000,
    platform: "openai",
  });
  await assert.rejects(
    retry(() => {
      calls++;
      return Promise.reject(huge);
    }, { maxAttempts: 3, maxRetryAfterMs: 60_000 }),
    (error) => {
      assert.ok(error instanceof VisionBenchError);
      assert.equal(error.kind, "rate_limit");
      assert.equal(error.retryable, false);
      assert.equal(error.status, 429);
      assert.match(error.message, /asked to wait 99999 s \(longer than the maximum wait of 60 s\)/);
      return true;
    },
  );
  assert.equal(calls, 1, "no attempt inside the window, no slot held for a day");
});

Deno.test("retry() does not retry a non-retryable error and throws it unchanged", async () => {
  const auth = new VisionBenchError("auth", "401 bad key", { status: 401 });
  let calls = 0;
  await assert.rejects(
    retry(() => {
      calls++;
      return Promise.reject(auth);
    }, { maxAttempts: 5, baseDelayMs: 1 }),
    (error) => error === auth,
  );
  assert.equal(calls, 1);
  // Errors that are not VisionBenchErrors carry no retryable flag: not retried either.
  calls = 0;
  await assert.rejects(
    retry(() => {
      calls++;
      return Promise.reject(new TypeError("bug"));
    }, { maxAttempts: 5, baseDelayMs: 1 }),
    TypeError,
  );
  assert.equal(calls, 1);
});

Deno.test("retry() throws the last error after maxAttempts", async () => {
  let calls = 0;
  await assert.rejects(
    retry(() => Promise.reject(new VisionBenchError("server", `fail ${++calls}`)), {
      maxAttempts: 3,
      baseDelayMs: 1,
    }),
    /fail 3/,
  );
  assert.equal(calls, 3);
});

Deno.test("retry() stops waiting as soon as the signal aborts", async () => {
  const clock = installClock();
  try {
    const controller = new AbortController();
    let calls = 0;
    const promise = retry(() => {
      calls++;
      return Promise.reject(new VisionBenchError("overloaded", "503"));
    }, { maxAttempts: 5, baseDelayMs: 60_000, random: () => 0.5, signal: controller.signal });
    const outcome = promise.catch((error) => error);
    await clock.tickAsync(1000);
    controller.abort();
    const error = await outcome;
    assert.ok(error instanceof VisionBenchError);
    assert.equal(error.kind, "cancelled");
    assert.equal(clock.now, 1000, "no wait past the abort");
    assert.equal(calls, 1);
  } finally {
    clock.uninstall();
  }
});

Deno.test("withTimeout() turns a hung call into a retryable timeout error", async () => {
  const clock = installClock();
  try {
    let seen: AbortSignal | undefined;
    const promise = withTimeout((signal) => {
      seen = signal;
      return new Promise<never>(() => {}); // ignores its signal: must still be abandoned
    }, { timeoutMs: 2000, platform: "test" }).catch((error) => error);
    // The deadline, then the cleanup grace a call that ignores its signal is given.
    await clock.tickAsync(2000 + 3000);
    const error = await promise;
    assert.ok(error instanceof VisionBenchError);
    assert.equal(error.kind, "timeout");
    assert.equal(error.retryable, true);
    assert.equal(seen?.aborted, true, "the call's signal was aborted");
  } finally {
    clock.uninstall();
  }
});

Deno.test("withTimeout() waits for an aborted call's cleanup (a Replicate cancel) before it returns", async () => {
  const clock = installClock();
  try {
    let cleanedUp = false;
    const promise = withTimeout(
      (signal) =>
        new Promise<never>((_, reject) =>
          signal.addEventListener("abort", () => {
            // Cleanup that takes a while after the abort, like POST /predictions/{id}/cancel.
            setTimeout(() => {
              cleanedUp = true;
              reject(signal.reason);
            }, 400);
          })
        ),
      { timeoutMs: 1000, platform: "test" },
    ).then(() => "resolved", (error) => ({ error, cleanedUp }));
    await clock.tickAsync(1000 + 400);
    const outcome = await promise;
    assert.ok(typeof outcome === "object");
    assert.equal(outcome.error.kind, "timeout");
    assert.equal(outcome.cleanedUp, true, "the cleanup finished before withTimeout returned");
  } finally {
    clock.uninstall();
  }
});

Deno.test("withTimeout() reports a user cancel as cancelled, not retryable", async () => {
  const controller = new AbortController();
  const promise = withTimeout(
    (signal) =>
      new Promise<never>((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason))
      ),
    { timeoutMs: 60_000, signal: controller.signal },
  ).catch((error) => error);
  controller.abort();
  const error = await promise;
  assert.equal(error.kind, "cancelled");
  assert.equal(error.retryable, false);
});

Deno.test("withTimeout() calls share one listener on the run's signal: a cancel reaches every call in flight, and none that ended", async () => {
  const controller = new AbortController();
  let listeners = 0;
  const add = controller.signal.addEventListener.bind(controller.signal);
  controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
    listeners++;
    return add(...args);
  }) as typeof add;
  const hanging = () =>
    withTimeout(
      (signal) =>
        new Promise<never>((_, reject) => {
          if (signal.aborted) reject(signal.reason);
          signal.addEventListener("abort", () => reject(signal.reason));
        }),
      { timeoutMs: 60_000, signal: controller.signal },
    ).catch((error) => error);
  let finishedSignal: AbortSignal | undefined;
  const finished = await withTimeout((signal) => {
    finishedSignal = signal;
    return Promise.resolve("done");
  }, { timeoutMs: 60_000, signal: controller.signal });
  const inFlight = [hanging(), hanging(), hanging()];
  controller.abort();
  const errors = await Promise.all(inFlight);
  assert.equal(finished, "done");
  assert.deepEqual(errors.map((error) => error.kind), ["cancelled", "cancelled", "cancelled"]);
  assert.equal(
    finishedSignal?.aborted,
    false,
    "a call that had ended is not aborted by a later cancel",
  );
  assert.equal(listeners, 1, "four calls, one listener on the run's signal");
  // A call started after the cancel fails at once.
  assert.equal((await hanging()).kind, "cancelled");
});
