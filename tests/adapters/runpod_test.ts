/**
 * The RunPod adapter (REST with fetch, and the OpenAI mode with the real `openai` SDK) against
 * the local RunPod emulator.
 */
import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { createRunPod, type RunPodSettings } from "../../adapters/runpod.ts";
import { VisionBenchError } from "../../lib/contract/errors.ts";
import { countWords, DEFAULT_TEXT } from "../../emulators/harness.ts";
import {
  EMULATOR_RUNPOD_KEY,
  type RunPodEmulator,
  type RunPodEmulatorOptions,
  startRunPodEmulator,
} from "../../emulators/runpod.ts";
import { adapterContract, EVERY_FAULT } from "../support/adapter-contract.ts";
import { DESCRIBE_PROMPT as PROMPT, describeRequests } from "../support/describe-request.ts";
import { withEmulator as withSession } from "../support/emulator-session.ts";
import { rejection } from "../support/rejection.ts";
import { samplePayload } from "../support/sample-image.ts";
import { waitFor } from "../support/wait-for.ts";

const ENDPOINT = "vb3moondream01";
const request = describeRequests(await samplePayload("v05_rehearsal_room.webp", "256"));

function withEmulator(
  body: (emulator: RunPodEmulator, adapter: ReturnType<typeof createRunPod>) => Promise<void>,
  options: { emulator?: RunPodEmulatorOptions; adapter?: RunPodSettings } = {},
): Promise<void> {
  return withSession({
    emulator: startRunPodEmulator({ endpointId: ENDPOINT, ...options.emulator }),
    adapterFor: (emulator) =>
      createRunPod({
        apiKey: EMULATOR_RUNPOD_KEY,
        endpointId: ENDPOINT,
        baseUrl: `${emulator.url}/v2`,
        model: "moondream2",
        pollIntervalMs: 10,
        ...options.adapter,
      }),
  }, body);
}

adapterContract("runpod", {
  start: (behaviour) => startRunPodEmulator({ endpointId: ENDPOINT, ...behaviour }),
  adapterFor: (emulator) =>
    createRunPod({
      apiKey: EMULATOR_RUNPOD_KEY,
      endpointId: ENDPOINT,
      baseUrl: `${emulator.url}/v2`,
      model: "moondream2",
      pollIntervalMs: 10,
    }),
  request,
  secret: EMULATOR_RUNPOD_KEY,
  platform: "runpod",
  streams: false,
  supports: EVERY_FAULT,
});

function failure(promise: Promise<unknown>): Promise<VisionBenchError> {
  return rejection(promise, { platform: "runpod", secrets: [EMULATOR_RUNPOD_KEY] });
}

Deno.test("runsync sends the Moondream input and maps output and worker timing", async () => {
  await withEmulator(async (emulator, adapter) => {
    let firstToken = false;
    const description = await adapter.describe(request({ temperature: 0 }), {
      onFirstToken: () => firstToken = true,
    });
    assert.ok(firstToken, "onFirstToken fires when the output arrives");
    assert.equal(adapter.billing, "gpu_seconds");
    assert.equal(description.text, DEFAULT_TEXT);
    assert.equal(description.finishReason, "stop");
    assert.equal(description.rawFinishReason, "COMPLETED");
    assert.deepEqual(description.usage, {});
    assert.deepEqual(description.timing, { gpuSeconds: 1.34, queueMs: 180, coldStart: false });

    assert.equal(emulator.requests.length, 1);
    const seen = emulator.requests[0];
    assert.equal(seen.method, "POST");
    assert.equal(seen.path, `/v2/${ENDPOINT}/runsync`);
    assert.equal(seen.headers.authorization, `Bearer ${EMULATOR_RUNPOD_KEY}`);
    const input = (seen.body as { input: Record<string, unknown> }).input;
    assert.equal(input.prompt, PROMPT);
    assert.equal(input.max_new_tokens, 300);
    assert.equal(input.temperature, 0);
    assert.ok(String(input.image).startsWith("data:image/jpeg;base64,/9j/"));
  });
});

Deno.test("runsync reads every output shape a worker may return", async () => {
  for (const outputShape of ["string", "text", "caption", "array"] as const) {
    await withEmulator(async (_emulator, adapter) => {
      const description = await adapter.describe(request());
      assert.equal(description.text, DEFAULT_TEXT, outputShape);
    }, { emulator: { outputShape } });
  }
});

Deno.test("run mode polls /status until COMPLETED, and flags a cold start from delayTime", async () => {
  await withEmulator(async (emulator, adapter) => {
    const description = await adapter.describe(request());
    assert.equal(description.text, DEFAULT_TEXT);
    assert.deepEqual(
      emulator.requests.map((seen) =>
        `${seen.method} ${seen.path.replace(/status\/.*/, "status")}`
      ),
      [
        `POST /v2/${ENDPOINT}/run`,
        `GET /v2/${ENDPOINT}/status`,
        `GET /v2/${ENDPOINT}/status`,
        `GET /v2/${ENDPOINT}/status`,
      ],
    );
    assert.deepEqual(description.timing, { gpuSeconds: 2.5, queueMs: 9500, coldStart: true });
  }, {
    emulator: { coldStartDelayMs: 9500, executionTimeMs: 2500 },
    adapter: { mode: "run" },
  });
});

Deno.test("a FAILED job is a server error carrying the worker's message, not retried (it was billed); TIMED_OUT is a timeout", async () => {
  await withEmulator(async (_emulator, adapter) => {
    const failed = await failure(adapter.describe(request()));
    assert.equal(failed.kind, "server");
    assert.equal(failed.code, "FAILED");
    assert.equal(failed.retryable, false);
    assert.match(failed.message, /CUDA out of memory/);
    const timedOut = await failure(adapter.describe(request()));
    assert.equal(timedOut.kind, "timeout");
    assert.equal(timedOut.retryable, true);
    const cancelled = await failure(adapter.describe(request()));
    assert.equal(cancelled.kind, "cancelled");
    assert.equal(cancelled.retryable, false);
  }, { emulator: { outcomes: ["FAILED", "TIMED_OUT", "CANCELLED"] }, adapter: { mode: "run" } });
});

Deno.test("runsync maps an unknown endpoint to not_found", async () => {
  await withEmulator(async (_emulator, adapter) => {
    const missing = await failure(adapter.describe(request()));
    assert.equal(missing.kind, "not_found");
  }, { adapter: { endpointId: "no-such-endpoint" } });
});

Deno.test("run mode stops polling when the signal aborts: timeout reason → timeout", async () => {
  // Fake timers hold the pauses between polls: the test lets three polls through, aborts while
  // the adapter waits (no status request on the wire), then checks nothing is left to poll.
  await withEmulator(async (emulator, adapter) => {
    const clock = FakeTimers.withGlobal(globalThis).install({
      toFake: ["setTimeout", "clearTimeout"],
    });
    try {
      const controller = new AbortController();
      let settled = false;
      const failing = failure(adapter.describe(request(), { signal: controller.signal }))
        .finally(() => settled = true);
      for (let poll = 1; poll <= 3; poll++) {
        await waitFor(() => clock.countTimers() === 1, { what: `the pause before poll ${poll}` });
        await clock.tickAsync(20);
      }
      await waitFor(() => clock.countTimers() === 1, { what: "the pause after poll 3" });
      assert.deepEqual(
        emulator.requests.map((seen) => seen.method),
        ["POST", "GET", "GET", "GET"],
        "the job, then one status request per pause",
      );
      controller.abort(new DOMException("the call timed out", "TimeoutError"));
      // Frozen time cannot end the call: only the abort can (else this fails after 30 s).
      await waitFor(() => settled, { what: "describe() to end on the abort" });
      const error = await failing;
      assert.equal(error.kind, "timeout");
      assert.equal(clock.countTimers(), 0, "no pause pending: nothing left to poll");
      await clock.tickAsync(1_000);
      assert.equal(emulator.requests.length, 4, "no polling after the abort");
    } finally {
      clock.uninstall();
    }
  }, { emulator: { pollsToComplete: 1000 }, adapter: { mode: "run", pollIntervalMs: 20 } });
});

Deno.test("openai mode talks to the worker's OpenAI-compatible route with the real SDK", async () => {
  await withEmulator(async (emulator, adapter) => {
    assert.equal(adapter.id, "runpod");
    assert.equal(adapter.billing, "gpu_seconds");
    const description = await adapter.describe(request({ stream: true }));
    assert.equal(description.text, DEFAULT_TEXT);
    assert.equal(description.usage.outputTokens, countWords(DEFAULT_TEXT));
    const seen = emulator.requests[0];
    assert.equal(seen.path, `/v2/${ENDPOINT}/openai/v1/chat/completions`);
    assert.equal(seen.headers.authorization, `Bearer ${EMULATOR_RUNPOD_KEY}`);
    const body = seen.body as Record<string, unknown>;
    assert.equal(body.model, "Qwen/Qwen2.5-VL-7B-Instruct");
    assert.equal(body.max_tokens, 300);

    emulator.fail("rate_limit");
    const limited = await failure(adapter.describe(request()));
    assert.equal(limited.kind, "rate_limit");
  }, { adapter: { mode: "openai", model: "Qwen/Qwen2.5-VL-7B-Instruct" } });
});

Deno.test("createRunPod() without an endpoint id is a config error", () => {
  assert.throws(
    () => createRunPod({ apiKey: EMULATOR_RUNPOD_KEY }),
    (error: unknown) => error instanceof VisionBenchError && error.kind === "config",
  );
});

Deno.test("a FAILED job with an object error reads as words, not [object Object]", async () => {
  await withEmulator(async (emulator, adapter) => {
    emulator.fail("object_error");
    const failed = await failure(adapter.describe(request()));
    assert.equal(failed.kind, "server");
    assert.equal(failed.retryable, false);
    assert.match(failed.message, /RunPod job failed: \{"error_type":"torch.OutOfMemoryError"/);
  });
});

Deno.test("the vLLM worker's token batches are read: text joined, usage from the last batch", async () => {
  await withEmulator(async (_emulator, adapter) => {
    const answer = await adapter.describe(request());
    assert.equal(answer.text, DEFAULT_TEXT);
    const words = DEFAULT_TEXT.match(/\S+\s*/g)!.length;
    assert.equal(answer.usage.outputTokens, words, "cumulative output of the last batch");
    assert.ok((answer.usage.inputTokens ?? 0) > 0, "input tokens reported");
    assert.ok(answer.timing?.gpuSeconds !== undefined);
  }, { emulator: { outputShape: "vllm" } });
});
