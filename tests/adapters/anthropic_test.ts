/**
 * The Anthropic adapter with the real `@anthropic-ai/sdk` against the local emulator.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { z } from "zod";
import { createAnthropic, TEMPERATURE_WARNING } from "../../adapters/anthropic.ts";
import { type ErrorKind, VisionBenchError } from "../../lib/contract/errors.ts";
import { estimateImageTokens } from "../../lib/price/image-tokens.ts";
import { type AnthropicEmulator, startAnthropicEmulator } from "../../emulators/anthropic.ts";
import { countWords, DEFAULT_TEXT } from "../../emulators/harness.ts";
import { DESCRIBE_PROMPT as PROMPT, describeRequests } from "../support/describe-request.ts";
import { closing } from "../support/emulator-session.ts";
import { adapterContract, EVERY_FAULT } from "../support/adapter-contract.ts";
import type { FaultCase } from "../support/fault-cases.ts";
import { rejection } from "../support/rejection.ts";
import { samplePayload } from "../support/sample-image.ts";
import { assertWithin } from "../support/tolerance.ts";

const FAKE_KEY = "sk-ant-api03-FAKEvisionbenchKEY0123456789";
const image = await samplePayload("o04_pizza.jpg");
const request = describeRequests(image);

function withEmulator(
  test: (emulator: AnthropicEmulator) => Promise<void>,
  behaviour: Parameters<typeof startAnthropicEmulator>[0] = {},
): Promise<void> {
  return closing(startAnthropicEmulator(behaviour), test);
}

function adapterFor(emulator: AnthropicEmulator, model = "claude-haiku-4-5") {
  return createAnthropic({ apiKey: FAKE_KEY, baseUrl: emulator.url, model });
}

/** Asserts the promise rejects with a VisionBenchError of `kind`, free of the API key. */
function rejectsWith(promise: Promise<unknown>, kind: ErrorKind): Promise<VisionBenchError> {
  return rejection(promise, { kind, platform: "anthropic", secrets: [FAKE_KEY] });
}

Deno.test("describe() sends the base64 image, media type, prompt and max_tokens, and maps the answer", async () => {
  await withEmulator(async (emulator) => {
    const answer = await adapterFor(emulator).describe(request());
    assert.equal(answer.text, DEFAULT_TEXT);
    assert.equal(answer.finishReason, "stop");
    assert.equal(answer.rawFinishReason, "end_turn");
    assert.equal(answer.responseModel, "claude-haiku-4-5");
    const imageTokens = estimateImageTokens({
      platform: "anthropic",
      model: "claude-haiku-4-5",
      ...image,
    })!;
    assert.equal(answer.usage.inputTokens, countWords(PROMPT) + imageTokens);
    assert.equal(answer.usage.outputTokens, countWords(DEFAULT_TEXT));
    assert.equal(answer.usage.totalTokens, answer.usage.inputTokens! + answer.usage.outputTokens!);
    assert.equal(answer.usage.cachedInputTokens, 0);

    const [seen] = emulator.requests;
    assert.equal(seen.path, "/v1/messages");
    assert.ok(seen.headers["anthropic-version"], "anthropic-version header missing");
    // deno-lint-ignore no-explicit-any
    const body = seen.body as any;
    assert.equal(body.model, "claude-haiku-4-5");
    assert.equal(body.max_tokens, 300);
    assert.equal(body.stream, undefined);
    const [imageBlock, textBlock] = body.messages[0].content;
    assert.deepEqual(imageBlock.source, {
      type: "base64",
      media_type: "image/jpeg",
      data: Buffer.from(image.bytes).toString("base64"),
    });
    assert.deepEqual(textBlock, { type: "text", text: PROMPT });
  });
});

Deno.test("describe() authenticates with the key and the SDK never retries", async () => {
  await withEmulator(async (emulator) => {
    emulator.fail("server_error");
    await rejectsWith(adapterFor(emulator).describe(request()), "server");
    assert.equal(emulator.requests.length, 1, "the SDK retried");
    const headers = emulator.requests[0].headers;
    assert.ok(
      headers["x-api-key"] === FAKE_KEY || headers["authorization"] === `Bearer ${FAKE_KEY}`,
      "the key was not sent",
    );
  });
});

Deno.test("describe() streams: text, usage, finish reason, onFirstToken before completion", async () => {
  await withEmulator(async (emulator) => {
    const events: string[] = [];
    const answer = await adapterFor(emulator).describe(request({ stream: true }), {
      onFirstToken: () => events.push("first-token"),
    });
    events.push("done");
    // That the first token comes before the stream ends (not just before describe() returns)
    // is the contract's cut-stream test: tests/support/adapter-contract.ts.
    assert.deepEqual(events, ["first-token", "done"]);
    assert.equal(answer.text, DEFAULT_TEXT);
    assert.equal(answer.finishReason, "stop");
    assert.equal(answer.usage.outputTokens, countWords(DEFAULT_TEXT));
    assert.ok(answer.usage.inputTokens! > countWords(PROMPT));
    // deno-lint-ignore no-explicit-any
    const body = emulator.requests[0].body as any;
    assert.equal(body.stream, true);
    assert.equal(body.messages[0].content[0].source.media_type, "image/jpeg");
  });
});

const Tags = z.object({
  summary: z.string().min(1),
  objects: z.array(z.string()).min(1),
  people: z.number().int(),
});

for (const stream of [false, true]) {
  Deno.test(`describe() asks a forced tool and validates its input with zod (stream: ${stream})`, async () => {
    await withEmulator(async (emulator) => {
      let firstToken = 0;
      const answer = await adapterFor(emulator).describe(
        request({ stream, schema: { name: "image_tags", schema: Tags } }),
        { onFirstToken: () => firstToken++ },
      );
      const structured = Tags.parse(answer.structured);
      assert.equal(structured.summary, DEFAULT_TEXT);
      assert.deepEqual(JSON.parse(answer.text), structured);
      assert.equal(answer.finishReason, "tool");
      assert.equal(answer.rawFinishReason, "tool_use");
      assert.equal(firstToken, stream ? 1 : 0);
      // deno-lint-ignore no-explicit-any
      const body = emulator.requests[0].body as any;
      assert.deepEqual(body.tool_choice, { type: "tool", name: "image_tags" });
      assert.equal(body.tools[0].name, "image_tags");
      assert.equal(body.tools[0].input_schema.type, "object");
      assert.deepEqual(body.tools[0].input_schema.required, ["summary", "objects", "people"]);
    });
  });
}

Deno.test("describe() maps tool input that fails the zod schema to invalid_response", async () => {
  await withEmulator(async (emulator) => {
    const strict = Tags.refine((value) => value.people > 100, "too few people");
    await rejectsWith(
      adapterFor(emulator).describe(request({ schema: { name: "image_tags", schema: strict } })),
      "invalid_response",
    );
  });
});

adapterContract("anthropic", {
  start: (behaviour) => startAnthropicEmulator(behaviour),
  adapterFor: (emulator) => adapterFor(emulator),
  request,
  secret: FAKE_KEY,
  platform: "anthropic",
  streams: true,
  supports: {
    ...EVERY_FAULT,
    overloadedStatus: 529,
    omitUsage: {
      inputTokens: undefined,
      outputTokens: undefined,
      cachedInputTokens: undefined,
      totalTokens: undefined,
    },
  },
});

/** Anthropic-specific statuses and the in-stream error event; the shared faults are above. */
const FAULTS: FaultCase<AnthropicEmulator>[] = [
  {
    name: "403",
    setup: (e) => e.failWith("permission"),
    kind: "auth",
    status: 403,
    retryable: false,
  },
  {
    name: "400",
    setup: (e) => e.failWith("bad_request"),
    kind: "bad_request",
    status: 400,
    retryable: false,
  },
  {
    name: "413",
    setup: (e) => e.failWith("request_too_large"),
    kind: "bad_request",
    status: 413,
    retryable: false,
  },
  {
    name: "an error event mid-stream",
    setup: (e) => e.failWith("stream_error"),
    kind: "overloaded",
    retryable: true,
    stream: true,
  },
];

for (const fault of FAULTS) {
  Deno.test(`describe() maps ${fault.name} to ${fault.kind} (retryable: ${fault.retryable})`, async () => {
    await withEmulator(async (emulator) => {
      fault.setup(emulator);
      let firstToken = 0;
      const error = await rejectsWith(
        adapterFor(emulator).describe(request({ stream: fault.stream ?? false }), {
          onFirstToken: () => firstToken++,
        }),
        fault.kind,
      );
      assert.equal(error.status, fault.status);
      assert.equal(error.retryable, fault.retryable);
      assert.equal(error.retryAfterMs, fault.retryAfterMs);
      if (fault.name === "an error event mid-stream") {
        assert.equal(firstToken, 1, "text arrived before the error event");
        assert.equal(error.code, "overloaded_error");
      }
    }, { retryAfterSeconds: 3 });
  });
}

Deno.test("describe() reports a refusal as content_filter and an empty answer as empty text", async () => {
  await withEmulator(async (emulator) => {
    const adapter = adapterFor(emulator);
    for (const stream of [false, true]) {
      emulator.fail("refusal");
      const refused = await adapter.describe(request({ stream }));
      assert.equal(refused.finishReason, "content_filter");
      assert.equal(refused.rawFinishReason, "refusal");
      emulator.fail("empty");
      const empty = await adapter.describe(request({ stream }));
      assert.equal(empty.text, "");
      assert.equal(empty.finishReason, "stop");
    }
  });
});

Deno.test("describe() maps an unknown model to not_found", async () => {
  await withEmulator(async (emulator) => {
    const error = await rejectsWith(
      adapterFor(emulator, "claude-nonexistent-9").describe(request()),
      "not_found",
    );
    assert.equal(error.status, 404);
    assert.equal(error.retryable, false);
  });
});

Deno.test("describe() ignores temperature with a warning (SDK 1.13.0 has no temperature field)", async () => {
  await withEmulator(async (emulator) => {
    const answer = await adapterFor(emulator).describe(request({ temperature: 0.2 }));
    assert.deepEqual(answer.warnings, [TEMPERATURE_WARNING]);
    // deno-lint-ignore no-explicit-any
    assert.equal((emulator.requests[0].body as any).temperature, undefined);
  });
});

Deno.test("billed image tokens are within 5% of estimateImageTokens for real sample images", async () => {
  await withEmulator(async (emulator) => {
    const adapter = adapterFor(emulator);
    for (
      const file of [
        "o01_cat.png",
        "o02_red_panda.webp",
        "v15_beach_jetty.jpg",
        "o06_scanned_page.png",
      ]
    ) {
      const sample = await samplePayload(file);
      const answer = await adapter.describe(request({ image: sample }));
      const billedImageTokens = answer.usage.inputTokens! - countWords(PROMPT);
      const estimate = estimateImageTokens({
        platform: "anthropic",
        model: adapter.model,
        ...sample,
      })!;
      assertWithin(billedImageTokens, estimate, { relative: 0.05, label: `${file} billed` });
    }
  });
});

Deno.test("createAnthropic() requires an API key rather than reading env", () => {
  assert.throws(
    () => createAnthropic({ model: "claude-haiku-4-5", baseUrl: "http://127.0.0.1:9" }),
    (error: unknown) =>
      error instanceof VisionBenchError && error.kind === "config" && /API key/.test(error.message),
  );
});
