/**
 * The OpenAI adapter with the real `openai` SDK against the local OpenAI emulator.
 */
import assert from "node:assert/strict";
import { createOpenAI } from "../../adapters/openai.ts";
import { estimateImageTokens } from "../../lib/price/image-tokens.ts";
import { VENUE_SCHEMA } from "../../lib/contract/schemas.ts";
import { VisionBenchError } from "../../lib/contract/errors.ts";
import { countWords, DEFAULT_TEXT } from "../../emulators/harness.ts";
import {
  EMULATOR_OPENAI_KEY,
  type OpenAIEmulator,
  type OpenAIEmulatorOptions,
  startOpenAIEmulator,
} from "../../emulators/openai.ts";
import { adapterContract, EVERY_FAULT } from "../support/adapter-contract.ts";
import { DESCRIBE_PROMPT as PROMPT, describeRequests } from "../support/describe-request.ts";
import { withEmulator as withSession } from "../support/emulator-session.ts";
import { rejection } from "../support/rejection.ts";
import { samplePayload } from "../support/sample-image.ts";
import { assertWithin } from "../support/tolerance.ts";

/** The openai preset's model (data/presets.json); adapters have no default of their own. */
const MODEL = "gpt-4o-mini";

const image = await samplePayload("v01_orchestra_concert_hall.webp", "512");
const request = describeRequests(image);
// With a request body over ~64 KB, Deno.serve does not see the client abort a hanging request
// (Deno 2.9.6): the abort tests send a 32-px photo so the emulator sees the abort too.
const tinyImage = await samplePayload("o01_cat.png", "32");

adapterContract("openai", {
  start: (behaviour) => startOpenAIEmulator(behaviour),
  adapterFor: (emulator) =>
    createOpenAI({ apiKey: EMULATOR_OPENAI_KEY, baseUrl: `${emulator.url}/v1`, model: MODEL }),
  request,
  secret: EMULATOR_OPENAI_KEY,
  platform: "openai",
  streams: true,
  abortRequest: { image: tinyImage },
  codes: { rate_limit: "rate_limit_exceeded" },
  supports: {
    ...EVERY_FAULT,
    omitUsage: {},
  },
});

/** The chat request body as the emulator recorded it. */
interface SeenChat {
  model: string;
  max_completion_tokens?: number;
  max_tokens?: number;
  temperature?: number;
  stream?: boolean;
  stream_options?: unknown;
  messages: {
    content: { type: string; text?: string; image_url: { url: string; detail: string } }[];
  }[];
  response_format: {
    type: string;
    json_schema: { name: string; strict: boolean; schema: Record<string, unknown> };
  };
}

/** Runs `body` with an emulator and an adapter pointed at it, then closes the emulator. */
function withEmulator(
  body: (emulator: OpenAIEmulator, adapter: ReturnType<typeof createOpenAI>) => Promise<void>,
  options: OpenAIEmulatorOptions & { apiKey?: string; adapterKey?: string } = {},
): Promise<void> {
  const { adapterKey, ...emulatorOptions } = options;
  return withSession({
    emulator: startOpenAIEmulator(emulatorOptions),
    adapterFor: (emulator) =>
      createOpenAI({
        apiKey: adapterKey ?? EMULATOR_OPENAI_KEY,
        baseUrl: `${emulator.url}/v1`,
        model: MODEL,
      }),
  }, body);
}

/** The error `promise` rejects with, checked to be a VisionBenchError that does not leak the key. */
function failure(promise: Promise<unknown>): Promise<VisionBenchError> {
  return rejection(promise, { platform: "openai", secrets: [EMULATOR_OPENAI_KEY] });
}

Deno.test("describe() sends prompt, image data URL, detail and max_completion_tokens and maps the answer", async () => {
  await withEmulator(async (emulator, adapter) => {
    const description = await adapter.describe(request({ temperature: 0.2 }));
    assert.equal(description.text, DEFAULT_TEXT);
    assert.equal(description.finishReason, "stop");
    assert.equal(description.rawFinishReason, "stop");
    assert.equal(description.responseModel, "gpt-4o-mini-2024-07-18");
    assert.equal(description.usage.outputTokens, countWords(DEFAULT_TEXT));
    assert.equal(description.usage.cachedInputTokens, 0);
    assert.equal(description.usage.reasoningTokens, 0);
    assert.equal(
      description.usage.imageTokens,
      undefined,
      "OpenAI chat does not report image tokens",
    );
    assert.equal(
      description.usage.totalTokens,
      description.usage.inputTokens! + description.usage.outputTokens!,
    );

    const seen = emulator.requests[0];
    assert.equal(seen.path, "/v1/chat/completions");
    assert.equal(seen.headers.authorization, `Bearer ${EMULATOR_OPENAI_KEY}`);
    const body = seen.body as SeenChat;
    assert.equal(body.model, "gpt-4o-mini");
    assert.equal(body.max_completion_tokens, 300);
    assert.equal(body.max_tokens, undefined);
    assert.equal(body.temperature, 0.2);
    assert.equal(body.stream, undefined);
    const [text, picture] = body.messages[0].content;
    assert.deepEqual(text, { type: "text", text: PROMPT });
    assert.equal(picture.type, "image_url");
    assert.equal(picture.image_url.detail, "auto");
    assert.ok(picture.image_url.url.startsWith("data:image/jpeg;base64,/9j/"));
    assert.equal(atob(picture.image_url.url.split(",")[1]).length, image.bytes.length);
  });
});

Deno.test("describe() streams: onFirstToken fires before the answer completes and usage comes from the last chunk", async () => {
  await withEmulator(async (emulator, adapter) => {
    const events: string[] = [];
    const description = await adapter.describe(request({ stream: true }), {
      onFirstToken: () => events.push("first token"),
    });
    events.push("done");
    assert.deepEqual(events, ["first token", "done"]);
    assert.equal(description.text, DEFAULT_TEXT);
    assert.equal(description.finishReason, "stop");
    assert.equal(description.usage.outputTokens, countWords(DEFAULT_TEXT));
    assert.ok(description.usage.inputTokens! > countWords(PROMPT));
    const body = emulator.requests[0].body as SeenChat;
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
  }, { ttftMs: 30, chunkDelayMs: 5 });
});

Deno.test("describe() calls onFirstToken once the first content delta arrives, not at the role chunk", async () => {
  // Counts the SSE frames the SDK has been handed when the first token is reported.
  let frames = 0;
  const counting: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const decoder = new TextDecoder();
    const body = response.body!.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          frames += decoder.decode(chunk, { stream: true }).split("data: ").length - 1;
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(body, response);
  };
  const emulator = startOpenAIEmulator({ ttftMs: 5, chunkDelayMs: 20 });
  try {
    const adapter = createOpenAI({
      apiKey: EMULATOR_OPENAI_KEY,
      baseUrl: `${emulator.url}/v1`,
      model: MODEL,
      fetch: counting,
    });
    let framesAtFirstToken = 0;
    await adapter.describe(request({ stream: true }), {
      onFirstToken: () => framesAtFirstToken = frames,
    });
    // Frame 1 is the role chunk (empty content); frame 2 carries the first word.
    assert.ok(framesAtFirstToken >= 2, `first token reported after ${framesAtFirstToken} frame(s)`);
    assert.ok(framesAtFirstToken < frames, `reported before the end (${frames} frames in all)`);
  } finally {
    await emulator.close();
  }
});

Deno.test("describe() sends a strict json_schema and returns the schema-validated object", async () => {
  for (const stream of [false, true]) {
    await withEmulator(async (emulator, adapter) => {
      const description = await adapter.describe(request({ schema: VENUE_SCHEMA, stream }));
      const parsed = VENUE_SCHEMA.schema.parse(description.structured);
      assert.deepEqual(description.structured, parsed);
      assert.equal(
        typeof (description.structured as { isEventVenue: boolean }).isEventVenue,
        "boolean",
      );
      const format = (emulator.requests[0].body as SeenChat).response_format;
      assert.equal(format.type, "json_schema");
      assert.equal(format.json_schema.name, "image_tags");
      assert.equal(format.json_schema.strict, true);
      assert.equal(format.json_schema.schema.additionalProperties, false);
      assert.deepEqual(format.json_schema.schema.required, ["tags", "scene", "isEventVenue"]);
      assert.equal(format.json_schema.schema.$schema, undefined);
    });
  }
});

Deno.test("describe() maps an answer that is not JSON for a schema request to invalid_response", async () => {
  await withEmulator(async (_emulator, adapter) => {
    const error = await failure(adapter.describe(request({ schema: VENUE_SCHEMA })));
    assert.equal(error.kind, "invalid_response");
    assert.equal(error.retryable, false);
  }, { ignoreSchema: true });
});

Deno.test("describe() maps a 429 insufficient_quota to a rate_limit that is not retryable", async () => {
  await withEmulator(async (emulator, adapter) => {
    emulator.fail("rate_limit");
    const error = await failure(adapter.describe(request()));
    assert.equal(error.kind, "rate_limit");
    assert.equal(error.retryable, false);
    assert.equal(error.code, "insufficient_quota");
  }, { rateLimitCode: "insufficient_quota" });
});

Deno.test("describe() maps a refusal to content_filter (not retryable), streamed or not", async () => {
  await withEmulator(async (emulator, adapter) => {
    for (const stream of [false, true]) {
      emulator.fail("refusal");
      const error = await failure(adapter.describe(request({ stream })));
      assert.equal(error.kind, "content_filter", `stream ${stream}: ${error.message}`);
      assert.equal(error.retryable, false);
    }
    assert.equal(emulator.requests.length, 2, "one request per call: no SDK retries");
  });
});

Deno.test("describe() maps a stream that ends without a finish reason to network", async () => {
  await withEmulator(async (_emulator, adapter) => {
    const error = await failure(adapter.describe(request({ stream: true })));
    assert.equal(error.kind, "network");
    assert.match(error.message, /ended before/);
  }, { streamWithoutFinish: true });
});

Deno.test("describe() maps a wrong key to auth (not retryable) without the key in the message", async () => {
  const wrongKey = "sk-wrong-SECRET-9876543210fedcba";
  await withEmulator(async (_emulator, adapter) => {
    const error = await failure(adapter.describe(request()));
    assert.equal(error.kind, "auth");
    assert.equal(error.status, 401);
    assert.equal(error.retryable, false);
    assert.ok(!error.message.includes(wrongKey));
    assert.ok(!String(error.stack).includes(wrongKey));
  }, { adapterKey: wrongKey });
});

Deno.test("describe() returns an empty answer with a warning rather than an error", async () => {
  await withEmulator(async (emulator, adapter) => {
    emulator.fail("empty", "empty");
    for (const stream of [false, true]) {
      const description = await adapter.describe(request({ stream }));
      assert.equal(description.text, "");
      assert.equal(description.finishReason, "stop");
      assert.deepEqual(description.warnings, ["the model answered with empty text"]);
    }
  });
});

Deno.test("describe() maps prompt_tokens_details.image_tokens to imageTokens when reported", async () => {
  await withEmulator(async (_emulator, adapter) => {
    const { usage } = await adapter.describe(request());
    assert.equal(
      usage.imageTokens,
      estimateImageTokens({ platform: "openai", model: "gpt-4o-mini", ...image }),
    );
    assert.equal(usage.inputTokens, usage.imageTokens! + countWords(PROMPT));
  }, { reportImageTokens: true });
});

Deno.test("describe() maps a max-tokens cut to finishReason length", async () => {
  await withEmulator(async (_emulator, adapter) => {
    const description = await adapter.describe(request({ maxOutputTokens: 5, stream: true }));
    assert.equal(description.finishReason, "length");
    assert.equal(description.usage.outputTokens, 5);
    assert.equal(countWords(description.text), 5);
  });
});

Deno.test("billed image tokens of real photos are within 5% of estimateImageTokens", async () => {
  const files = ["o01_cat.png", "v13_sydney_opera_night.webp", "o06_scanned_page.png"];
  await withEmulator(async (emulator) => {
    for (const file of files) {
      const photo = await samplePayload(file);
      for (const detail of ["auto", "low"] as const) {
        const detailed = createOpenAI({
          apiKey: EMULATOR_OPENAI_KEY,
          baseUrl: `${emulator.url}/v1`,
          model: MODEL,
          detail,
        });
        const { usage } = await detailed.describe(request({ image: photo }));
        const billed = usage.inputTokens! - countWords(PROMPT);
        const estimate = estimateImageTokens({
          platform: "openai",
          model: "gpt-4o-mini",
          width: photo.width,
          height: photo.height,
          detail,
        })!;
        assertWithin(billed, estimate, {
          relative: 0.05,
          label: `${file} ${detail} ${photo.width}×${photo.height} billed`,
        });
      }
    }
  });
});

Deno.test("describe() reports reasoning tokens apart from output tokens, so they are billed once", async () => {
  await withEmulator(async (_emulator, adapter) => {
    for (const stream of [false, true]) {
      const description = await adapter.describe(request({ stream }));
      // completion_tokens on the wire = answer words + 40 reasoning tokens.
      assert.equal(description.usage.reasoningTokens, 40);
      assert.equal(description.usage.outputTokens, countWords(DEFAULT_TEXT));
    }
  }, { reasoningTokens: 40 });
});
