import assert from "node:assert/strict";
import { join } from "node:path";
import { z } from "zod";
import { type CachedResponse, createResponseCache } from "../../lib/run/response-cache.ts";
import { caseKey, type CaseKeyParts } from "../../lib/run/cases.ts";
import { isUsageError } from "../support/usage-error.ts";

const base: CaseKeyParts = {
  preset: "openai",
  platform: "openai",
  model: "gpt-4o-mini",
  imageId: "o01_cat",
  imageSha256: "ab".repeat(32),
  variant: "512",
  promptId: "default",
  prompt: "Describe the image.",
  repeat: 0,
  maxOutputTokens: 300,
  stream: true,
};

Deno.test("caseKey() is the same for the same parts (a fresh object, same values)", () => {
  assert.equal(caseKey(base), caseKey({ ...base }));
  assert.match(caseKey(base), /^[a-f0-9]{64}$/);
});

Deno.test("caseKey() differs by repeat, prompt, variant, model, image and generation params", () => {
  const changes: Partial<CaseKeyParts>[] = [
    { repeat: 1 },
    { promptId: "short" },
    { prompt: "Describe the image briefly." },
    { variant: "original" },
    { model: "gpt-4o" },
    { preset: "openai-compatible" },
    { imageId: "o02_red_panda" },
    { imageSha256: "cd".repeat(32) },
    { maxOutputTokens: 100 },
    { temperature: 0 },
    { schema: { name: "tags", schema: z.object({ tags: z.array(z.string()) }) } },
    { stream: false },
  ];
  const keys = new Set([
    caseKey(base),
    ...changes.map((change) => caseKey({ ...base, ...change })),
  ]);
  assert.equal(keys.size, changes.length + 1);
});

const entry: CachedResponse = {
  description: {
    text: "A cat on a sofa.",
    finishReason: "stop",
    usage: { inputTokens: 2890, outputTokens: 12 },
  },
  latencyMs: 812.5,
  ttftMs: 301,
  attempts: 2,
  createdAt: "2026-11-25T19:40:12.000Z",
};

Deno.test("response cache stores and returns an answer under results/cache/responses/<key>.json", async () => {
  const dir = join(await Deno.makeTempDir(), "cache", "responses");
  const cache = createResponseCache({ dir });
  const key = caseKey(base);
  assert.equal(await cache.get(key), undefined);
  await cache.set(key, entry);
  assert.deepEqual(await cache.get(key), entry);
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [`${key}.json`]);
});

Deno.test("response cache treats an unreadable entry as a miss", async () => {
  const dir = await Deno.makeTempDir();
  const cache = createResponseCache({ dir });
  const key = caseKey(base);
  await Deno.writeTextFile(join(dir, `${key}.json`), '{"description": {"text": 1}}');
  assert.equal(await cache.get(key), undefined);
  await Deno.writeTextFile(join(dir, `${key}.json`), "{not json");
  assert.equal(await cache.get(key), undefined);
});

Deno.test("response cache refuses keys that are not hex hashes (no path tricks)", async () => {
  const cache = createResponseCache({ dir: await Deno.makeTempDir() });
  await assert.rejects(cache.get("../../etc/passwd"), isUsageError);
});
