import assert from "node:assert/strict";
import { compareReport } from "../../lib/app/compare-report.ts";
import { writeRunParquet } from "../../lib/analysis/run-frame.ts";
import { loadLabels } from "../../lib/quality/labels.ts";
import { seededRandom } from "../../lib/analysis/robustness.ts";
import { demoDescription, sampleRecords } from "../../scripts/make-sample-records.ts";
import { compareReportFromRecords } from "../support/compare-report-records.ts";
import type { ResultRecord } from "../../lib/contract/record.ts";

const labels = await loadLabels();

/** The sample run plus a demo-shaped run: distinct descriptions of labelled images, two modes. */
function demoRuns(): Record<string, ResultRecord[]> {
  const random = seededRandom(23);
  const sample = sampleRecords();
  const demo = sample.filter((record) => record.platform !== "local").map((record, index) => ({
    ...record,
    runId: "demo-2026-12-01",
    recordId: `demo-${index}`,
    createdAt: new Date(Date.UTC(2026, 11, 1, 10, 0, index)).toISOString(),
    imageId: [...labels.keys()][index % labels.size],
    text: record.status === "ok"
      ? demoDescription(labels.get([...labels.keys()][index % labels.size]), {
        random,
        recall: 0.4 + 0.5 * random(),
        hallucinationRate: 0.3,
        verbosity: 2,
      })
      : record.text,
    simulated: index % 3 === 0 ? true : undefined,
  }));
  const batch = demo.slice(0, 12).map((record, index) => ({
    ...record,
    recordId: `batch-${index}`,
    caseKey: `${record.caseKey}|batch`,
    mode: "batch" as const,
    batchId: "batch-1",
  }));
  return { "sample-2026-11-20": sample, "demo-2026-12-01": [...demo, ...batch] };
}

async function writeRuns(runs: Record<string, ResultRecord[]>): Promise<string> {
  const out = await Deno.makeTempDir({ prefix: "visionbench-columnar-" });
  for (const [runId, records] of Object.entries(runs)) {
    await Deno.writeTextFile(
      `${out}/${runId}.jsonl`,
      records.map((record) => JSON.stringify(record) + "\n").join(""),
    );
  }
  return out;
}

/** What the page shows of a report, minus the records themselves. */
function shown(report: Awaited<ReturnType<typeof compareReport>>) {
  return {
    rows: report.rows,
    pick: report.decision.pick?.label,
    runnerUp: report.decision.runnerUp?.label,
    tradeOff: report.decision.tradeOff,
    wouldChange: report.decision.wouldChange,
    sensitivity: report.sensitivity,
    qualityScale: report.qualityScale,
    runs: report.runs,
    warnings: report.warnings,
    priceCards: report.priceCards,
    simulated: report.simulated,
    assumptions: report.assumptions,
    prompts: report.prompts,
    maxOutputTokens: report.maxOutputTokens,
    images: report.images,
    leader: report.robustness?.leader,
  };
}

for (const mode of ["live", "batch"] as const) {
  Deno.test(`compareReport() from columns equals the record path: leaderboard, pick, quality (${mode})`, async () => {
    const out = await writeRuns(demoRuns());
    try {
      const expected = await compareReportFromRecords({ out, mode, draws: 50 });
      const fromLines = await compareReport({ out, mode, draws: 50, from: "jsonl" });
      assert.deepEqual(shown(fromLines), shown(expected as never));
      assert.equal(fromLines.frame.height, expected.records.length);
      // Per-call charts get one timed call per option and image, whatever the repeats.
      const timed = expected.records.filter((record) =>
        record.status === "ok" && !record.cached && record.latencyMs !== undefined
      );
      const cells = new Set(
        timed.map((r) => [r.preset, r.platform, r.model, r.variant, r.imageId].join("|")),
      );
      assert.equal(fromLines.calls.height, cells.size);
      for (const runId of ["sample-2026-11-20", "demo-2026-12-01"]) {
        await writeRunParquet(`${out}/${runId}.jsonl`);
      }
      const fromParquet = await compareReport({ out, mode, draws: 50, from: "parquet" });
      assert.deepEqual(shown(fromParquet), shown(expected as never));
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  });
}

Deno.test("compareReport().calls keeps each cell's latest timed call: by createdAt, then read order", async () => {
  const [base] = sampleRecords().filter((record) => record.status === "ok" && !record.cached);
  const at = (second: number) => new Date(Date.UTC(2026, 11, 2, 9, 0, second)).toISOString();
  const repeat = (recordId: string, fields: Partial<ResultRecord>): ResultRecord => ({
    ...base,
    runId: "repeats",
    recordId,
    caseKey: `${base.caseKey}|${recordId}`,
    ...fields,
  });
  const other = { imageId: "elsewhere" };
  const out = await writeRuns({
    repeats: [
      repeat("newest-by-time", { createdAt: at(30), latencyMs: 1 }),
      repeat("older", { createdAt: at(10), latencyMs: 2 }),
      repeat("cached-later", { createdAt: at(50), latencyMs: 3, cached: true }),
      repeat("error-later", {
        createdAt: at(55),
        status: "error",
        error: { kind: "server", message: "500" },
        text: "",
        latencyMs: 4,
      }),
      repeat("tie-first", { ...other, createdAt: at(20), latencyMs: 5 }),
      repeat("tie-last", { ...other, createdAt: at(20), latencyMs: 6 }),
      repeat("tie-older", { ...other, createdAt: at(5), latencyMs: 7 }),
    ],
  });
  try {
    const { calls } = await compareReport({ out, draws: 10 });
    assert.deepEqual(calls.getColumn("recordId").toArray(), ["newest-by-time", "tie-last"]);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
