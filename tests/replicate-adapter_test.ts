import assert from "node:assert/strict";
import { z } from "zod";
import { createReplicate, type ReplicateSettings } from "../adapters/replicate.ts";
import type { DescribeRequest } from "../lib/adapter.ts";
import { VisionBenchError } from "../lib/errors.ts";
import { DEFAULT_TEXT } from "./emulators/harness.ts";
import { type ReplicateEmulatorOptions, startReplicateEmulator } from "./emulators/replicate.ts";

const bytes = await Deno.readFile("/work/shared/images/o01_cat.png");
const view = new DataView(bytes.buffer, bytes.byteOffset);
const image = {
  bytes,
  mimeType: "image/png" as const,
  width: view.getUint32(16),
  height: view.getUint32(20),
};
const TOKEN = "r8_fakeTestToken_9d2c4e7a1b";

function request(overrides: Partial<DescribeRequest> = {}): DescribeRequest {
  return {
    image,
    prompt: "Describe this image.",
    maxOutputTokens: 300,
    stream: false,
    ...overrides,
  };
}

function setup(options: ReplicateEmulatorOptions = {}, settings: ReplicateSettings = {}) {
  const emulator = startReplicateEmulator({ token: TOKEN, ...options });
  const adapter = createReplicate({
    apiKey: TOKEN,
    baseUrl: `${emulator.url}/v1`,
    pollIntervalMs: 20,
    ...settings,
  });
  return { emulator, adapter };
}

async function rejection(promise: Promise<unknown>): Promise<VisionBenchError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof VisionBenchError, `expected VisionBenchError, got ${error}`);
    return error;
  }
  assert.fail("expected a rejection");
}

Deno.test("describe() sends a data: URI and the prompt with Prefer: wait, joins output pieces, maps metrics", async () => {
  const { emulator, adapter } = setup({ queueMs: 20, predictMs: 40 });
  try {
    let firstToken = 0;
    const result = await adapter.describe(request(), { onFirstToken: () => firstToken++ });
    assert.equal(result.text, DEFAULT_TEXT);
    assert.equal(result.finishReason, "stop");
    assert.equal(result.rawFinishReason, "succeeded");
    assert.equal(firstToken, 1);
    assert.equal(result.timing?.gpuSeconds, 0.04);
    assert.equal(result.timing?.serverMs, 60);
    assert.equal(result.timing?.queueMs, 20);
    assert.equal(result.timing?.coldStart, false);
    assert.deepEqual(result.usage, { inputTokens: undefined, outputTokens: undefined });
    assert.equal(adapter.capabilities.streaming, false);
    assert.equal(adapter.billing, "gpu_seconds");

    assert.equal(emulator.requests.length, 1, "Prefer: wait answered without polling");
    const sent = emulator.requests[0];
    assert.equal(sent.path, "/v1/models/lucataco/moondream2/predictions");
    assert.equal(sent.headers.prefer, "wait");
    assert.equal(sent.headers.authorization, `Bearer ${TOKEN}`);
    const input = (sent.body as { input: { image: string; prompt: string } }).input;
    assert.equal(input.prompt, "Describe this image.");
    assert.ok(input.image.startsWith("data:image/png;base64,"));
    const decoded = Uint8Array.from(
      atob(input.image.slice("data:image/png;base64,".length)),
      (c) => c.charCodeAt(0),
    );
    assert.deepEqual(decoded, bytes);
    assert.ok(!emulator.requests.some((seen) => seen.path.startsWith("/v1/files")));
  } finally {
    await emulator.close();
  }
});

Deno.test("describe() polls GET /v1/predictions/{id} when Prefer: wait returns early, and flags a long queue as cold start", async () => {
  const { emulator, adapter } = setup({
    queueMs: 120,
    predictMs: 60,
    maxWaitMs: 10,
    outputAsString: true,
  }, {
    wait: 5,
    coldStartQueueMs: 100,
  });
  try {
    const result = await adapter.describe(request());
    assert.equal(result.text, DEFAULT_TEXT);
    assert.equal(emulator.requests[0].headers.prefer, "wait=5");
    const polls = emulator.requests.slice(1);
    assert.ok(polls.length >= 3, `polled ${polls.length} times`);
    assert.ok(
      polls.every((seen) => seen.method === "GET" && seen.path === "/v1/predictions/pred1"),
    );
    assert.equal(result.timing?.queueMs, 120);
    assert.equal(result.timing?.coldStart, true);
    assert.equal(result.timing?.gpuSeconds, 0.06);
  } finally {
    await emulator.close();
  }
});

Deno.test("describe() with a version uses POST /v1/predictions {version, input}", async () => {
  const { emulator, adapter } = setup({}, {
    version: "72ccb656353c348c1385df54b237eeb7bfa874bf11486cf0b9473e691b662d31",
  });
  try {
    await adapter.describe(request());
    const sent = emulator.requests[0];
    assert.equal(sent.path, "/v1/predictions");
    assert.equal((sent.body as { version: string }).version.length, 64);
  } finally {
    await emulator.close();
  }
});

Deno.test("describe() maps 429 to rate_limit with retryAfterMs and sends it once (SDK retries neutralized)", async () => {
  const { emulator, adapter } = setup({ retryAfterSeconds: 5 });
  try {
    emulator.fail("rate_limit");
    const error = await rejection(adapter.describe(request()));
    assert.equal(error.kind, "rate_limit");
    assert.equal(error.status, 429);
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfterMs, 5000);
    assert.match(error.message, /throttled/);
    assert.equal(emulator.requests.length, 1);
  } finally {
    await emulator.close();
  }
});

Deno.test("describe() maps HTTP faults and failed / canceled predictions to kinds", async () => {
  const { emulator, adapter } = setup();
  const cases = [
    { fault: "auth", kind: "auth", retryable: false, status: 401 },
    { fault: "server_error", kind: "server", retryable: true, status: 500 },
    { fault: "overloaded", kind: "overloaded", retryable: true, status: 503 },
    { fault: "malformed", kind: "invalid_response", retryable: false },
    { fault: "reset", kind: "network", retryable: true },
    { fault: "refusal", kind: "server", retryable: true },
  ] as const;
  try {
    for (const expected of cases) {
      const before = emulator.requests.length;
      emulator.fail(expected.fault);
      const error = await rejection(adapter.describe(request()));
      assert.equal(error.kind, expected.kind, expected.fault);
      assert.equal(error.retryable, expected.retryable, expected.fault);
      if ("status" in expected) assert.equal(error.status, expected.status, expected.fault);
      assert.equal(emulator.requests.length - before, 1, `${expected.fault}: one request`);
    }
    emulator.fail("refusal");
    assert.match(
      (await rejection(adapter.describe(request()))).message,
      /prediction failed: NSFW content detected/,
    );
  } finally {
    await emulator.close();
  }
});

Deno.test("describe() maps a 5xx during polling to server without SDK re-sends", async () => {
  const { emulator, adapter } = setup({ queueMs: 50, predictMs: 50, maxWaitMs: 5 });
  try {
    // The first request (the POST) gets no fault, the second (the first poll) a 500.
    emulator.behaviour.faults.push(undefined as never, "server_error");
    const error = await rejection(adapter.describe(request()));
    assert.equal(error.kind, "server");
    assert.deepEqual(emulator.requests.map((seen) => seen.method), ["POST", "GET"]);
  } finally {
    await emulator.close();
  }
});

Deno.test("describe() maps 404 model to not_found and 422 input to bad_request", async () => {
  const { emulator, adapter } = setup({}, { model: "someone/missing-model" });
  try {
    const missing = await rejection(adapter.describe(request()));
    assert.equal(missing.kind, "not_found");
    assert.equal(missing.status, 404);
    const valid = createReplicate({ apiKey: TOKEN, baseUrl: `${emulator.url}/v1` });
    const invalid = await rejection(valid.describe(request({ prompt: "" })));
    assert.equal(invalid.status, 422);
    assert.equal(invalid.kind, "bad_request");
  } finally {
    await emulator.close();
  }
});

Deno.test("describe() returns empty text, warns that structured output is unsupported", async () => {
  const { emulator, adapter } = setup();
  try {
    emulator.fail("empty");
    const result = await adapter.describe(
      request({ schema: { name: "scene", schema: z.object({ subject: z.string() }) } }),
    );
    assert.equal(result.text, "");
    assert.equal(result.structured, undefined);
    assert.deepEqual(result.warnings, [
      "structured output unsupported on replicate (lucataco/moondream2)",
    ]);
  } finally {
    await emulator.close();
  }
});

Deno.test("describe() aborted while polling cancels the prediction and reports timeout", async () => {
  const { emulator, adapter } = setup({ queueMs: 5000, maxWaitMs: 5 });
  try {
    const error = await rejection(
      adapter.describe(request(), { signal: AbortSignal.timeout(120) }),
    );
    assert.equal(error.kind, "timeout");
    assert.ok(
      emulator.requests.some((seen) =>
        seen.path === "/v1/predictions/pred1/cancel" && seen.method === "POST"
      ),
    );
  } finally {
    await emulator.close();
  }
});

Deno.test("the API token never appears in an error message", async () => {
  const { emulator, adapter } = setup({ predictionError: `boom with Bearer ${TOKEN}` });
  try {
    for (const fault of ["auth", "rate_limit", "server_error", "malformed", "reset"] as const) {
      emulator.fail(fault);
      const error = await rejection(adapter.describe(request()));
      assert.ok(!error.message.includes(TOKEN), error.message);
    }
    const failed = await rejection(adapter.describe(request()));
    assert.equal(failed.kind, "server");
    assert.ok(!failed.message.includes(TOKEN), failed.message);
    const url = emulator.url;
    await emulator.close();
    const refused = await rejection(
      createReplicate({ apiKey: TOKEN, baseUrl: `${url}/v1` }).describe(request()),
    );
    assert.equal(refused.kind, "network");
    assert.ok(!refused.message.includes(TOKEN));
  } finally {
    await emulator.close().catch(() => {});
  }
});
