import assert from "node:assert/strict";
import { z } from "zod";
import { type CloudflareSettings, createCloudflare } from "../../adapters/cloudflare.ts";
import { VisionBenchError } from "../../lib/contract/errors.ts";
import {
  type CloudflareEmulator,
  type CloudflareEmulatorOptions,
  EMULATED_IMAGE_TOKENS,
  startCloudflareEmulator,
} from "../../emulators/cloudflare.ts";
import { DEFAULT_TEXT } from "../../emulators/harness.ts";
import { adapterContract, EVERY_FAULT } from "../support/adapter-contract.ts";
import { describeRequests } from "../support/describe-request.ts";
import { withEmulator } from "../support/emulator-session.ts";
import { rejection } from "../support/rejection.ts";
import { samplePayload } from "../support/sample-image.ts";

/** The cloudflare preset's model (data/presets.json). */
const LLAMA = "@cf/meta/llama-3.2-11b-vision-instruct";

const image = await samplePayload("o01_cat.png");
const request = describeRequests(image, { prompt: "Describe this image." });
const TOKEN = "cf-fake-token-3b8e1d6c0a";
const GEMMA = "@cf/google/gemma-3-12b-it";

adapterContract("cloudflare", {
  start: (behaviour) =>
    startCloudflareEmulator({ token: TOKEN, accountId: "acc123", agreed: true, ...behaviour }),
  adapterFor: (emulator) =>
    createCloudflare({ apiKey: TOKEN, accountId: "acc123", baseUrl: emulator.url, model: LLAMA }),
  request,
  secret: TOKEN,
  platform: "cloudflare",
  streams: true,
  // A small body: Deno.serve does not see the abort of a hanging request with a large body.
  abortRequest: { image: { ...image, bytes: image.bytes.subarray(0, 64) } },
  supports: {
    ...EVERY_FAULT,
    omitUsage: { inputTokens: undefined, outputTokens: undefined, totalTokens: undefined },
  },
});

/** Runs `body` with an agreed emulator on account acc123 and an adapter pointed at it. */
function withCloudflare(
  body: (
    emulator: CloudflareEmulator,
    adapter: ReturnType<typeof createCloudflare>,
  ) => Promise<void>,
  options: { emulator?: CloudflareEmulatorOptions; adapter?: Partial<CloudflareSettings> } = {},
): Promise<void> {
  return withEmulator({
    emulator: startCloudflareEmulator({
      token: TOKEN,
      accountId: "acc123",
      agreed: true,
      ...options.emulator,
    }),
    adapterFor: (emulator) =>
      createCloudflare({
        apiKey: TOKEN,
        accountId: "acc123",
        baseUrl: emulator.url,
        model: LLAMA,
        ...options.adapter,
      }),
  }, body);
}

Deno.test("describe() sends llama-3.2 vision the image as a byte array and maps response + usage", async () => {
  await withCloudflare(async (emulator, adapter) => {
    const result = await adapter.describe(request({ temperature: 0.3 }));
    assert.equal(result.text, DEFAULT_TEXT);
    assert.equal(result.finishReason, "stop");
    assert.deepEqual(result.usage, {
      inputTokens: 3 + EMULATED_IMAGE_TOKENS,
      outputTokens: 20,
      totalTokens: 3 + EMULATED_IMAGE_TOKENS + 20,
    });
    const sent = emulator.requests[0];
    assert.equal(
      sent.path,
      "/client/v4/accounts/acc123/ai/run/@cf/meta/llama-3.2-11b-vision-instruct",
    );
    assert.equal(sent.headers.authorization, `Bearer ${TOKEN}`);
    const body = sent.body as {
      messages: { role: string; content: string }[];
      image: number[];
      max_tokens: number;
      temperature: number;
      stream: boolean;
    };
    assert.deepEqual(body.messages, [{ role: "user", content: "Describe this image." }]);
    assert.deepEqual(Uint8Array.from(body.image), image.bytes);
    assert.equal(body.max_tokens, 300);
    assert.equal(body.temperature, 0.3);
    assert.equal(body.stream, false);
  });
});

Deno.test("describe() sends gemma-3 an OpenAI-style image_url data URL", async () => {
  await withCloudflare(async (emulator, adapter) => {
    const result = await adapter.describe(request());
    assert.equal(result.text, DEFAULT_TEXT);
    const body = emulator.requests[0].body as {
      messages: { content: { type: string; text?: string; image_url?: { url: string } }[] }[];
      image?: unknown;
    };
    const [text, picture] = body.messages[0].content;
    assert.deepEqual(text, { type: "text", text: "Describe this image." });
    assert.ok(picture.image_url?.url.startsWith("data:image/png;base64,"));
    assert.equal(body.image, undefined);
  }, { adapter: { model: GEMMA } });
});

Deno.test("describe() streams SSE, calls onFirstToken before completion and reads usage from the last event", async () => {
  await withCloudflare(async (emulator, adapter) => {
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

Deno.test("describe() without usage still finishes with stop, and infers length from max_tokens", async () => {
  await withCloudflare(async (emulator, adapter) => {
    const result = await adapter.describe(request({ stream: true }));
    assert.equal(result.finishReason, "stop");
    emulator.options.omitUsage = false;
    const short = await adapter.describe(request({ maxOutputTokens: 4 }));
    assert.equal(short.finishReason, "length");
    assert.equal(short.rawFinishReason, undefined);
  }, { emulator: { omitUsage: true } });
});

Deno.test("describe() without agreement throws bad_request telling how to agree (5016)", async () => {
  await withCloudflare(async (emulator, adapter) => {
    const error = await rejection(adapter.describe(request()));
    assert.equal(error.kind, "bad_request");
    assert.equal(error.code, 5016);
    assert.equal(error.retryable, false);
    assert.match(error.message, /\{"prompt":"agree"\}/);
    assert.match(error.message, /agreeToLicense: true/);
    assert.ok(!error.message.includes(TOKEN));
    assert.equal(emulator.requests.length, 1);
  }, { emulator: { agreed: false } });
});

Deno.test("describe() with agreeToLicense sends the agreement once and repeats the call once", async () => {
  await withCloudflare(async (emulator, adapter) => {
    const result = await adapter.describe(request({ stream: true }));
    assert.equal(result.text, DEFAULT_TEXT);
    const bodies = emulator.requests.map((seen) =>
      seen.body as { prompt?: string; stream?: boolean }
    );
    assert.equal(bodies.length, 3);
    assert.deepEqual(bodies[1], { prompt: "agree" });
    assert.equal(bodies[2].stream, true);
    await adapter.describe(request());
    assert.equal(emulator.requests.length, 4, "no second agreement");
  }, { emulator: { agreed: false }, adapter: { agreeToLicense: true } });
});

Deno.test("describe() asks JSON Mode for content-style models and warns on llama-3.2 vision", async () => {
  const schema = z.object({ subject: z.string(), count: z.number() });
  await withCloudflare(async (emulator, adapter) => {
    const result = await adapter.describe(request({ schema: { name: "scene", schema } }));
    assert.deepEqual(result.structured, { subject: "cat", count: 1 });
    const format = (emulator.requests[0].body as {
      response_format: { type: string; json_schema: { type: string } };
    }).response_format;
    assert.equal(format.type, "json_schema");
    assert.equal(format.json_schema.type, "object");

    const llama = createCloudflare({
      apiKey: TOKEN,
      accountId: "acc123",
      baseUrl: emulator.url,
      model: LLAMA,
    });
    assert.equal(llama.capabilities.structuredOutput, false);
    const plain = await llama.describe(request({ schema: { name: "scene", schema } }));
    assert.equal(plain.structured, undefined);
    assert.deepEqual(plain.warnings, [
      "structured output unsupported on cloudflare (@cf/meta/llama-3.2-11b-vision-instruct)",
    ]);
    assert.equal(
      (emulator.requests[1].body as { response_format?: unknown }).response_format,
      undefined,
    );
  }, {
    emulator: { text: JSON.stringify({ subject: "cat", count: 1 }) },
    adapter: {
      model: GEMMA,
    },
  });
});

Deno.test("describe() maps Workers AI error codes to kinds, retryable and retryAfterMs", async () => {
  const cases = [
    { code: 5007, kind: "not_found", status: 400, retryable: false },
    { code: 3006, kind: "bad_request", status: 413, retryable: false },
    { code: 3007, kind: "timeout", status: 408, retryable: true },
    { code: 3036, kind: "rate_limit", status: 429, retryable: true, retryAfterMs: 7000 },
    { code: 3040, kind: "rate_limit", status: 429, retryable: true, retryAfterMs: 7000 },
  ] as const;
  await withCloudflare(async (emulator, adapter) => {
    for (const expected of cases) {
      emulator.options.nextErrorCode = expected.code;
      const error = await rejection(adapter.describe(request()));
      assert.equal(error.kind, expected.kind, String(expected.code));
      assert.equal(error.code, expected.code);
      assert.equal(error.status, expected.status);
      assert.equal(error.retryable, expected.retryable);
      if ("retryAfterMs" in expected) assert.equal(error.retryAfterMs, expected.retryAfterMs);
    }
    const missing = await rejection(
      createCloudflare({
        apiKey: TOKEN,
        accountId: "acc123",
        baseUrl: emulator.url,
        model: "@cf/qwen/qwen2.5-vl",
      }).describe(request()),
    );
    assert.equal(missing.kind, "not_found");
  }, { emulator: { retryAfterSeconds: 7 } });
});

Deno.test("createCloudflare() needs an account id", () => {
  assert.throws(
    () => createCloudflare({ apiKey: TOKEN, model: LLAMA, baseUrl: "http://127.0.0.1:9" }),
    (error: unknown) =>
      error instanceof VisionBenchError && error.kind === "config" &&
      /account id/.test(error.message),
  );
});

Deno.test("emulator serves the OpenAI-compatible chat completions route", async () => {
  await withCloudflare(async (emulator) => {
    const response = await fetch(
      `${emulator.url}/client/v4/accounts/acc123/ai/v1/chat/completions`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: GEMMA,
          messages: [{ role: "user", content: "Describe." }],
          max_tokens: 50,
        }),
      },
    );
    const answer = await response.json() as {
      choices: { message: { content: string } }[];
      usage: { prompt_tokens: number };
    };
    assert.equal(answer.choices[0].message.content, DEFAULT_TEXT);
    assert.equal(answer.usage.prompt_tokens, 1 + EMULATED_IMAGE_TOKENS);
  });
});
