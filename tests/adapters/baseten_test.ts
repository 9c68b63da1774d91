/**
 * Baseten Model APIs (Kimi K2.6) through the OpenAI adapter with `platform: "baseten"`, the real
 * `openai` SDK against the local OpenAI-compatible emulator.
 */
import assert from "node:assert/strict";
import { createOpenAI } from "../../adapters/openai.ts";
import { estimateImageTokens } from "../../lib/price/image-tokens.ts";
import { VENUE_SCHEMA } from "../../lib/contract/schemas.ts";
import { countWords, DEFAULT_TEXT } from "../../emulators/harness.ts";
import {
  EMULATOR_OPENAI_KEY,
  type OpenAIEmulator,
  startOpenAIEmulator,
} from "../../emulators/openai.ts";
import { adapterContract, EVERY_FAULT } from "../support/adapter-contract.ts";
import { DESCRIBE_PROMPT as PROMPT, describeRequests } from "../support/describe-request.ts";
import { withEmulator } from "../support/emulator-session.ts";
import { samplePayload } from "../support/sample-image.ts";
import { assertWithin } from "../support/tolerance.ts";

const request = describeRequests(await samplePayload("v07_chateau_chambord_lawn.webp", "512"));

// As the preset resolves it: data/presets.json names adapter "openai" with platform "baseten".
const adapterFor = (emulator: OpenAIEmulator) =>
  createOpenAI({
    platform: "baseten",
    apiKey: EMULATOR_OPENAI_KEY,
    baseUrl: `${emulator.url}/v1`,
    model: "moonshotai/Kimi-K2.6",
  });

adapterContract("baseten", {
  start: (behaviour) => startOpenAIEmulator(behaviour),
  adapterFor,
  request,
  secret: EMULATOR_OPENAI_KEY,
  platform: "baseten",
  streams: true,
  // With a request body over ~64 KB Deno.serve may not see the client abort a hanging request.
  abortRequest: { image: await samplePayload("o01_cat.png", "32") },
  supports: {
    ...EVERY_FAULT,
    omitUsage: {},
  },
});

function withBaseten(
  body: (emulator: OpenAIEmulator, adapter: ReturnType<typeof createOpenAI>) => Promise<void>,
): Promise<void> {
  return withEmulator({
    emulator: startOpenAIEmulator(),
    adapterFor,
  }, body);
}

Deno.test("baseten preset sends moonshotai/Kimi-K2.6 with max_tokens and maps the answer", async () => {
  await withBaseten(async (emulator, adapter) => {
    assert.equal(adapter.id, "baseten");
    assert.equal(adapter.model, "moonshotai/Kimi-K2.6");
    assert.equal(adapter.billing, "tokens");
    assert.equal(adapter.capabilities.batch, false);
    const description = await adapter.describe(request({ stream: true }));
    assert.equal(description.text, DEFAULT_TEXT);
    assert.equal(description.responseModel, "moonshotai/Kimi-K2.6");
    assert.equal(description.usage.outputTokens, countWords(DEFAULT_TEXT));
    // vLLM-style usage: no prompt/completion details, so these stay unknown rather than 0.
    assert.equal(description.usage.cachedInputTokens, undefined);
    assert.equal(description.usage.reasoningTokens, undefined);
    const body = emulator.requests[0].body as Record<string, unknown>;
    assert.equal(body.model, "moonshotai/Kimi-K2.6");
    assert.equal(body.max_tokens, 300);
    assert.equal(body.max_completion_tokens, undefined);
    assert.deepEqual(body.stream_options, { include_usage: true });
  });
});

Deno.test("baseten bills Kimi image patches within 5% of estimateImageTokens for real photos", async () => {
  await withBaseten(async (_emulator, adapter) => {
    for (const file of ["o04_pizza.jpg", "v17_riverfront_night.jpg", "o05_screenshot_ui.png"]) {
      const photo = await samplePayload(file);
      const { usage } = await adapter.describe(request({ image: photo }));
      const billed = usage.inputTokens! - countWords(PROMPT);
      const estimate = estimateImageTokens({
        platform: "baseten",
        model: "moonshotai/Kimi-K2.6",
        width: photo.width,
        height: photo.height,
      })!;
      assertWithin(billed, estimate, {
        relative: 0.05,
        label: `${file} ${photo.width}×${photo.height} billed`,
      });
    }
  });
});

Deno.test("baseten structured output comes back validated by the zod schema", async () => {
  await withBaseten(async (_emulator, adapter) => {
    const description = await adapter.describe(request({ schema: VENUE_SCHEMA }));
    assert.deepEqual(description.structured, VENUE_SCHEMA.schema.parse(description.structured));
  });
});
