/**
 * The Gemini adapter with the real `@google/genai` against the local emulator.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { z } from "zod";
import { createGemini } from "../../adapters/gemini.ts";
import { type ErrorKind, VisionBenchError } from "../../lib/contract/errors.ts";
import { estimateImageTokens } from "../../lib/price/image-tokens.ts";
import { type GeminiEmulator, startGeminiEmulator } from "../../emulators/gemini.ts";
import { countWords, DEFAULT_TEXT } from "../../emulators/harness.ts";
import { DESCRIBE_PROMPT as PROMPT, describeRequests } from "../support/describe-request.ts";
import { closing } from "../support/emulator-session.ts";
import { adapterContract, EVERY_FAULT } from "../support/adapter-contract.ts";
import type { FaultCase } from "../support/fault-cases.ts";
import { rejection } from "../support/rejection.ts";
import { samplePayload } from "../support/sample-image.ts";
import { assertWithin } from "../support/tolerance.ts";

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
    assert.equal(
      emulator.requests[0].path,
      "/v1beta/models/gemini-2.5-flash-lite:streamGenerateContent",
    );
    assert.equal(emulator.requests[0].search, "?alt=sse");
  });
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

adapterContract("gemini", {
  start: (behaviour) => startGeminiEmulator(behaviour),
  adapterFor: (emulator) => adapterFor(emulator),
  request,
  secret: FAKE_KEY,
  platform: "gemini",
  streams: true,
  supports: {
    ...EVERY_FAULT,
    authStatus: 403,
    omitUsage: {},
  },
});

/** Gemini-specific statuses and RetryInfo; the shared faults are above. */
const FAULTS: FaultCase<GeminiEmulator>[] = [
  {
    name: "429 with only a RetryInfo detail",
    setup: (e) => e.failWith("rate_limit_no_header"),
    kind: "rate_limit",
    status: 429,
    retryable: true,
    retryAfterMs: 3000,
  },
  {
    name: "400 INVALID_ARGUMENT",
    setup: (e) => e.failWith("bad_request"),
    kind: "bad_request",
    status: 400,
    retryable: false,
  },
  {
    name: "504 DEADLINE_EXCEEDED",
    setup: (e) => e.failWith("deadline_exceeded"),
    kind: "timeout",
    status: 504,
    retryable: true,
  },
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
    () => createGemini({ model: "gemini-2.5-flash-lite", baseUrl: "http://127.0.0.1:9" }),
    (error: unknown) =>
      error instanceof VisionBenchError && error.kind === "config" && /API key/.test(error.message),
  );
});

/** A server on another origin that redirects every request to `target` (307 keeps POST). */
function redirectingTo(target: string) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const url = new URL(request.url);
    return new Response(null, {
      status: 307,
      headers: { location: `${target}${url.pathname}${url.search}` },
    });
  });
  return {
    url: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`,
    close: () => server.shutdown(),
  };
}

Deno.test("describe() never sends the key across origins on a redirect (fetch keeps x-goog-api-key)", async () => {
  await withEmulator(async (emulator) => {
    const redirect = redirectingTo(emulator.url);
    try {
      const adapter = createGemini({
        apiKey: FAKE_KEY,
        baseUrl: redirect.url,
        model: "gemini-2.5-flash-lite",
      });
      // The other origin sees a caller without a key, and says so.
      await rejectsWith(adapter.describe(request()), "auth");
      assert.equal(emulator.requests.length, 1, "the redirect was followed");
      const headers = emulator.requests[0].headers;
      assert.equal(headers["x-goog-api-key"], undefined);
      assert.equal(JSON.stringify(headers).includes(FAKE_KEY), false);
    } finally {
      await redirect.close();
    }
  });
});

Deno.test("describe() maps an error answered with HTTP 200 to its kind, never an empty ok answer", async () => {
  await withEmulator(async (emulator) => {
    emulator.fail("error_in_200");
    const error = await rejectsWith(
      adapterFor(emulator).describe(request({ stream: false })),
      "bad_request",
    );
    assert.match(error.message, /INVALID_ARGUMENT: Unable to process input image/);
  });
});
