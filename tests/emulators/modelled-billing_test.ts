/**
 * Emulators that model a service time (the `report --emulated` demo) bill by it, as the real
 * platforms bill by theirs: Replicate's predict_time, RunPod's executionTime and Ollama's
 * durations follow the modelled time, never the compressed wait, and never exceed it; token counts
 * follow the image's size by the model's own rule. Checked through the real adapters.
 */
import assert from "node:assert/strict";
import { createReplicate } from "../../adapters/replicate.ts";
import { createRunPod } from "../../adapters/runpod.ts";
import { createOllama } from "../../adapters/ollama.ts";
import { createCloudflare } from "../../adapters/cloudflare.ts";
import { startReplicateEmulator } from "../../emulators/replicate.ts";
import { EMULATOR_RUNPOD_KEY, startRunPodEmulator } from "../../emulators/runpod.ts";
import { startOllamaEmulator } from "../../emulators/ollama.ts";
import { startCloudflareEmulator } from "../../emulators/cloudflare.ts";
import {
  mllamaImageTokens,
  MOONDREAM_IMAGE_TOKENS,
  qwenVlImageTokens,
} from "../../lib/price/image-tokens.ts";
import { closing } from "../support/emulator-session.ts";
import { describeRequests } from "../support/describe-request.ts";
import { samplePayload } from "../support/sample-image.ts";

const PROMPT = "Describe this image.";
const small = await samplePayload("o01_cat.png"); // 451×300
const large = await samplePayload("v01_orchestra_concert_hall.webp"); // 1024×613
// A modelled 4.1 s call, waited as 4 ms.
const modelled = { latencyMs: 4, modelledMs: 4100 };

Deno.test("replicate emulator: predict_time follows the modelled service time, under it", async () => {
  const token = "r8_modelled_billing_0000";
  await closing(startReplicateEmulator({ token, ...modelled }), async (emulator) => {
    const adapter = createReplicate({
      apiKey: token,
      baseUrl: `${emulator.url}/v1`,
      model: "lucataco/moondream2",
      pollIntervalMs: 5,
    });
    const answer = await adapter.describe(describeRequests(small, { prompt: PROMPT })());
    const gpuSeconds = answer.timing?.gpuSeconds ?? NaN;
    assert.ok(gpuSeconds > 3.9 && gpuSeconds < 4.1, `predict_time ${gpuSeconds}`);
    assert.equal(answer.simulation?.modelledMs, 4100);
  });
});

Deno.test("runpod emulator: executionTime follows the modelled service time, with delayTime inside it", async () => {
  await closing(startRunPodEmulator({ ...modelled, modelledMs: 1700 }), async (emulator) => {
    const adapter = createRunPod({
      apiKey: EMULATOR_RUNPOD_KEY,
      endpointId: "e1",
      baseUrl: `${emulator.url}/v2`,
      model: "moondream2",
      pollIntervalMs: 5,
    });
    const answer = await adapter.describe(describeRequests(small, { prompt: PROMPT })());
    const executionMs = (answer.timing?.gpuSeconds ?? NaN) * 1000;
    const queueMs = answer.timing?.queueMs ?? NaN;
    assert.ok(executionMs > 1000, `executionTime ${executionMs} ms`);
    assert.ok(executionMs + queueMs <= 1700, `${executionMs} + ${queueMs} ms exceeds the call`);
  });
});

Deno.test("ollama emulator: durations add up to the modelled time; image tokens by the model's rule", async () => {
  const models = [{ name: "moondream:latest", vision: true }, {
    name: "qwen3-vl:235b",
    vision: true,
  }];
  await closing(startOllamaEmulator({ ...modelled, models }), async (emulator) => {
    const adapterOf = (model: string) =>
      createOllama({ platform: "ollama-vps", model, baseUrl: emulator.url });
    const counts: number[] = [];
    for (const image of [small, large]) {
      const answer = await adapterOf("qwen3-vl:235b").describe(
        describeRequests(image, { prompt: PROMPT })({ stream: false }),
      );
      const serverMs = answer.timing?.serverMs ?? NaN;
      assert.ok(Math.abs(serverMs - 4100) < 5, `total_duration ${serverMs} ms`);
      const words = PROMPT.split(" ").length;
      assert.equal(answer.usage.inputTokens, words + qwenVlImageTokens(image));
      counts.push(answer.usage.inputTokens!);
    }
    assert.ok(counts[1] > counts[0], `a larger image counts more tokens: ${counts}`);
    const moondream = await adapterOf("moondream").describe(
      describeRequests(large, { prompt: PROMPT })({ stream: false }),
    );
    assert.equal(moondream.usage.inputTokens, PROMPT.split(" ").length + MOONDREAM_IMAGE_TOKENS);
  });
});

Deno.test("cloudflare emulator: llama-3.2 vision prompt_tokens follow the image's tiles", async () => {
  const token = "cf-modelled-billing";
  await closing(
    startCloudflareEmulator({ token, accountId: "acc1", agreed: true }),
    async (emulator) => {
      const adapter = createCloudflare({
        apiKey: token,
        accountId: "acc1",
        baseUrl: emulator.url,
        model: "@cf/meta/llama-3.2-11b-vision-instruct",
      });
      const counts = [];
      for (const image of [small, large]) {
        const answer = await adapter.describe(describeRequests(image, { prompt: PROMPT })());
        assert.equal(
          answer.usage.inputTokens,
          PROMPT.split(" ").length + mllamaImageTokens(image),
          `${image.width}×${image.height}`,
        );
        counts.push(answer.usage.inputTokens!);
      }
      assert.ok(counts[1] > counts[0], `a larger image counts more tokens: ${counts}`);
    },
  );
});

Deno.test("mllamaImageTokens() and qwenVlImageTokens() follow the processors' rules", () => {
  assert.equal(mllamaImageTokens({ width: 451, height: 300 }), 1601); // fits one tile, upscaled
  assert.equal(mllamaImageTokens({ width: 1024, height: 1024 }), 4 * 1601); // 2 × 2
  assert.equal(mllamaImageTokens({ width: 1120, height: 500 }), 2 * 1601); // 1 row × 2
  assert.equal(mllamaImageTokens({ width: 6000, height: 4000 }), 4 * 1601); // capped at 4
  assert.equal(qwenVlImageTokens({ width: 1024, height: 1024 }), 1024);
  assert.equal(qwenVlImageTokens({ width: 451, height: 300 }), 14 * 9);
});
