import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { pareto } from "../../lib/analysis/compare.ts";
import { recordsToFrame } from "../../lib/analysis/frames.ts";
import { summarize } from "../../lib/analysis/summary.ts";
import {
  chartHtml,
  costChart,
  costLatencyChart,
  errorsChart,
  latencyChart,
  referenceChart,
  resizeChart,
  withSvgNamespace,
} from "../../lib/present/charts/mod.ts";
import { type ResultRecord, ResultRecordSchema } from "../../lib/contract/record.ts";
import { loadReferenceFigures } from "../../lib/analysis/reference-figures.ts";

const records: ResultRecord[] =
  (await Deno.readTextFile(new URL("../fixtures/records-sample.jsonl", import.meta.url)))
    .trim().split("\n").map((line) => ResultRecordSchema.parse(JSON.parse(line)));
const frame = recordsToFrame(records);
const summary = summarize(frame);

function count(html: string, tag: string): number {
  return (html.match(new RegExp(`<${tag}[\\s>/]`, "g")) ?? []).length;
}

/** Marks of one Plot mark type (Plot wraps each mark in `<g aria-label="…">`). */
function markGroup(html: string, label: string): string {
  return html.match(new RegExp(`<g[^>]*aria-label="${label}"[^>]*>([\\s\\S]*?)</g>`))?.[1] ?? "";
}

function assertSvgs(html: string) {
  const svgs = html.match(/<svg[^>]*>/g) ?? [];
  assert.ok(svgs.length > 0, "no <svg>");
  for (const svg of svgs) assert.match(svg, /xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
}

Deno.test("latencyChart() draws one dot per ok, non-cached call and a median tick per platform", () => {
  const html = latencyChart(frame).html;
  assertSvgs(html);
  const timed = records.filter((r) => r.status === "ok" && !r.cached).length;
  assert.equal(timed, 67);
  // Dots are drawn as symbols (the legend shows the same ones), each with its tooltip.
  assert.equal(count(markGroup(html, "dot"), "path"), timed);
  assert.equal(count(markGroup(html, "dot"), "title"), timed);
  assert.equal(
    count(markGroup(latencyChart(records, { includeCached: true }).html, "dot"), "path"),
    timed + 8,
  );
  assert.match(html, /openai · gpt-4o-mini/);
  // Every tick of the log axis is labelled, in ms or s (Plot blanks some digits' labels otherwise).
  const ticks = markGroup(html, "x-axis tick label");
  assert.doesNotMatch(ticks, /<text[^>]*\/>/);
  assert.match(ticks, /> ?\d+(\.\d)? m?s</);
});

Deno.test("costChart() draws real-time and batch dots and names free rows in the caption", () => {
  const html = costChart(summary).html;
  assertSvgs(html);
  // 8 paid rows (real-time) + 4 with a batch price (openai, anthropic × 2 variants)
  assert.equal(count(html, "circle"), 12);
  assert.match(html, /Free \(not on the log scale\): local · sharp-baseline · 512/);
});

Deno.test("costLatencyChart() connects and names only the frontier; every dot has a tooltip and a link to its descriptions", () => {
  const paid = pareto(summarize(recordsToFrame(records.filter((r) => r.platform !== "local"))));
  const html = costLatencyChart(paid).html;
  assertSvgs(html);
  const dots = markGroup(html, "dot");
  assert.equal(count(dots, "path"), 8);
  assert.equal(count(dots, "title"), 8);
  assert.match(dots, /<a href="#platform-anthropic-claude-haiku-4-5"/);
  assert.match(
    dots,
    /<title>anthropic · claude-haiku-4-5\nsize: 512 px\np50: [\d.]+ m?s\n\$\/1k images: \$[\d.]+\nquality: —\nn: \d+<\/title>/,
  );
  assert.equal(count(markGroup(html, "line"), "path"), 1);
  // Labels: the frontier rows only, never a dominated one.
  const labels = [...html.matchAll(/<text[^>]*>([^<]+ · [^<]+)<\/text>/g)].map((match) => match[1]);
  const frontier = paid.filter(pl.col("onFrontier")).toRecords().map((row) =>
    `${row.platform} · ${row.model} · ${row.variant}`
  );
  assert.ok(labels.length > 0 && labels.every((label) => frontier.includes(label)), `${labels}`);
  // Log axes with readable ticks: dollars and seconds, never SI ("20m").
  assert.match(markGroup(html, "y-axis tick label"), />\$[\d.]+</);
  assert.doesNotMatch(html, />\d+m</);
});

Deno.test("costLatencyChart() draws the frontier of its own two axes, whatever onFrontier the rows carry", () => {
  const row = (platform: string, p50LatencyMs: number, costPer1k: number, onFrontier: boolean) => ({
    platform,
    model: "m",
    variant: "512",
    p50LatencyMs,
    costPer1k,
    onFrontier,
  });
  // "slow" is on a three-axis frontier (better quality, say) but slower and dearer than "fast".
  const html = costLatencyChart([
    row("fast", 300, 0.5, false),
    row("slow", 600, 1.0, true),
    row("cheap", 900, 0.1, false),
  ] as never).html;
  const labels = [...html.matchAll(/<text[^>]*>([^<]+ · [^<]+)<\/text>/g)].map((match) => match[1]);
  assert.ok(labels.includes("fast · m · 512") && !labels.includes("slow · m · 512"), `${labels}`);
  // The dashed frontier joins "fast" and "cheap" only: two vertices.
  const line = markGroup(html, "line").match(/ d="([^"]+)"/)![1];
  assert.equal(line.match(/[ML]/g)!.length, 2, line);
});

Deno.test("resizeChart() draws both variants joined by a link per platform", () => {
  const html = resizeChart(summary, { metric: "costPer1k" }).html;
  assertSvgs(html);
  assert.equal(count(markGroup(html, "dot"), "path"), 10);
  assert.equal(count(markGroup(html, "dot"), "title"), 10);
  // one link per platform with both variants, even when both values are equal (local is free)
  assert.equal((markGroup(html, "link").match(/<path d="/g) ?? []).length, 5);
});

Deno.test("errorsChart() stacks one bar segment per platform and error kind", () => {
  const html = errorsChart(records).html;
  assertSvgs(html);
  // 10 (platform, kind) segments + 4 legend swatches (image_corrupt, overloaded, rate_limit, timeout)
  assert.equal(count(html, "rect"), 14);
});

Deno.test("referenceChart() sets measured p50 beside the published figures of the same preset", async () => {
  const reference = await loadReferenceFigures();
  const html = referenceChart(summarize(frame, { by: ["preset"] }), {
    reference: [...reference, {
      preset: "openai",
      model: "gpt-4o-mini",
      avgSeconds: 3,
      fastestSeconds: 1.5,
      usdPer1000: null,
    }],
  }).html;
  assertSvgs(html);
  assert.match(html, />openai</);
  assert.match(html, /measured p50/);
  // openai: measured + published average + fastest; plus the presets the study shares with the run
  assert.ok(count(markGroup(html, "dot"), "path") >= 3);
});

Deno.test("every chart says 'no data' instead of throwing on an empty run", () => {
  const empty = recordsToFrame([]);
  for (
    const chart of [
      latencyChart(empty),
      latencyChart([]),
      costChart(summarize(empty)),
      costLatencyChart([]),
      resizeChart(summarize(empty)),
      errorsChart(empty),
      referenceChart([], { reference: [] }),
    ]
  ) {
    assertSvgs(chart.html);
    assert.match(chart.html, /no data/);
  }
  assert.match(errorsChart(records.filter((r) => r.status === "ok")).html, /no errors in 75 calls/);
});

Deno.test("chartHtml() wraps a chart in a figure with an escaped title and namespaced svg", () => {
  const html = chartHtml('<svg width="10"></svg>', { title: "<b>cost</b> & latency" }).html;
  assert.match(html, /^<figure/);
  assert.match(html, /&lt;b&gt;cost&lt;\/b&gt; &amp; latency/);
  assert.match(html, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="10">/);
  assert.equal(withSvgNamespace(html), html); // idempotent
});

Deno.test("costLatencyChart() names every frontier point: on the chart, or under it when no label fits", () => {
  // Twelve frontier points a hair apart, each with a long name: not all labels can fit.
  const rows = Array.from({ length: 12 }, (_, index) => ({
    platform: `platform-with-a-long-name-${index}`,
    model: "a-model-name-long-enough-to-collide",
    variant: "512",
    p50LatencyMs: 300 + index,
    costPer1k: 0.5 - index * 0.001,
    onFrontier: true,
  }));
  const html = costLatencyChart(rows as never).html;
  const labels = [...html.matchAll(/<text[^>]*>([^<]+ · [^<]+)<\/text>/g)].map((match) => match[1]);
  assert.ok(labels.length < rows.length, "the test needs labels that do not fit");
  assert.match(html, /Also on the frontier \(no room for a label\): /);
  // The labels' halo must not leave their text unfilled (invisible).
  for (const group of html.matchAll(/<g [^>]*aria-label="text"[^>]*>/g)) {
    assert.doesNotMatch(group[0], /fill="none"/, group[0]);
  }
  for (const row of rows) {
    assert.ok(html.includes(`${row.platform} · ${row.model} · ${row.variant}`), row.platform);
  }
});
