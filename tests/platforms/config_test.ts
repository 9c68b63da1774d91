import assert from "node:assert/strict";
import { loadConfig } from "../../lib/platforms/config.ts";
import { isVisionBenchError } from "../../lib/contract/errors.ts";
import { redact } from "../../lib/util/secrets.ts";

Deno.test("loadConfig() reads .env and lets the process environment win", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/.env`,
    "OPENAI_API_KEY=sk-from-file-123456\nGEMINI_API_KEY=gm-file-abcdef\n",
  );
  const config = loadConfig({
    env: { OPENAI_API_KEY: "sk-from-env-654321" },
    envFile: `${dir}/.env`,
  });
  assert.equal(config.get("OPENAI_API_KEY"), "sk-from-env-654321");
  assert.equal(config.get("GEMINI_API_KEY"), "gm-file-abcdef");
  assert.equal(config.get("ANTHROPIC_API_KEY"), undefined);
});

Deno.test("loadConfig() treats a missing .env as empty and empty values as unset", () => {
  const config = loadConfig({ env: { OPENAI_API_KEY: "" }, envFile: "/nonexistent/.env" });
  assert.equal(config.get("OPENAI_API_KEY"), undefined);
});

Deno.test("require() names the missing variable in a config error", () => {
  const config = loadConfig({ env: {}, envFile: null });
  assert.throws(() => config.require("RUNPOD_ENDPOINT_ID", "runpod endpoint"), (error) => {
    assert.ok(isVisionBenchError(error, "config"));
    assert.match(error.message, /RUNPOD_ENDPOINT_ID is not set/);
    return true;
  });
});

Deno.test("every key read by loadConfig() is redacted from text", () => {
  loadConfig({ env: { ANTHROPIC_API_KEY: "sk-ant-secret-value-42" }, envFile: null });
  const text = redact("401 from https://x?key=sk-ant-secret-value-42 with Bearer abcdefghijklmnop");
  assert.equal(text.includes("sk-ant-secret-value-42"), false);
  assert.equal(text.includes("abcdefghijklmnop"), false);
  assert.match(text, /\*\*\*/);
});

Deno.test("loadConfig() reads the file named by VISIONBENCH_ENV_FILE", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/keys.env`, "GEMINI_API_KEY=gm-from-named-file\n");
  const config = loadConfig({ env: { VISIONBENCH_ENV_FILE: `${dir}/keys.env` } });
  assert.equal(config.get("GEMINI_API_KEY"), "gm-from-named-file");
});
