/**
 * The Gemini adapter with the real `@google/genai` against the local emulator.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { z } from "zod";
import { createGemini } from "../adapters/gemini.ts";
import { type ErrorKind, VisionBenchError } from "../lib/errors.ts";
import { estimateImageTokens } from "../lib/image-tokens.ts";
import { type GeminiEmulator, startGeminiEmulator } from "./emulators/gemini.ts";
import { countWords, DEFAULT_TEXT } from "./emulators/harness.ts";
import { DESCRIBE_PROMPT as PROMPT, describeRequests } from "./support/describe-request.ts";
import { closing } from "./support/emulator-session.ts";
import { type FaultCase, transportFaultCases } from "./support/fault-cases.ts";
import { rejection } from "./support/rejection.ts";
import { samplePayload } from "./support/sample-image.ts";
import { assertWithin } from "./support/tolerance.ts";

const FAKE_KEY = "AIzaSyFAKE-visionbench-key-0123456789";
const image = await samplePayload("o02_red_panda.webp");
const request = describeRequests(image);

function withEmulator(
  test: (emulator: GeminiEmulator) => Promise<void>,
  behaviour: Parameters<typeof startGeminiEmulator>[0] = {},
): Promise<void> {
  return closing(startGeminiEmulator(behaviour), test);
}

function adapterFor(emulator: GeminiEmulator, model = "gemini-2.5-flash-lite") {
  return createGemini({ apiKey: FAKE_KEY, baseUrl: emulator.url, model });
}

/** Asserts the promise rejects with a VisionBenchError of `kind`, free of the API key. */
function rejectsWith(promise: Promise<unknown>, kind: ErrorKind): Promise<VisionBenchError> {
  return rejection(promise, { kind, platform: "gemini", secrets: [FAKE_KEY] });
}

// deno-lint-ignore no-explicit-any
const bodyOf = (emulator: GeminiEmulator, index = 0) => emulator.requests[index].body as any;

Deno.test("describe() sends inlineData, prompt and generationConfig, and maps the answer", async () => {
  await withEmulator(async (emulator) => {
    const answer = await adapterFor(emulator).describe(request({ temperature: 0.2 }));
    assert.equal(answer.text, DEFAULT_TEXT);
    assert.equal(answer.finishReason, "stop");
    assert.equal(answer.rawFinishReason, "STOP");
    assert.equal(answer.responseModel, "gemini-2.5-flash-lite");
    const imageTokens = estimateImageTokens({
      platform: "gemini",
      model: "gemini-2.5-flash-lite",
      ...image,
    })!;
    assert.deepEqual(answer.usage, {
      inputTokens: countWords(PROMPT) + imageTokens,
      outputTokens: countWords(DEFAULT_TEXT),
      imageTokens,
      reasoningTokens: undefined,
      cachedInputTokens: undefined,
      totalTokens: countWords(PROMPT) + imageTokens + countWords(DEFAULT_TEXT),
    });

    const [seen] = emulator.requests;
    assert.equal(seen.path, "/v1beta/models/gemini-2.5-flash-lite:generateContent");
    assert.equal(seen.headers["x-goog-api-key"], FAKE_KEY);
    const body = bodyOf(emulator);
    assert.deepEqual(body.contents, [{
      role: "user",
      parts: [
        {
          inlineData: { mimeType: "image/webp", data: Buffer.from(image.bytes).toString("base64") },
        },
        { text: PROMPT },
      ],
    }]);
    assert.equal(body.generationConfig.maxOutputTokens, 300);
    assert.equal(body.generationConfig.temperature, 0.2);
    assert.deepEqual(body.generationConfig.thinkingConfig, { thinkingBudget: 0 });
    // Call-only settings stay out of the wire body.
    assert.equal(body.generationConfig.httpOptions, undefined);
    assert.equal(body.generationConfig.abortSignal, undefined);
    assert.equal(body.generationConfig.automaticContinuation, undefined);
  });
});

Deno.test("describe() keeps the model's thinking default outside 2.5 Flash / Flash-Lite and reports thoughts", async () => {
  await withEmulator(async (emulator) => {
    const answer = await adapterFor(emulator, "gemini-2.5-pro").describe(request());
    assert.equal(bodyOf(emulator).generationConfig.thinkingConfig, undefined);
    assert.equal(answer.usage.reasoningTokens, 42);
  }, { thoughtsTokens: 42 });
});

Deno.test("describe() streams: text, usage from the last chunk, onFirstToken before completion", async () => {
  await withEmulator(async (emulator) => {
    const events: string[] = [];
    const started = performance.now();
    let firstTokenAt = 0;
    const answer = await adapterFor(emulator).describe(request({ stream: true }), {
      onFirstToken: () => {
        firstTokenAt = performance.now();
        events.push("first-token");
      },
    });
    events.push("done");
    assert.deepEqual(events, ["first-token", "done"]);
    assert.ok(firstTokenAt - started >= 70, `first token after ${firstTokenAt - started} ms`);
    assert.ok(performance.now() - firstTokenAt >= 50);
    assert.equal(answer.text, DEFAULT_TEXT);
    assert.equal(answer.finishReason, "stop");
    assert.equal(answer.usage.outputTokens, countWords(DEFAULT_TEXT));
    assert.equal(
      emulator.requests[0].path,
      "/v1beta/models/gemini-2.5-flash-lite:streamGenerateContent",
    );
    assert.equal(emulator.requests[0].search, "?alt=sse");
  }, { ttftMs: 80, chunkDelayMs: 5 });
});

const Tags = z.object({
  summary: z.string().min(1),
  objects: z.array(z.string()).min(1),
  people: z.number().int(),
});

for (const stream of [false, true]) {
  Deno.test(`describe() asks JSON with responseJsonSchema and validates it with zod (stream: ${stream})`, async () => {
    await withEmulator(async (emulator) => {
      const answer = await adapterFor(emulator).describe(
        request({ stream, schema: { name: "image_tags", schema: Tags } }),
      );
      const structured = Tags.parse(answer.structured);
      assert.equal(structured.summary, DEFAULT_TEXT);
      assert.deepEqual(JSON.parse(answer.text), structured);
      const config = bodyOf(emulator).generationConfig;
      assert.equal(config.responseMimeType, "application/json");
      assert.equal(config.responseJsonSchema.type, "object");
      assert.deepEqual(config.responseJsonSchema.required, ["summary", "objects", "people"]);
    });
  });
}

Deno.test("describe() maps JSON that fails the zod schema to invalid_response", async () => {
  await withEmulator(async (emulator) => {
    const strict = Tags.refine((value) => value.people > 100, "too few people");
    await rejectsWith(
      adapterFor(emulator).describe(request({ schema: { name: "image_tags", schema: strict } })),
      "invalid_response",
    );
  });
});

const FAULTS: FaultCase<GeminiEmulator>[] = [
  {
    name: "429 RESOURCE_EXHAUSTED with Retry-After",
    setup: (e) => e.fail("rate_limit"),
    kind: "rate_limit",
    status: 429,
    retryable: true,
    retryAfterMs: 3000,
  },
  {
    name: "429 with only a RetryInfo detail",
    setup: (e) => e.failWith("rate_limit_no_header"),
    kind: "rate_limit",
    status: 429,
    retryable: true,
    retryAfterMs: 3000,
  },
  {
    name: "429 on a stream",
    setup: (e) => e.fail("rate_limit"),
    kind: "rate_limit",
    status: 429,
    retryable: true,
    retryAfterMs: 3000,
    stream: true,
  },
  {
    name: "400 INVALID_ARGUMENT",
    setup: (e) => e.failWith("bad_request"),
    kind: "bad_request",
    status: 400,
    retryable: false,
  },
  {
    name: "403 PERMISSION_DENIED",
    setup: (e) => e.failWith("permission"),
    kind: "auth",
    status: 403,
    retryable: false,
  },
  {
    name: "500 INTERNAL",
    setup: (e) => e.fail("server_error"),
    kind: "server",
    status: 500,
    retryable: true,
  },
  {
    name: "503 UNAVAILABLE",
    setup: (e) => e.fail("overloaded"),
    kind: "overloaded",
    status: 503,
    retryable: true,
  },
  {
    name: "504 DEADLINE_EXCEEDED",
    setup: (e) => e.failWith("deadline_exceeded"),
    kind: "timeout",
    status: 504,
    retryable: true,
  },
  ...transportFaultCases(),
];

for (const fault of FAULTS) {
  Deno.test(`describe() maps ${fault.name} to ${fault.kind} (retryable: ${fault.retryable})`, async () => {
    await withEmulator(async (emulator) => {
      fault.setup(emulator);
      const error = await rejectsWith(
        adapterFor(emulator).describe(request({ stream: fault.stream ?? false })),
        fault.kind,
      );
      assert.equal(error.status, fault.status);
      assert.equal(error.retryable, fault.retryable);
      assert.equal(error.retryAfterMs, fault.retryAfterMs);
      assert.equal(emulator.requests.length, 1, "the SDK retried");
    }, { retryAfterSeconds: 3 });
  });
}

Deno.test("describe() maps an unknown model to not_found", async () => {
  await withEmulator(async (emulator) => {
    const error = await rejectsWith(
      adapterFor(emulator, "gemini-0-nonexistent").describe(request()),
      "not_found",
    );
    assert.equal(error.status, 404);
    assert.equal(error.code, "NOT_FOUND");
  });
});

Deno.test("describe() maps an abort by AbortSignal.timeout to timeout and a user abort to cancelled", async () => {
  await withEmulator(async (emulator) => {
    const adapter = adapterFor(emulator);
    emulator.fail("hang", "hang");
    await rejectsWith(adapter.describe(request(), { signal: AbortSignal.timeout(100) }), "timeout");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await rejectsWith(
      adapter.describe(request({ stream: true }), { signal: controller.signal }),
      "cancelled",
    );
  });
});

Deno.test("describe() maps an abort in the middle of a stream to timeout", async () => {
  await withEmulator(async (emulator) => {
    let firstToken = 0;
    await rejectsWith(
      adapterFor(emulator).describe(request({ stream: true }), {
        signal: AbortSignal.timeout(150),
        onFirstToken: () => firstToken++,
      }),
      "timeout",
    );
    assert.equal(firstToken, 1);
  }, { ttftMs: 10, chunkDelayMs: 40 });
});

Deno.test("describe() reports a SAFETY block and a blocked prompt as content_filter with no text", async () => {
  await withEmulator(async (emulator) => {
    const adapter = adapterFor(emulator);
    for (const stream of [false, true]) {
      emulator.fail("refusal");
      const safety = await adapter.describe(request({ stream }));
      assert.equal(safety.text, "");
      assert.equal(safety.finishReason, "content_filter");
      assert.equal(safety.rawFinishReason, "SAFETY");
      emulator.failWith("prompt_blocked");
      const blocked = await adapter.describe(
        request({ stream, schema: { name: "tags", schema: Tags } }),
      );
      assert.equal(blocked.finishReason, "content_filter");
      assert.equal(blocked.rawFinishReason, "SAFETY");
      assert.equal(blocked.structured, undefined);
      emulator.fail("empty");
      const empty = await adapter.describe(request({ stream }));
      assert.equal(empty.text, "");
      assert.equal(empty.finishReason, "stop");
    }
  });
});

Deno.test("describe() leaves usage undefined when the platform does not report it", async () => {
  await withEmulator(async (emulator) => {
    for (const stream of [false, true]) {
      const answer = await adapterFor(emulator).describe(request({ stream }));
      assert.equal(answer.text, DEFAULT_TEXT);
      assert.deepEqual(answer.usage, {});
    }
  }, { omitUsage: true });
});

Deno.test("reported image tokens are within 5% of estimateImageTokens for real sample images", async () => {
  await withEmulator(async (emulator) => {
    const adapter = adapterFor(emulator);
    for (
      const file of ["o01_cat.png", "o04_pizza.jpg", "v15_beach_jetty.jpg", "o06_scanned_page.png"]
    ) {
      const sample = await samplePayload(file);
      const answer = await adapter.describe(request({ image: sample }));
      const estimate = estimateImageTokens({
        platform: "gemini",
        model: adapter.model,
        ...sample,
      })!;
      assertWithin(answer.usage.imageTokens!, estimate, {
        relative: 0.05,
        label: `${file} reported`,
      });
    }
  });
});

Deno.test("createGemini() requires an API key rather than reading env", () => {
  assert.throws(
    () => createGemini({ model: "gemini-2.5-flash-lite" }),
    (error: unknown) => error instanceof VisionBenchError && error.kind === "config",
  );
});
