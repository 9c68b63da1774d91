import assert from "node:assert/strict";
import { z } from "zod";
import { createReplicate, type ReplicateSettings } from "../../adapters/replicate.ts";
import { DEFAULT_TEXT } from "../../emulators/harness.ts";
import {
  type ReplicateEmulator,
  type ReplicateEmulatorOptions,
  startReplicateEmulator,
} from "../../emulators/replicate.ts";
import { adapterContract, EVERY_FAULT } from "../support/adapter-contract.ts";
import { describeRequests } from "../support/describe-request.ts";
import { withEmulator } from "../support/emulator-session.ts";
import { rejection } from "../support/rejection.ts";
import { samplePayload } from "../support/sample-image.ts";

const image = await samplePayload("o01_cat.png");
const request = describeRequests(image, { prompt: "Describe this image." });
const TOKEN = "r8_fakeTestToken_9d2c4e7a1b";

function adapterFor(emulator: ReplicateEmulator, settings: ReplicateSettings = {}) {
  return createReplicate({
    apiKey: TOKEN,
    baseUrl: `${emulator.url}/v1`,
    model: "lucataco/moondream2",
    pollIntervalMs: 20,
    ...settings,
  });
}

adapterContract("replicate", {
  start: (behaviour) => startReplicateEmulator({ token: TOKEN, ...behaviour }),
  adapterFor: (emulator) => adapterFor(emulator),
  request,
  secret: TOKEN,
  platform: "replicate",
  streams: false,
  messages: { rate_limit: /throttled/ },
  supports: EVERY_FAULT,
});

/** Runs `body` with an emulator that wants {@link TOKEN} and an adapter polling every 20 ms. */
function withReplicate(
  body: (emulator: ReplicateEmulator, adapter: ReturnType<typeof createReplicate>) => Promise<void>,
  options: { emulator?: ReplicateEmulatorOptions; adapter?: ReplicateSettings } = {},
): Promise<void> {
  return withEmulator({
    emulator: startReplicateEmulator({ token: TOKEN, ...options.emulator }),
    adapterFor: (emulator) => adapterFor(emulator, options.adapter),
  }, body);
}

Deno.test("describe() sends a data: URI and the prompt with Prefer: wait, joins output pieces, maps metrics", async () => {
  await withReplicate(async (emulator, adapter) => {
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
    assert.deepEqual(decoded, image.bytes);
    assert.ok(!emulator.requests.some((seen) => seen.path.startsWith("/v1/files")));
  }, { emulator: { queueMs: 20, predictMs: 40 } });
});

Deno.test("describe() polls GET /v1/predictions/{id} when Prefer: wait returns early, and flags a long queue as cold start", async () => {
  await withReplicate(async (emulator, adapter) => {
    const result = await adapter.describe(request());
    assert.equal(result.text, DEFAULT_TEXT);
    assert.equal(emulator.requests[0].headers.prefer, "wait=5");
    const polls = emulator.requests.slice(1);
    // How many polls fit in the 180 ms prediction depends on the machine's load; one is certain
    // (the create reply came at 10 ms, still "starting").
    assert.ok(polls.length >= 1, "polled after Prefer: wait returned early");
    assert.ok(
      polls.every((seen) => seen.method === "GET" && seen.path === "/v1/predictions/pred1"),
    );
    assert.equal(result.timing?.queueMs, 120);
    assert.equal(result.timing?.coldStart, true);
    assert.equal(result.timing?.gpuSeconds, 0.06);
  }, {
    emulator: {
      queueMs: 120,
      predictMs: 60,
      maxWaitMs: 10,
      outputAsString: true,
    },
    adapter: {
      wait: 5,
      coldStartQueueMs: 100,
    },
  });
});

Deno.test("describe() with a version uses POST /v1/predictions {version, input}", async () => {
  await withReplicate(async (emulator, adapter) => {
    await adapter.describe(request());
    const sent = emulator.requests[0];
    assert.equal(sent.path, "/v1/predictions");
    assert.equal((sent.body as { version: string }).version.length, 64);
  }, {
    adapter: {
      version: "72ccb656353c348c1385df54b237eeb7bfa874bf11486cf0b9473e691b662d31",
    },
  });
});

Deno.test("describe() maps a failed prediction to server, not retryable (it was billed), with the model's error", async () => {
  await withReplicate(async (emulator, adapter) => {
    emulator.fail("refusal");
    const error = await rejection(adapter.describe(request()));
    assert.equal(error.kind, "server");
    assert.equal(error.retryable, false);
    assert.match(error.message, /prediction failed: NSFW content detected/);
    assert.equal(emulator.requests.length, 1, "one request");
  });
});

Deno.test("describe() reads a failed prediction's object error as words, not [object Object]", async () => {
  await withReplicate(async (emulator, adapter) => {
    emulator.fail("object_error");
    const error = await rejection(adapter.describe(request()));
    assert.equal(error.kind, "server");
    assert.equal(error.retryable, false);
    assert.match(error.message, /prediction failed: CUDA out of memory$/);
  });
});

Deno.test("describe() maps a 5xx during polling to server without SDK re-sends", async () => {
  await withReplicate(async (emulator, adapter) => {
    // The first request (the POST) gets no fault, the second (the first poll) a 500.
    emulator.behaviour.faults.push(undefined as never, "server_error");
    const error = await rejection(adapter.describe(request()));
    assert.equal(error.kind, "server");
    assert.deepEqual(emulator.requests.map((seen) => seen.method), ["POST", "GET"]);
  }, { emulator: { queueMs: 50, predictMs: 50, maxWaitMs: 5 } });
});

Deno.test("describe() maps 404 model to not_found and 422 input to bad_request", async () => {
  await withReplicate(async (emulator, adapter) => {
    const missing = await rejection(adapter.describe(request()));
    assert.equal(missing.kind, "not_found");
    assert.equal(missing.status, 404);
    const valid = createReplicate({
      apiKey: TOKEN,
      baseUrl: `${emulator.url}/v1`,
      model: "lucataco/moondream2",
    });
    const invalid = await rejection(valid.describe(request({ prompt: "" })));
    assert.equal(invalid.status, 422);
    assert.equal(invalid.kind, "bad_request");
  }, { adapter: { model: "someone/missing-model" } });
});

Deno.test("describe() returns empty text, warns that structured output is unsupported", async () => {
  await withReplicate(async (emulator, adapter) => {
    emulator.fail("empty");
    const result = await adapter.describe(
      request({ schema: { name: "scene", schema: z.object({ subject: z.string() }) } }),
    );
    assert.equal(result.text, "");
    assert.equal(result.structured, undefined);
    assert.deepEqual(result.warnings, [
      "structured output unsupported on replicate (lucataco/moondream2)",
    ]);
  });
});

Deno.test("describe() aborted while polling cancels the prediction and reports timeout", async () => {
  await withReplicate(async (emulator, adapter) => {
    const error = await rejection(
      adapter.describe(request(), { signal: AbortSignal.timeout(120) }),
    );
    assert.equal(error.kind, "timeout");
    assert.ok(
      emulator.requests.some((seen) =>
        seen.path === "/v1/predictions/pred1/cancel" && seen.method === "POST"
      ),
    );
  }, { emulator: { queueMs: 5000, maxWaitMs: 5 } });
});

Deno.test("the API token never appears in a failed prediction or a network error", async () => {
  const emulator = startReplicateEmulator({
    token: TOKEN,
    predictionError: `boom with Bearer ${TOKEN}`,
  });
  const adapter = adapterFor(emulator);
  try {
    const failed = await rejection(adapter.describe(request()), { secrets: [TOKEN] });
    assert.equal(failed.kind, "server");
    const url = emulator.url;
    await emulator.close();
    await rejection(
      createReplicate({ apiKey: TOKEN, baseUrl: `${url}/v1`, model: "lucataco/moondream2" })
        .describe(request()),
      { kind: "network", secrets: [TOKEN] },
    );
  } finally {
    await emulator.close().catch(() => {});
  }
});
