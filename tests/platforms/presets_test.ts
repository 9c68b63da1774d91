import assert from "node:assert/strict";
import { ADAPTER_FACTORIES } from "../../adapters/mod.ts";
import { loadConfig } from "../../lib/platforms/config.ts";
import { isVisionBenchError } from "../../lib/contract/errors.ts";
import { loadPresets, parsePlatformChoice } from "../../lib/platforms/presets.ts";
import { loadPriceCards } from "../../lib/price/cost.ts";
import { missingEnv, resolvePlatform } from "../../lib/platforms/resolve.ts";
import { repoPath } from "../../lib/util/paths.ts";
import { startReplicateEmulator } from "../../emulators/replicate.ts";

Deno.test("parsePlatformChoice() keeps colons and slashes of the model", () => {
  assert.deepEqual(parsePlatformChoice("openai"), { preset: "openai" });
  assert.deepEqual(parsePlatformChoice("openai:gpt-4o"), { preset: "openai", model: "gpt-4o" });
  assert.deepEqual(parsePlatformChoice("ollama-cloud:qwen3-vl:235b-cloud"), {
    preset: "ollama-cloud",
    model: "qwen3-vl:235b-cloud",
  });
  assert.throws(
    () => parsePlatformChoice("openai:"),
    (error) => isVisionBenchError(error, "config"),
  );
});

Deno.test("every preset names an adapter that exists and a price card in data/prices.json", async () => {
  const presets = await loadPresets();
  const cards = await loadPriceCards();
  assert.ok(presets.length >= 11);
  for (const preset of presets) {
    assert.ok(ADAPTER_FACTORIES[preset.adapter], `${preset.id}: adapter ${preset.adapter} missing`);
    assert.ok(cards.get(preset.priceCard), `${preset.id}: price card ${preset.priceCard} missing`);
  }
});

Deno.test("resolvePlatform() names the missing key, never a value, for an unconfigured preset", async () => {
  const presets = await loadPresets();
  const config = loadConfig({ env: { CLOUDFLARE_API_TOKEN: "cf-token-secret-1" }, envFile: null });
  const cloudflare = presets.find((preset) => preset.id === "cloudflare")!;
  assert.deepEqual(missingEnv(cloudflare, config), ["CLOUDFLARE_ACCOUNT_ID"]);
  assert.throws(
    () =>
      resolvePlatform({ preset: "cloudflare" }, presets, {
        config,
        factories: ADAPTER_FACTORIES,
        priceCards: new Map(),
      }),
    (error) => {
      assert.ok(isVisionBenchError(error, "config"));
      assert.match(error.message, /CLOUDFLARE_ACCOUNT_ID/);
      assert.equal(error.message.includes("cf-token-secret-1"), false);
      return true;
    },
  );
});

Deno.test("resolvePlatform() rejects an unknown preset listing the known ones", async () => {
  const presets = await loadPresets();
  assert.throws(
    () =>
      resolvePlatform({ preset: "openia" }, presets, {
        config: loadConfig({ env: {}, envFile: null }),
        factories: ADAPTER_FACTORIES,
        priceCards: new Map(),
      }),
    /unknown platform "openia"; known: local, ollama-local/,
  );
});

Deno.test("resolvePlatform() gives a model override its own card, or the preset's when price is model-independent", async () => {
  const presets = await loadPresets();
  const priceCards = await loadPriceCards();
  const config = loadConfig({ env: { OPENAI_API_KEY: "sk-test-abcdef" }, envFile: null });
  const options = { config, factories: ADAPTER_FACTORIES, priceCards };
  const gpt4o = resolvePlatform({ preset: "openai", model: "gpt-4o" }, presets, options);
  assert.equal(gpt4o.priceCard?.id, "openai/gpt-4o");
  const unknownModel = resolvePlatform(
    { preset: "openai", model: "gpt-unknown" },
    presets,
    options,
  );
  assert.equal(unknownModel.priceCard, undefined);
  const localOllama = resolvePlatform(
    { preset: "ollama-local", model: "llava:7b" },
    presets,
    options,
  );
  assert.equal(localOllama.priceCard?.basis, "free");
});

Deno.test("the replicate preset calls its community model by version (POST /v1/predictions)", async () => {
  const emulator = startReplicateEmulator({ token: "r8_preset-test-token-0001" });
  try {
    const presets = await loadPresets();
    const resolved = resolvePlatform({ preset: "replicate" }, presets, {
      config: loadConfig({
        env: {
          REPLICATE_API_TOKEN: "r8_preset-test-token-0001",
          REPLICATE_BASE_URL: `${emulator.url}/v1`,
        },
        envFile: null,
      }),
      factories: ADAPTER_FACTORIES,
      priceCards: await loadPriceCards(),
    });
    const image = {
      bytes: await Deno.readFile(repoPath("images/o01_cat.png")),
      mimeType: "image/png" as const,
      width: 451,
      height: 300,
    };
    const description = await resolved.adapter.describe({
      image,
      prompt: "Describe.",
      maxOutputTokens: 50,
      stream: false,
    });
    assert.ok(description.text.length > 0);
    const create = emulator.requests.find((request) => request.method === "POST")!;
    assert.equal(create.path, "/v1/predictions");
    assert.match(String((create.body as { version?: string }).version), /^[0-9a-f]{64}$/);
  } finally {
    await emulator.close();
  }
});

Deno.test("resolvePlatform() refuses a retired model on every preset, naming the successor, before any adapter exists", async () => {
  const presets = await loadPresets();
  const config = loadConfig({ env: {}, envFile: null });
  // Every factory fails the test if reached: the rule lives in resolve, not in the adapters.
  const factories = Object.fromEntries(
    Object.keys(ADAPTER_FACTORIES).map((
      name,
    ) => [name, () => assert.fail(`adapter ${name} built`)]),
  );
  for (const preset of presets) {
    const retired = [{
      platform: preset.platform,
      model: "vision-old",
      match: "prefix" as const,
      retiredOn: "2026-01-31",
      replacement: "vision-new",
      source: "https://example.com/deprecations",
    }];
    assert.throws(
      () =>
        resolvePlatform({ preset: preset.id, model: "vision-old-2025" }, presets, {
          config,
          factories,
          priceCards: new Map(),
          retired,
        }),
      (error) => {
        assert.ok(isVisionBenchError(error, "config"), `${preset.id}: ${error}`);
        assert.match(error.message, /vision-old-2025 was retired on 2026-01-31; use vision-new/);
        assert.equal(error.code, "retired_model");
        return true;
      },
    );
  }
});

Deno.test("resolvePlatform() refuses the retired Claude Haikus from data/model-lifecycle.json", async () => {
  const presets = await loadPresets();
  const config = loadConfig({
    env: { ANTHROPIC_API_KEY: "sk-ant-test-0123456789" },
    envFile: null,
  });
  const cases = [
    ["claude-3-5-haiku-20241022", "2026-02-19"],
    ["claude-3-5-haiku-latest", "2026-02-19"],
    ["claude-3-haiku-20240307", "2026-04"],
  ];
  for (const [model, date] of cases) {
    assert.throws(
      () =>
        resolvePlatform({ preset: "anthropic", model }, presets, {
          config,
          factories: ADAPTER_FACTORIES,
          priceCards: new Map(),
        }),
      (error) =>
        isVisionBenchError(error, "config") &&
        new RegExp(`${model} was retired on ${date}; use claude-haiku-4-5`).test(error.message),
    );
  }
  // The current model still resolves.
  const current = resolvePlatform({ preset: "anthropic" }, presets, {
    config,
    factories: ADAPTER_FACTORIES,
    priceCards: new Map(),
  });
  assert.equal(current.model, "claude-haiku-4-5");
});
