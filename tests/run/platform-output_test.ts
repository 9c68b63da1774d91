import assert from "node:assert/strict";
import type { Description } from "../../lib/contract/adapter.ts";
import { isVisionBenchError } from "../../lib/contract/errors.ts";
import { withSaneUsage } from "../../lib/contract/usage-sanity.ts";
import { cleanDescription, MAX_DESCRIPTION_CHARS } from "../../lib/run/platform-output.ts";
import { withGuardedConsole } from "../../lib/run/console-guard.ts";
import { registerSecret } from "../../lib/util/secrets.ts";

const KEY = "sk-platform-output-0123456789";
registerSecret(KEY);

function answer(overrides: Partial<Description> = {}): Description {
  return { text: "a hall", finishReason: "stop", usage: {}, ...overrides };
}

Deno.test("cleanDescription() redacts every string a platform sent: text, structured, warnings, raw", () => {
  const clean = cleanDescription(answer({
    text: `echo Bearer ${KEY}`,
    structured: { tags: [KEY] },
    warnings: [`saw ${KEY}`],
    rawFinishReason: KEY,
    responseModel: `model-${KEY}`,
  }));
  assert.equal(JSON.stringify(clean).includes(KEY), false, JSON.stringify(clean));
  assert.equal(clean.text, "echo Bearer ***");
  assert.deepEqual(clean.structured, { tags: ["***"] });
});

Deno.test("cleanDescription() refuses a description longer than the limit as invalid_response", () => {
  assert.throws(
    () => cleanDescription(answer({ text: "x".repeat(MAX_DESCRIPTION_CHARS + 1) }), "openai"),
    (error) =>
      isVisionBenchError(error, "invalid_response") && error.code === "response_too_large" &&
      !error.retryable,
  );
});

Deno.test("withSaneUsage() leaves out negative, string and absurd counts with a warning naming each", () => {
  const sane = withSaneUsage(answer({
    usage: { inputTokens: -5, outputTokens: "12" as unknown as number, totalTokens: 1e308 },
    timing: { gpuSeconds: -1.5, queueMs: 12 },
  }));
  assert.deepEqual(sane.usage, {
    inputTokens: undefined,
    outputTokens: undefined,
    totalTokens: undefined,
  });
  assert.equal(sane.timing?.gpuSeconds, undefined);
  assert.equal(sane.timing?.queueMs, 12);
  assert.deepEqual(sane.warnings, [
    "usage: inputTokens = -5 is not a plausible count; left out",
    'usage: outputTokens = "12" is not a plausible count; left out',
    "usage: totalTokens = 1e+308 is not a plausible count; left out",
    "usage: gpuSeconds = -1.5 is not a plausible count; left out",
  ]);
  const fine = answer({ usage: { inputTokens: 120, outputTokens: 40 } });
  assert.equal(withSaneUsage(fine), fine, "sane usage is returned as is");
});

Deno.test("withGuardedConsole() sends SDK console lines to stderr, redacted and cut, only during the call", async () => {
  const seen: { method: string; line: string }[] = [];
  const saved = { log: console.log, warn: console.warn, error: console.error };
  console.log = (...args: unknown[]) => seen.push({ method: "log", line: args.join(" ") });
  console.warn = (...args: unknown[]) => seen.push({ method: "warn", line: args.join(" ") });
  console.error = (...args: unknown[]) => seen.push({ method: "error", line: args.join(" ") });
  try {
    await withGuardedConsole(() => {
      // What the Ollama and Anthropic SDKs print on their own.
      console.log("Getting text from response");
      console.warn("invalid json: ", `{"bad": "Bearer ${KEY}"` + "x".repeat(10_000));
      return Promise.resolve();
    });
    console.log("after the call");
  } finally {
    Object.assign(console, saved);
  }
  assert.deepEqual(seen[0], { method: "error", line: "Getting text from response" });
  assert.equal(seen[1].method, "warn");
  assert.equal(seen[1].line.includes(KEY), false);
  assert.ok(seen[1].line.length <= 501);
  assert.deepEqual(seen[2], { method: "log", line: "after the call" }, "restored after the call");
});
