import assert from "node:assert/strict";
import { z } from "zod";
import { createOllama, listVisionModels } from "../../adapters/ollama.ts";
import { DEFAULT_TEXT } from "../../emulators/harness.ts";
import { startOllamaEmulator } from "../../emulators/ollama.ts";
import { adapterContract, EVERY_FAULT } from "../support/adapter-contract.ts";
import { describeRequests } from "../support/describe-request.ts";
import { closing } from "../support/emulator-session.ts";
import { rejection } from "../support/rejection.ts";
import { samplePayload } from "../support/sample-image.ts";

const image = await samplePayload("o01_cat.png");
const request = describeRequests(image, { prompt: "Describe this image." });
const FAKE_KEY = "ollama-test-key-7f3a9c1e5b";

// The shared faults run against ollama-cloud, the mode with a key that must never leak; local
// mode maps errors with the same code.
adapterContract("ollama-cloud", {
  start: (behaviour) =>
    startOllamaEmulator({
      requireKey: FAKE_KEY,
      models: [{ name: "qwen3-vl:235b", vision: true }],
      ...behaviour,
    }),
  adapterFor: (emulator) =>
    createOllama({
      platform: "ollama-cloud",
      model: "qwen3-vl:235b",
      apiKey: FAKE_KEY,
      baseUrl: emulator.url,
    }),
  request,
  secret: FAKE_KEY,
  platform: "ollama-cloud",
  streams: true,
  // A small body: with a request body over ~64 KB, Deno.serve does not see the client's abort of
  // a hanging request (measured with Deno 2.9.6).
  abortRequest: { image: { ...image, bytes: image.bytes.subarray(0, 64) } },
  supports: {
    ...EVERY_FAULT,
  },
});

Deno.test("describe() sends prompt, base64 image and num_predict, and maps usage and ns timing", async () => {
  await closing(startOllamaEmulator(), async (emulator) => {
    const adapter = createOllama({
      platform: "ollama-local",
      model: "moondream",
      baseUrl: emulator.url,
    });
    const first = await adapter.describe(request({ temperature: 0.2 }));
    assert.equal(first.text, DEFAULT_TEXT);
    assert.equal(first.finishReason, "stop");
    assert.equal(first.rawFinishReason, "stop");
    assert.equal(first.usage.outputTokens, 20);
    assert.equal(first.usage.inputTokens, 3 + 729);
    assert.equal(first.timing?.loadMs, 2500);
    assert.equal(first.timing?.promptEvalMs, 150);
    assert.equal(first.timing?.evalMs, 401);
    assert.equal(first.timing?.serverMs, 2500 + 150 + 401 + 3);
    assert.equal(first.timing?.coldStart, true);
    const second = await adapter.describe(request());
    assert.equal(second.timing?.coldStart, false);
    assert.equal(second.timing?.loadMs, 12);

    const sent = emulator.requests[0];
    assert.equal(sent.path, "/api/chat");
    const body = sent.body as {
      model: string;
      stream: boolean;
      messages: { role: string; content: string; images: string[] }[];
      options: { num_predict: number; temperature: number };
    };
    assert.equal(body.model, "moondream");
    assert.equal(body.stream, false);
    assert.equal(body.messages[0].content, "Describe this image.");
    assert.deepEqual(
      Uint8Array.from(atob(body.messages[0].images[0]), (c) => c.charCodeAt(0)),
      image.bytes,
    );
    assert.equal(body.options.num_predict, 300);
    assert.equal(body.options.temperature, 0.2);
    assert.equal(sent.headers.authorization, undefined);
  });
});

Deno.test("describe() streams NDJSON and calls onFirstToken before the answer completes", async () => {
  await closing(startOllamaEmulator(), async (emulator) => {
    const adapter = createOllama({ model: "moondream", baseUrl: emulator.url });
    const events: string[] = [];
    const result = await adapter.describe(request({ stream: true }), {
      onFirstToken: () => events.push("first-token"),
    });
    events.push("done");
    // That the first token comes before the stream ends (not just before describe() returns)
    // is the contract's cut-stream test: tests/support/adapter-contract.ts.
    assert.deepEqual(events, ["first-token", "done"]);
    assert.equal(result.text, DEFAULT_TEXT);
    assert.equal(result.usage.outputTokens, 20);
    assert.equal((emulator.requests[0].body as { stream: boolean }).stream, true);
  });
});

Deno.test("describe() maps done_reason length and an omitted prompt_eval_count to undefined", async () => {
  await closing(startOllamaEmulator({ omitPromptEvalCount: true }), async (emulator) => {
    const adapter = createOllama({ model: "moondream", baseUrl: emulator.url });
    const result = await adapter.describe(request({ maxOutputTokens: 5, stream: true }));
    assert.equal(result.finishReason, "length");
    assert.equal(result.text.split(" ").length, 5 + 1); // 5 words, trailing space
    assert.equal(result.usage.inputTokens, undefined);
    assert.equal(result.usage.totalTokens, undefined);
    assert.equal(result.usage.outputTokens, 5);
  });
});

Deno.test("describe() sends format as JSON schema and returns the validated object", async () => {
  const answer = JSON.stringify({ subject: "cat", objects: ["sofa", "cushion"] });
  const schema = z.object({ subject: z.string(), objects: z.array(z.string()) });
  await closing(startOllamaEmulator({ text: answer }), async (emulator) => {
    const adapter = createOllama({ model: "moondream", baseUrl: emulator.url });
    const result = await adapter.describe(request({ schema: { name: "scene", schema } }));
    assert.deepEqual(result.structured, { subject: "cat", objects: ["sofa", "cushion"] });
    const format =
      (emulator.requests[0].body as { format: { type: string; properties: object } }).format;
    assert.equal(format.type, "object");
    assert.ok("subject" in format.properties);

    emulator.behaviour.text = '{"subject": 3}';
    const error = await rejection(adapter.describe(request({ schema: { name: "scene", schema } })));
    assert.equal(error.kind, "invalid_response");
    assert.equal(error.retryable, false);
  });
});

Deno.test("describe() maps a missing model to not_found with the ollama pull command", async () => {
  await closing(startOllamaEmulator(), async (emulator) => {
    const adapter = createOllama({ model: "llava:13b", baseUrl: emulator.url });
    const error = await rejection(adapter.describe(request()));
    assert.equal(error.kind, "not_found");
    assert.equal(error.status, 404);
    assert.equal(error.retryable, false);
    assert.match(error.message, /ollama pull llava:13b/);
    assert.match(error.message, /not found/);
  });
});

Deno.test("describe() maps an in-stream error line to server", async () => {
  await closing(startOllamaEmulator(), async (emulator) => {
    const adapter = createOllama({ model: "moondream", baseUrl: emulator.url });
    emulator.fail("refusal");
    const midStream = await rejection(adapter.describe(request({ stream: true })));
    assert.equal(midStream.kind, "server");
    assert.match(midStream.message, /error was encountered/);
  });
});

Deno.test("describe() maps connection refused to network", async () => {
  const emulator = startOllamaEmulator();
  const url = emulator.url;
  await emulator.close();
  const error = await rejection(
    createOllama({ model: "moondream", baseUrl: url }).describe(request()),
  );
  assert.equal(error.kind, "network");
  assert.equal(error.retryable, true);
});

Deno.test("ollama-cloud sends the Bearer key and never puts it in an error message", async () => {
  await closing(
    startOllamaEmulator({
      requireKey: FAKE_KEY,
      models: [{ name: "qwen3-vl:235b", vision: true }],
    }),
    async (emulator) => {
      const adapter = createOllama({
        platform: "ollama-cloud",
        model: "qwen3-vl:235b",
        apiKey: FAKE_KEY,
        baseUrl: emulator.url,
      });
      assert.equal(adapter.id, "ollama-cloud");
      assert.equal(adapter.model, "qwen3-vl:235b");
      assert.equal(adapter.billing, "subscription");
      const result = await adapter.describe(request({ stream: true }));
      assert.equal(result.text, DEFAULT_TEXT);
      assert.equal(emulator.requests[0].headers.authorization, `Bearer ${FAKE_KEY}`);

      const wrongKey = createOllama({
        platform: "ollama-cloud",
        model: "qwen3-vl:235b",
        apiKey: "wrong-key-0000",
        baseUrl: emulator.url,
      });
      const auth = await rejection(wrongKey.describe(request()));
      assert.equal(auth.kind, "auth");
      const missing = await rejection(
        createOllama({
          platform: "ollama-cloud",
          model: "nope",
          apiKey: FAKE_KEY,
          baseUrl: emulator.url,
        }).describe(request()),
      );
      assert.equal(missing.kind, "not_found");
      assert.ok(!missing.message.includes(FAKE_KEY));
    },
  );
});

Deno.test("listVisionModels() returns only models whose capabilities include vision", async () => {
  const emulator = startOllamaEmulator({
    models: [
      { name: "moondream:latest", vision: true },
      { name: "llama3.2:1b", vision: false },
      { name: "qwen2.5vl:3b", vision: true },
    ],
  });
  try {
    assert.deepEqual(await listVisionModels({ host: emulator.url }), [
      "moondream:latest",
      "qwen2.5vl:3b",
    ]);
    assert.deepEqual(emulator.requests.map((seen) => seen.path), [
      "/api/tags",
      "/api/show",
      "/api/show",
      "/api/show",
    ]);
  } finally {
    await emulator.close();
  }
  const error = await rejection(listVisionModels({ host: emulator.url }));
  assert.equal(error.kind, "network");
});

Deno.test("a host URL with credentials (a VPS behind an auth proxy) sends them as Basic, never in errors", async () => {
  await closing(startOllamaEmulator(), async (emulator) => {
    const url = new URL(emulator.url);
    url.username = "bench";
    url.password = "proxy-pass-0123456789";
    const adapter = createOllama({
      platform: "ollama-vps",
      model: "moondream",
      baseUrl: url.href.replace(/\/$/, ""),
    });
    assert.equal((await adapter.describe(request())).text, DEFAULT_TEXT);
    assert.equal(
      emulator.requests[0].headers.authorization,
      `Basic ${btoa("bench:proxy-pass-0123456789")}`,
    );
    const missing = createOllama({
      platform: "ollama-vps",
      model: "llava:34b",
      baseUrl: url.href.replace(/\/$/, ""),
    });
    const error = await rejection(missing.describe(request()), {
      kind: "not_found",
      secrets: ["proxy-pass-0123456789"],
    });
    assert.match(error.message, /ollama pull llava:34b/);
  });
});

Deno.test("an error answered with HTTP 200, or an object error body, reads as the server's words", async () => {
  await closing(startOllamaEmulator(), async (emulator) => {
    const adapter = createOllama({ model: "moondream", baseUrl: emulator.url });
    emulator.fail("error_in_200");
    const inBody = await rejection(adapter.describe(request({ stream: false })), {
      kind: "server",
    });
    assert.match(inBody.message, /ollama: model requires more system memory/);
    emulator.fail("object_error");
    const object = await rejection(adapter.describe(request()), { kind: "auth" });
    assert.equal(object.message, "ollama: unauthorized");
    assert.equal(object.retryable, false);
  });
});
