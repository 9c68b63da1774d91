import assert from "node:assert/strict";
import {
  anthropicImageTokens,
  estimateImageTokens,
  geminiImageTokens,
  kimiImageTokens,
  openAIImageTokens,
} from "../../lib/price/image-tokens.ts";
import { isUsageError } from "../support/usage-error.ts";

Deno.test("openAIImageTokens() counts 1024² on gpt-4o-mini at detail high as 4 tiles = 25,501", () => {
  // 1024² fits in 2048²; short side 1024 → 768, so 768×768 → ceil(768/512)² = 4 tiles.
  // 2833 + 4 × 5667 = 25,501 (providers.md example).
  assert.equal(
    openAIImageTokens({ width: 1024, height: 1024, model: "gpt-4o-mini", detail: "high" }),
    25_501,
  );
});

Deno.test("openAIImageTokens() counts only the base at detail low (2,833 on gpt-4o-mini)", () => {
  assert.equal(
    openAIImageTokens({ width: 1024, height: 1024, model: "gpt-4o-mini", detail: "low" }),
    2_833,
  );
  assert.equal(
    openAIImageTokens({ width: 4000, height: 3000, model: "gpt-4o", detail: "low" }),
    85,
  );
});

Deno.test("openAIImageTokens() estimates detail auto as high (the upper bound)", () => {
  assert.equal(openAIImageTokens({ width: 1024, height: 1024, model: "gpt-4o-mini" }), 25_501);
});

Deno.test("openAIImageTokens() fits in 2048² then scales the short side to 768 (gpt-4o)", () => {
  // 2048×4096 → fit 1024×2048 → short side 768: 768×1536 → 2 × 3 = 6 tiles → 85 + 6 × 170 = 1,105
  assert.equal(openAIImageTokens({ width: 2048, height: 4096, model: "gpt-4o" }), 1_105);
  // 1024² → 768² → 4 tiles → 85 + 4 × 170 = 765
  assert.equal(openAIImageTokens({ width: 1024, height: 1024, model: "gpt-4o" }), 765);
});

Deno.test("openAIImageTokens() never scales a small image up (128² is one tile)", () => {
  // 128×128 stays 128×128 → 1 tile → 85 + 170 = 255
  assert.equal(openAIImageTokens({ width: 128, height: 128, model: "gpt-4o" }), 255);
});

Deno.test("openAIImageTokens() rejects a model outside the GPT-4o family", () => {
  assert.throws(
    () => openAIImageTokens({ width: 512, height: 512, model: "gpt-4.1" }),
    isUsageError,
  );
});

Deno.test("kimiImageTokens() counts 14-px patches: 1024² → 5,329 and Baseten's other squares", () => {
  // floor(1024 / 14) = 73 → 73 × 73 = 5,329; floor(512/14)=36 → 1,296; floor(256/14)=18 → 324
  assert.equal(kimiImageTokens({ width: 1024, height: 1024 }), 5_329);
  assert.equal(kimiImageTokens({ width: 512, height: 512 }), 1_296);
  assert.equal(kimiImageTokens({ width: 256, height: 256 }), 324);
  // a sliver narrower than a patch still counts one column
  assert.equal(kimiImageTokens({ width: 10, height: 140 }), 10);
});

Deno.test("anthropicImageTokens() is ceil(w·h / 750): 1000×1000 → 1,334", () => {
  // 1,000,000 / 750 = 1,333.3 → 1,334
  assert.equal(anthropicImageTokens({ width: 1000, height: 1000 }), 1_334);
  // 1092² (Anthropic's largest unresized square): 1,192,464 / 750 = 1,589.95 → 1,590
  assert.equal(anthropicImageTokens({ width: 1092, height: 1092 }), 1_590);
});

Deno.test("anthropicImageTokens() scales big images to ≤ 1.2 MP and long edge ≤ 1568", () => {
  // 3000×2000: scale = min(1568/3000 = 0.5227, √(1.2e6 / 6e6) = 0.4472) = 0.4472
  // → floor(1341.6) × floor(894.4) = 1341 × 894 = 1,198,854 px / 750 = 1,598.5 → 1,599
  assert.equal(anthropicImageTokens({ width: 3000, height: 2000 }), 1_599);
  // 2000×200: long edge rules, scale = 1568/2000 = 0.784 → 1568 × floor(156.8) = 1568 × 156
  // = 244,608 px / 750 = 326.1 → 327
  assert.equal(anthropicImageTokens({ width: 2000, height: 200 }), 327);
});

Deno.test("geminiImageTokens() is 258 when both sides ≤ 384, else 258 per 768² tile", () => {
  assert.equal(geminiImageTokens({ width: 384, height: 384 }), 258);
  assert.equal(geminiImageTokens({ width: 100, height: 50 }), 258);
  // 1024² → ceil(1024/768)² = 4 tiles → 4 × 258 = 1,032
  assert.equal(geminiImageTokens({ width: 1024, height: 1024 }), 1_032);
  // 385×100 is over 384 on one side → 1 × 1 tile → 258
  assert.equal(geminiImageTokens({ width: 385, height: 100 }), 258);
  // 1920×1080 → 3 × 2 tiles → 6 × 258 = 1,548
  assert.equal(geminiImageTokens({ width: 1920, height: 1080 }), 1_548);
});

Deno.test("estimateImageTokens() picks the rule from platform and model", () => {
  const size = { width: 1024, height: 1024 };
  assert.equal(estimateImageTokens({ platform: "openai", model: "gpt-4o-mini", ...size }), 25_501);
  assert.equal(
    estimateImageTokens({ platform: "openai", model: "gpt-4o-mini", detail: "low", ...size }),
    2_833,
  );
  assert.equal(
    estimateImageTokens({ platform: "openai", model: "gpt-4o-2024-08-06", ...size }),
    765,
  );
  // Baseten speaks the OpenAI protocol but Kimi counts patches, not tiles.
  assert.equal(
    estimateImageTokens({ platform: "baseten", model: "moonshotai/Kimi-K2.6", ...size }),
    5_329,
  );
  assert.equal(
    estimateImageTokens({ platform: "anthropic", model: "claude-haiku-4-5", ...size }),
    Math.ceil(1024 * 1024 / 750),
  );
  assert.equal(
    estimateImageTokens({ platform: "gemini", model: "gemini-2.5-flash-lite", ...size }),
    1_032,
  );
});

Deno.test("estimateImageTokens() returns undefined where no rule is documented", () => {
  const size = { width: 1024, height: 1024 };
  const noRule = [
    { platform: "cloudflare", model: "@cf/meta/llama-3.2-11b-vision-instruct" },
    { platform: "replicate", model: "lucataco/moondream2" },
    { platform: "runpod", model: "moondream2" },
    { platform: "ollama-local", model: "moondream" },
    { platform: "ollama-vps", model: "moondream" },
    { platform: "ollama-cloud", model: "qwen3-vl:235b" },
    { platform: "local", model: "sharp-baseline" },
    { platform: "openai", model: "gpt-4.1-mini" },
  ];
  for (const target of noRule) {
    assert.equal(estimateImageTokens({ ...target, ...size }), undefined, target.platform);
  }
});

Deno.test("estimateImageTokens() rejects sizes that are not positive", () => {
  for (const [width, height] of [[0, 10], [10, -1], [Number.NaN, 10], [10, Infinity]]) {
    assert.throws(
      () =>
        estimateImageTokens({ platform: "gemini", model: "gemini-2.5-flash-lite", width, height }),
      isUsageError,
    );
  }
});
