import assert from "node:assert/strict";
import { recordsToFrame } from "../../lib/analysis/frames.ts";
import { summarize } from "../../lib/analysis/summary.ts";
import {
  chartHtml,
  costChart,
  costLatencyChart,
  emptyChart,
  errorsChart,
  latencyChart,
  qualityCostLatencyChart,
  recallHeatmap,
  resizeChart,
} from "../../lib/present/charts/mod.ts";
import { markTable } from "../../lib/present/charts/text-view.ts";
import { withQuality } from "../../lib/quality/quality-frame.ts";
import { loadLabels } from "../../lib/quality/labels.ts";
import { type ResultRecord, ResultRecordSchema } from "../../lib/contract/record.ts";

const records: ResultRecord[] =
  (await Deno.readTextFile(new URL("../fixtures/records-sample.jsonl", import.meta.url)))
    .trim().split("\n").map((line) => ResultRecordSchema.parse(JSON.parse(line)));
const frame = recordsToFrame(records);
const summary = summarize(frame);
const labels = await loadLabels();
const scored = summary.toRecords().map((row, index) => ({ ...row, meanScore: 4 + index }));

Deno.test("markTable() makes one row per distinct tooltip and a column per `key: value` line", () => {
  const table = markTable([
    "<svg><g><circle><title>a · m\nsize: 512 px\np50: 1.2 s</title></circle>",
    "<line><title>a · m\nsize: 512 px\np50: 1.2 s</title></line>",
    "<circle><title>b · m\no01_cat\np50: 2 s</title></circle></g></svg>",
  ].join(""));
  assert.deepEqual(table, {
    columns: ["size", "p50", "values"],
    rows: [
      { name: "a · m", cells: ["512 px", "1.2 s", ""] },
      { name: "b · m", cells: ["", "2 s", "o01_cat"] },
    ],
  });
});

Deno.test("every chart has a summary with its finding and a table of its marks behind a disclosure", () => {
  const charts = {
    latency: latencyChart(frame),
    cost: costChart(summary),
    costLatency: costLatencyChart(summary),
    resize: resizeChart(summary),
    errors: errorsChart(frame),
    quality: qualityCostLatencyChart(scored, { minQuality: 5 }),
    heatmap: recallHeatmap(withQuality(frame, labels)),
  };
  for (const [name, chart] of Object.entries(charts)) {
    const html = chartHtml(chart, { title: name }).html;
    assert.match(html, /<p class="vb-chart-summary">[^<]{40,}<\/p>/, `${name}: no summary`);
    assert.match(html, /<details class="vb-chart-table"><summary>Show as table/, name);
    assert.match(html, /<div class="vb-chart-scroll" role="group" tabindex="0" aria-label=/);
    assert.doesNotMatch(html, /<g(?![^>]*role=)[^>]*aria-label=/, `${name}: a <g> with a label`);
  }
  assert.match(chartHtml(charts.cost).html, /The cheapest is [^<]+, \$/);
});

Deno.test("an empty chart says why in its summary and has no table", () => {
  const html = chartHtml(emptyChart("no data: no costs")).html;
  assert.match(html, /<p class="vb-chart-summary">Nothing to draw: no data: no costs\.<\/p>/);
  assert.doesNotMatch(html, /<details/);
});
