import assert from "node:assert/strict";
import {
  redact,
  redactDeep,
  registerSecret,
  registerUrlCredentials,
} from "../../lib/util/secrets.ts";
import { loadConfig } from "../../lib/platforms/config.ts";

Deno.test("redact() removes registered secrets, the caller's own, and auth header values", () => {
  registerSecret("sk-registered-0123456789");
  const text =
    'echo {"authorization":"Bearer sk-registered-0123456789","x-api-key":"sk-own-99887766"}';
  const clean = redact(text, { also: ["sk-own-99887766"] });
  assert.equal(clean.includes("sk-registered-0123456789"), false);
  assert.equal(clean.includes("sk-own-99887766"), false);
  assert.match(clean, /Bearer \*\*\*/);
  // An unregistered key still goes when it travels as an auth header value.
  assert.equal(redact("Authorization: Basic YWRtaW46aHVudGVyMjI="), "Authorization: Basic ***");
  assert.equal(redact("Api-Key abcdefgh12345678"), "Api-Key ***");
});

Deno.test("host URL credentials are secrets: registered by config, redacted as user:pass, password and Basic", () => {
  loadConfig({
    env: { OLLAMA_VPS_HOST: "http://admin:droplet-pass-31337@10.0.0.5:11434" },
    envFile: null,
  });
  const basic = btoa("admin:droplet-pass-31337");
  const echoed =
    `proxy saw http://admin:droplet-pass-31337@10.0.0.5 and ${basic} (pw droplet-pass-31337)`;
  const clean = redact(echoed);
  assert.equal(clean.includes("droplet-pass-31337"), false, clean);
  assert.equal(clean.includes(basic), false, clean);
  // Credentials in any URL are cut even when nobody registered them.
  assert.equal(redact("GET https://u:p4ss@example.com/x"), "GET https://***@example.com/x");
  registerUrlCredentials("not a url"); // nothing to register, no throw
});

Deno.test("redact() cuts to maxLength, still removing a secret that straddles the cut", () => {
  registerSecret("sk-straddle-0123456789");
  const text = `${"x".repeat(295)}sk-straddle-0123456789${"y".repeat(50_000_000)}`;
  const clean = redact(text, { maxLength: 300 });
  assert.equal(clean.length, 301);
  assert.equal(clean.includes("sk-str"), false, "no prefix of the secret is left");
});

Deno.test("redactDeep() redacts every string of a structured answer, keys included", () => {
  registerSecret("sk-deep-0123456789");
  const value = { tags: ["a", "sk-deep-0123456789"], nested: { "sk-deep-0123456789": 3 }, n: 1 };
  assert.deepEqual(redactDeep(value), { tags: ["a", "***"], nested: { "***": 3 }, n: 1 });
});
