import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { readImageManifest } from "../../lib/images/manifest.ts";
import { repoPath } from "../../lib/util/paths.ts";
import {
  attributionList,
  compareAgainst,
  platformsNote,
} from "../../lib/present/report-sections.ts";

Deno.test("attributionList() credits every CC-BY and CC-BY-SA image of the sample set, and only those", async () => {
  const manifest = await readImageManifest(repoPath("images"));
  const required = [...manifest.values()].filter((entry) => /^CC-BY/i.test(entry.license ?? ""));
  assert.ok(required.length > 0, "the sample set has CC-BY images");
  const markup = String(attributionList(manifest.values()));
  for (const entry of required) {
    assert.ok(markup.includes(entry.file), `${entry.file} is not credited`);
  }
  const free = [...manifest.values()].find((entry) => entry.license === "CC0-1.0");
  assert.ok(free && !markup.includes(free.file), "a CC0 image was credited");
});

Deno.test("attributionList() escapes manifest text and links only http(s) sources", () => {
  const markup = String(attributionList([
    { file: "a.jpg", creator: "<b>Eve</b>", license: "CC-BY-4.0", source: "javascript:alert(1)" },
    {
      file: "b.jpg",
      creator: "Bob",
      license: "CC-BY-SA-3.0",
      source: "https://example.org/b?x=1&y=2",
    },
  ]));
  assert.ok(markup.includes("&lt;b&gt;Eve&lt;/b&gt;"));
  assert.ok(!markup.includes('href="javascript:'));
  assert.ok(markup.includes('href="https://example.org/b?x=1&amp;y=2"'));
});

Deno.test("platformsNote() lists skipped platforms with their reason, leaving out those that ran", () => {
  const markup = String(platformsNote({
    ran: ["local", "openai", "local"],
    skipped: [
      { preset: "openai", reason: "OPENAI_API_KEY not set" },
      { preset: "gemini", reason: "GEMINI_API_KEY not set" },
    ],
  }));
  assert.match(markup, /Platforms run:<\/strong> <code>local<\/code>, <code>openai<\/code>/);
  assert.ok(markup.includes("<code>gemini</code>: GEMINI_API_KEY not set"));
  assert.ok(!markup.includes("OPENAI_API_KEY"));
});

Deno.test("compareAgainst() subtracts the base prompt's row with the same platform, model and variant", () => {
  const summary = pl.DataFrame({
    platform: ["openai", "openai", "openai", "openai"],
    model: ["m", "m", "m", "m"],
    variant: ["original", "original", "512", "512"],
    promptId: ["default", "tags", "default", "tags"],
    meanOutputTokens: [200, 40, 180, null],
    costPer1k: [0.5, 0.2, 0.3, 0.1],
  });
  const rows = compareAgainst(summary, {
    column: "promptId",
    base: "default",
    metrics: ["meanOutputTokens", "costPer1k"],
  }).toRecords();
  const tagsOriginal = rows.find((row) => row.promptId === "tags" && row.variant === "original");
  assert.equal(tagsOriginal?.deltaMeanOutputTokens, -160);
  assert.ok(Math.abs((tagsOriginal?.deltaCostPer1k as number) + 0.3) < 1e-12);
  const tags512 = rows.find((row) => row.promptId === "tags" && row.variant === "512");
  assert.equal(
    tags512?.deltaMeanOutputTokens,
    null,
    "a missing value has no delta, not a made-up one",
  );
  assert.equal(rows.find((row) => row.promptId === "default")?.deltaCostPer1k, 0);
});
