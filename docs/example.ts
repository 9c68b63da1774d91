// A notebook cell: in notebooks/ (as here in docs/) the library is "../mod.ts".
// deno-fmt-ignore
import { costLatencyChart, descriptionTable, loadImageSet, notebookParams, readRuns,
  recordsToFrame, runBenchmark, showChart, summarize, summaryTable } from "../mod.ts";

// Defaults of this cell; a VB_* environment variable that is set wins (VB_PLATFORMS, VB_LIMIT, …).
const { platforms, images, limit, out } = notebookParams({ platforms: ["local"], limit: 3 });
const run = await runBenchmark({ platforms, images, limit, outDir: out });
const { records } = await readRuns(out, { runIds: [run.runId] });
const summary = summarize(recordsToFrame(records), { by: ["platform", "model", "variant"] });
await showChart(costLatencyChart(summary), { title: "Cost per 1,000 images against p50 latency" });
await showChart(
  summaryTable(summary, { columns: ["platform", "variant", "p50LatencyMs", "costPer1k"] }),
);
const imageSet = await loadImageSet(images, { limit });
await descriptionTable(records, { images: imageSet }); // the cell's last value is what it displays
