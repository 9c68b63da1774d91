import assert from "node:assert/strict";
import { platformAnchor } from "../../lib/present/anchors.ts";

Deno.test("platformAnchor() gives an id of [a-z0-9-] that tells platforms and models apart", () => {
  assert.equal(platformAnchor("openai", "gpt-4o-mini"), "platform-openai-gpt-4o-mini");
  assert.equal(
    platformAnchor("cloudflare", "@cf/meta/llama-3.2-11b-vision-instruct"),
    "platform-cloudflare-cf-meta-llama-3-2-11b-vision-instruct",
  );
  assert.notEqual(
    platformAnchor("ollama-local", "moondream"),
    platformAnchor("ollama-vps", "moondream"),
  );
  assert.match(platformAnchor("baseten", "moonshotai/Kimi-K2.6"), /^platform-[a-z0-9-]+$/);
});
