import assert from "node:assert/strict";
import { parseHTML } from "linkedom";
import { descriptionBrowser } from "../../lib/present/browser/browser.ts";
import { sampleDescriptions } from "../../lib/quality/description-sample.ts";
import { loadLabels } from "../../lib/quality/labels.ts";
import type { ResultRecord } from "../../lib/contract/record.ts";
import { resultRecord } from "../support/result-record.ts";

const labels = await loadLabels();

/** A results folder with one run: `records` as JSON lines. */
async function resultsFolder(records: readonly ResultRecord[]): Promise<string> {
  const out = await Deno.makeTempDir({ prefix: "visionbench-browser-repeats-" });
  await Deno.writeTextFile(
    `${out}/repeats.jsonl`,
    records.map((record) => JSON.stringify(record) + "\n").join(""),
  );
  return out;
}

const failure = {
  status: "error" as const,
  text: "",
  error: { kind: "timeout" as const, message: "no answer in 60 s" },
};

/** The footer text of the card of `platform` (the browser's cards, parsed as a browser would). */
function footerOf(html: string, platform: string): string {
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  const card = document.querySelector(`.vb-card[data-platform="${platform}"]`);
  assert.ok(card, `no card for ${platform}`);
  return card.querySelector("footer")!.textContent!;
}

Deno.test("the description browser says how a repeated cell ran: runs, ok, failed, latency spread; a cell run once says nothing of it", async () => {
  const at = (minute: number) => `2026-11-25T19:${String(minute).padStart(2, "0")}:00.000Z`;
  const out = await resultsFolder([
    // alpha: the same case four times, three timed answers and one failure.
    resultRecord({ platform: "alpha", repeat: 0, latencyMs: 1200, createdAt: at(1) }),
    resultRecord({ platform: "alpha", repeat: 1, latencyMs: 1900, createdAt: at(2) }),
    resultRecord({ platform: "alpha", repeat: 2, ...failure, createdAt: at(3) }),
    resultRecord({ platform: "alpha", repeat: 3, latencyMs: 1400, createdAt: at(4) }),
    // beta: once.
    resultRecord({ platform: "beta", preset: "beta", latencyMs: 2100 }),
    // delta: three times, under and over a second.
    ...[650, 1300, 800].map((latencyMs, repeat) =>
      resultRecord({ platform: "delta", preset: "delta", repeat, latencyMs, createdAt: at(repeat) })
    ),
    // gamma: twice, failed both times (no latency to show).
    resultRecord({ platform: "gamma", preset: "gamma", repeat: 0, ...failure, createdAt: at(1) }),
    resultRecord({ platform: "gamma", preset: "gamma", repeat: 1, ...failure, createdAt: at(2) }),
  ]);
  try {
    const { records, repeats } = await sampleDescriptions(out, { from: "jsonl" });
    assert.equal(records.length, 4, "one description per cell, not one per repeat");
    const html = String(await descriptionBrowser(records, { labels, repeats }));

    assert.match(
      footerOf(html, "alpha"),
      /4 runs · 3 ok · 1 failed · 1\.2–1\.9 s \(median 1\.4 s\)/,
    );
    assert.match(footerOf(html, "delta"), /3 runs · 3 ok · 650 ms–1\.3 s \(median 800 ms\)/);
    assert.doesNotMatch(footerOf(html, "beta"), /runs?\b|failed|median/);
    assert.match(footerOf(html, "beta"), /2\.1 s/, "the single record keeps its own latency");
    const gamma = footerOf(html, "gamma");
    assert.match(gamma, /2 runs · 0 ok · 2 failed/);
    assert.doesNotMatch(gamma, / s\b|median/);
    // Per cell, not per record: one summary line for each repeated cell.
    assert.equal(html.match(/class="vb-repeats"/g)?.length, 3);

    // Without the summaries the browser shows what it always did.
    const plain = String(await descriptionBrowser(records, { labels }));
    assert.doesNotMatch(plain, /class="vb-repeats"|\d runs/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
