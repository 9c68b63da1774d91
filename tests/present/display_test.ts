import assert from "node:assert/strict";
import { parseHTML } from "linkedom";
import { recordsToFrame } from "../../lib/analysis/frames.ts";
import { summarize } from "../../lib/analysis/summary.ts";
import { costLatencyChart, latencyChart } from "../../lib/present/charts/mod.ts";
import { jupyter, type JupyterDisplay, showChart } from "../../lib/present/display.ts";
import { notebookProgress } from "../../lib/present/notebook-progress.ts";
import { descriptionTable, summaryTable } from "../../lib/present/tables.ts";
import { thumbnail } from "../../lib/images/thumbnail.ts";
import { type ResultRecord, ResultRecordSchema } from "../../lib/contract/record.ts";
import type { RunEvent } from "../../lib/contract/run-events.ts";
import { makeRecord } from "../../scripts/make-sample-records.ts";

const IMAGES = new URL("../../images", import.meta.url).pathname;
const records: ResultRecord[] =
  (await Deno.readTextFile(new URL("../fixtures/records-sample.jsonl", import.meta.url)))
    .trim().split("\n").map((line) => ResultRecordSchema.parse(JSON.parse(line)));
const images = [
  "o01_cat.png",
  "o04_pizza.jpg",
  "v01_orchestra_concert_hall.webp",
  "v15_beach_jetty.jpg",
]
  .map((file) => ({ id: file.replace(/\.[^.]+$/, ""), path: `${IMAGES}/${file}` }))
  .concat([{
    id: "truncated-progressive",
    path: new URL("../fixtures/bad-images/truncated-progressive.jpeg", import.meta.url).pathname,
  }]);

const DISPLAY = Symbol.for("Jupyter.display");
const display = (value: unknown) =>
  (value as Record<symbol, () => Record<string, string>>)[DISPLAY]();

/** A display target that keeps what the kernel would have been sent. */
function recordingTarget() {
  const calls: { html: string; options?: { display_id?: string; update?: boolean } }[] = [];
  const target: JupyterDisplay = {
    display: (value, options) => calls.push({ html: display(value)["text/html"], options }),
  };
  return { calls, target };
}

Deno.test("charts are displayable as text/html, never image/svg+xml", () => {
  const bundle = display(latencyChart(records));
  assert.deepEqual(Object.keys(bundle), ["text/html"]);
  assert.match(bundle["text/html"], /<svg xmlns=/);
});

Deno.test("showChart() returns the figure outside a kernel, and inside one resolves only once the kernel took the display", async () => {
  const fragment = await showChart(latencyChart(records), { title: "Latency" });
  assert.match(
    fragment!.html,
    /^<figure[^>]*><h3[^>]*>Latency<\/h3><p class="vb-chart-summary">[^<]+<\/p><div class="vb-chart-scroll"[^>]*><figure/,
  );
  let sent = false;
  const target: JupyterDisplay = {
    display: () => new Promise<void>((resolve) => setTimeout(() => (sent = true, resolve()), 20)),
  };
  assert.equal(await showChart(latencyChart(records), { title: "Latency", target }), undefined);
  assert.ok(sent, "showChart resolved before the display was sent");
});

Deno.test("showChart() in a notebook parks the marks' links to descriptions, which only the report can follow", async () => {
  const chart = costLatencyChart(summarize(recordsToFrame(records), { by: ["platform", "model"] }));
  assert.match(chart.html, /<a\b[^>]*href="#platform-/);
  const { calls, target } = recordingTarget();
  await showChart(chart, { target });
  assert.doesNotMatch(calls[0].html, /\shref="#platform-/);
  assert.match(calls[0].html, /<a\b[^>]*data-vb-href="#platform-[^"]+"/);
});

Deno.test("descriptionTable() shows model markup as text, never as elements", async () => {
  const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)> "quoted" & 'single'`;
  const table = await descriptionTable([
    makeRecord({ text: hostile, latencyMs: 1200, costUsd: 0.0001 }),
    makeRecord({
      platform: "anthropic",
      model: "claude-haiku-4-5",
      status: "error",
      text: "",
      error: { kind: "rate_limit", message: "<b>slow down</b>" },
    }),
  ]);
  assert.ok(!table.html.includes("<script>") && !table.html.includes("<img src=x"));
  assert.ok(
    table.html.includes(
      "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &quot;quoted&quot; &amp; &#39;single&#39;",
    ),
  );
  // Parsed as a browser would: no script or img element, the text intact.
  const { document } = parseHTML(`<!doctype html><html><body>${table.html}</body></html>`);
  assert.equal(document.querySelectorAll("script").length, 0);
  assert.equal(document.querySelectorAll("img").length, 0);
  assert.ok(
    document.querySelector("td")!.nextElementSibling!.textContent!.includes(hostile) ||
      [...document.querySelectorAll("td")].some((td) => td.textContent!.includes(hostile)),
  );
  assert.match(table.html, /<strong>rate_limit<\/strong><br><small>&lt;b&gt;slow down&lt;\/b&gt;/);
});

Deno.test("descriptionTable() has one row per image with a JPEG thumbnail for real images", async () => {
  const table = await descriptionTable(records, { images, thumbnailPx: 64 });
  const { document } = parseHTML(`<!doctype html><html><body>${table.html}</body></html>`);
  const rows = [...document.querySelectorAll("tbody tr")];
  assert.equal(rows.length, 5);
  assert.deepEqual(
    rows.map((row) => row.querySelector("code")!.textContent),
    images.map((image) => image.id),
  );
  const thumbnails = [...document.querySelectorAll("tbody img")].map((img) =>
    img.getAttribute("src")!
  );
  // sharp decodes what there is of a truncated progressive JPEG, so it gets a thumbnail too
  assert.equal(thumbnails.length, 5);
  for (const source of thumbnails) {
    assert.match(source, /^data:image\/jpeg;base64,[A-Za-z0-9+/]+=*$/);
  }
  // 5 platforms × 2 variants
  assert.equal(document.querySelectorAll("thead th").length, 1 + 10);
  assert.match(rows[4].innerHTML, /image_corrupt/);
  assert.match(table.html, /cached/);
});

Deno.test("thumbnail() makes a small JPEG and caches it per path and size", async () => {
  const first = thumbnail(`${IMAGES}/v15_beach_jetty.jpg`, 48);
  assert.equal(thumbnail(`${IMAGES}/v15_beach_jetty.jpg`, 48), first);
  const bytes = Uint8Array.from(atob((await first).split(",")[1]), (c) => c.charCodeAt(0));
  assert.deepEqual([...bytes.slice(0, 3)], [0xff, 0xd8, 0xff]);
  assert.ok(bytes.length < 6000, `${bytes.length} bytes`);
});

Deno.test("thumbnail() rejects a file that is not an image, and the table shows the row without one", async () => {
  const notImage = new URL("../fixtures/bad-images/README.md", import.meta.url).pathname;
  await assert.rejects(thumbnail(notImage, 32));
  const table = await descriptionTable([makeRecord({ imageId: "readme" })], {
    images: [{ id: "readme", path: notImage }],
  });
  assert.ok(!table.html.includes("<img"));
  assert.match(table.html, /<code>readme<\/code>/);
});

Deno.test("summaryTable() formats latency, dollars, tokens and nulls", () => {
  const table = summaryTable(summarize(recordsToFrame(records), { by: ["platform"] }), {
    columns: ["platform", "p50LatencyMs", "costPer1k", "meanInputTokens", "errorKinds"],
  }).html;
  const { document } = parseHTML(`<!doctype html><html><body>${table}</body></html>`);
  const rows = [...document.querySelectorAll("tbody tr")].map((tr) =>
    [...tr.querySelectorAll("td")].map((td) => td.textContent)
  );
  const replicate = rows.find((row) => row[0] === "replicate")!;
  assert.equal(replicate[3], "—"); // no usage reported
  assert.match(replicate[2]!, /^\$\d\.\d\d$/);
  assert.match(rows.find((row) => row[0] === "ollama-vps")![1]!, /^\d{2},\d{3}$/);
});

Deno.test("notebookProgress() updates one display in place, at most every throttleMs, and the last event's promise settles after every display", async () => {
  let clock = 0;
  const { calls, target } = recordingTarget();
  const listen = notebookProgress({ target, throttleMs: 250, now: () => clock });
  const record = makeRecord();
  listen({ type: "start", runId: "r", total: 100, alreadyDone: 0 });
  for (let done = 1; done <= 100; done++) {
    clock += 10; // 100 records in 1 s
    listen(
      { type: "record", record, done, total: 100, errors: done > 90 ? 1 : 0 } satisfies RunEvent,
    );
  }
  listen({
    type: "retry",
    preset: "openai",
    imageId: "x",
    attempt: 2,
    delayMs: 500,
    kind: "rate_limit",
  });
  await listen({
    type: "end",
    runId: "r",
    done: 100,
    total: 100,
    errors: 1,
    cancelled: false,
    elapsedMs: 1000,
  });
  assert.equal(calls.length, 6); // start, t = 250, 500, 750, 1000 ms, end
  const ids = new Set(calls.map((call) => call.options?.display_id));
  assert.equal(ids.size, 1);
  assert.deepEqual(calls.map((call) => call.options?.update), [
    false,
    ...Array(calls.length - 1).fill(true),
  ]);
  assert.match(
    calls.at(-1)!.html,
    /<progress value="100" max="100"[^>]*><\/progress>.*100\/100 · 1 error · 1 retry · 1\.0 s · done/,
  );
});

Deno.test("notebookProgress() is a no-op outside a kernel", () => {
  assert.equal(jupyter(), undefined);
  let clockReads = 0;
  const listen = notebookProgress({ now: () => ++clockReads });
  const events: RunEvent[] = [
    { type: "start", runId: "r", total: 1, alreadyDone: 0 },
    { type: "record", record: makeRecord(), done: 1, total: 1, errors: 0 },
    { type: "end", runId: "r", done: 1, total: 1, errors: 0, cancelled: false, elapsedMs: 5 },
  ];
  for (const event of events) assert.equal(listen(event), undefined);
  // No kernel, so no display and no progress state: the clock was never read.
  assert.equal(clockReads, 0);
});
