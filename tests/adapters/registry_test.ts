import assert from "node:assert/strict";
import {
  ADAPTER_FACTORIES,
  ADAPTERS,
  BATCH_ADAPTER_FACTORIES,
  createLocal,
  createOpenAIBatch,
  listVisionModels,
  loadAdapterFactories,
  loadBatchAdapterFactories,
  loadModelProbes,
  MODEL_PROBES,
  modelProbes,
} from "../../adapters/mod.ts";
import { adapterNames } from "../../lib/app/targets.ts";
import { loadPresets } from "../../lib/platforms/presets.ts";

Deno.test("loadAdapterFactories() loads the factories named, the very functions adapters/mod.ts exports; unknown names are left out", async () => {
  const factories = await loadAdapterFactories(["local", "local", "no-such-adapter"]);
  assert.deepEqual(Object.keys(factories), ["local"]);
  assert.equal(factories.local, createLocal);
});

Deno.test("the eager maps of adapters/mod.ts hold every registry entry and nothing else", () => {
  const names = Object.keys(ADAPTERS);
  assert.deepEqual(Object.keys(ADAPTER_FACTORIES), names);
  assert.deepEqual(
    Object.keys(BATCH_ADAPTER_FACTORIES),
    names.filter((name) => ADAPTERS[name].batch),
  );
  assert.deepEqual(Object.keys(MODEL_PROBES), names.filter((name) => ADAPTERS[name].probe));
});

Deno.test("batch factories and probes load only for the adapters that have them", async () => {
  assert.deepEqual(await loadBatchAdapterFactories(["openai", "local"]), {
    openai: createOpenAIBatch,
  });
  assert.deepEqual(await loadModelProbes(["ollama", "openai"]), { ollama: listVisionModels });
  assert.deepEqual(Object.keys(modelProbes()), Object.keys(MODEL_PROBES));
});

Deno.test("adapterNames() maps platform choices to their presets' adapters, leaving unknown presets to the resolver", async () => {
  const presets = await loadPresets();
  assert.deepEqual(
    adapterNames([{ preset: "openai" }, { preset: "local" }, { preset: "nope" }], presets),
    ["openai", "local"],
  );
});
