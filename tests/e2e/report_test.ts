import assert from "node:assert/strict";
import { notebookParams, paramsToEnv } from "../../lib/app/notebook-params.ts";
import { renderReport } from "../../lib/app/notebook-runner.ts";
import { loadConfig } from "../../lib/platforms/config.ts";
import { repoPath } from "../../lib/util/paths.ts";
import { readRun, readRuns } from "../../lib/run/run-store.ts";
import { EMULATED_PRESETS, EMULATOR_KEYS, startAllEmulators } from "../../emulators/all.ts";
import { INJECTED_TEXT, jupyterAvailable, renderTestReport } from "../app/report-fixture.ts";
import { skipWithoutTool } from "../support/required-tool.ts";

const ignore = skipWithoutTool(
  "report tests",
  jupyterAvailable() ? undefined : "/usr/bin/python3 has no nbclient (sh scripts/setup-jupyter.sh)",
);

interface NotebookCell {
  cell_type: string;
  source: string | string[];
  outputs?: { output_type: string; ename?: string }[];
}

function source(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/** The markup of the chart titled `title` (up to the next chart), or "" when there is none. */
function chartSection(html: string, title: string): string {
  const start = html.indexOf(`class="visionbench-chart-title">${title}`);
  if (start < 0) return "";
  const next = html.indexOf('class="visionbench-chart-title"', start + 1);
  return html.slice(start, next < 0 ? undefined : next);
}

/** Removes the temp folder of a notebook made by {@link writeNotebook} (outputs included). */
function removeNotebook(path: string): Promise<void> {
  return Deno.remove(path.replace(/\/[^/]+$/, ""), { recursive: true });
}

/** A throwaway notebook in a temp folder, one code cell per source. */
async function writeNotebook(name: string, sources: string[]): Promise<string> {
  const folder = await Deno.makeTempDir({ prefix: "visionbench-notebook-" });
  const path = `${folder}/${name}.ipynb`;
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
      cells: sources.map((text, index) => ({
        id: `cell-${index}`,
        cell_type: "code",
        source: text,
        metadata: {},
        outputs: [],
        execution_count: null,
      })),
    }),
  );
  return path;
}

Deno.test("paramsToEnv() and notebookParams() round-trip the VB_* parameters", () => {
  const params = {
    platforms: ["local", "openai:gpt-4o-mini"],
    images: "/data/images",
    limit: 3,
    prompt: "List the objects.",
    resize: ["original", "512"],
    runId: "run-1",
    repeat: 2,
    out: "/data/results",
    maxP50Ms: 4000,
    judge: "openai:gpt-4o-mini",
    blind: false,
    cache: "refresh" as const,
    minQuality: 5.5,
    simulated: ["openai", "gemini"],
  };
  const env = paramsToEnv(params, "/work");
  assert.equal(env.VB_PLATFORMS, "local,openai:gpt-4o-mini");
  assert.deepEqual(notebookParams({}, loadConfig({ env, envFile: null })), params);
});

Deno.test("notebookParams() rejects a quality floor outside 0–10", () => {
  assert.throws(
    () => notebookParams({}, loadConfig({ env: { VB_MIN_QUALITY: "11" }, envFile: null })),
    /VB_MIN_QUALITY must be a number from 0 to 10, got 11/,
  );
});

Deno.test("notebookParams() rejects an unknown VB_CACHE mode with a config error", () => {
  assert.throws(
    () => notebookParams({}, loadConfig({ env: { VB_CACHE: "sometimes" }, envFile: null })),
    /VB_CACHE must be use, refresh, off, got "sometimes"/,
  );
});

Deno.test("paramsToEnv() makes paths absolute from the caller's folder, since kernels run in notebooks/", () => {
  const env = paramsToEnv({ images: "images", out: "results/x" }, "/work/main");
  assert.equal(env.VB_IMAGES, "/work/main/images");
  assert.equal(env.VB_OUT, "/work/main/results/x");
});

Deno.test("notebookParams() keeps the notebook's defaults for unset variables and rejects a bad limit", () => {
  const config = loadConfig({ env: { VB_LIMIT: "5" }, envFile: null });
  assert.deepEqual(notebookParams({ platforms: ["local"], limit: 3 }, config), {
    platforms: ["local"],
    limit: 5,
    images: repoPath("images"),
    out: repoPath("results"),
  });
  assert.throws(
    () => notebookParams({}, loadConfig({ env: { VB_LIMIT: "three" }, envFile: null })),
    /VB_LIMIT must be a positive integer/,
  );
});

Deno.test({
  name: "renderReport() fails naming the notebook and the cell when a cell shows nothing",
  ignore,
  async fn() {
    const path = await writeNotebook("silent-cell", ['console.log("shown")', "const silent = 1;"]);
    await assert.rejects(
      renderReport({ notebooks: [path], outDir: `${path}-out`, onLine: () => {} }),
      /silent-cell: cell 1 \('const silent = 1;'\) produced no output/,
    );
    await removeNotebook(path);
  },
});

Deno.test({
  name:
    "renderReport() fails naming the notebook and the cell when a cell throws, and skips the rest",
  ignore,
  async fn() {
    const path = await writeNotebook("throwing-cell", [
      "// no-output\nconst ready = true;",
      'throw new Error("boom in cell")',
      '"never runs"',
    ]);
    const error = await renderReport({ notebooks: [path], outDir: `${path}-out`, onLine: () => {} })
      .then(() => undefined, (error: Error) => error);
    assert.ok(error, "renderReport() should have failed");
    assert.match(
      error.message,
      /throwing-cell: cell 1 \('throw new Error\("boom in cell"\)'\) raised .*boom in cell/,
    );
    assert.doesNotMatch(error.message, /cell 2/);
    await removeNotebook(path);
  },
});

Deno.test({
  name: "renderReport() keeps outputs the Deno kernel sends after it reports idle",
  ignore,
  async fn() {
    // Without the grace period after idle, a few of these lose their output on Deno 2.9.6.
    const cells = Array.from(
      { length: 24 },
      (_, index) => index % 2 ? `${index} * 2` : `Deno.jupyter.html\`<b>cell ${index}</b>\``,
    );
    const path = await writeNotebook("many-cells", cells);
    const report = await renderReport({
      notebooks: [path],
      outDir: `${path}-out`,
      onLine: () => {},
    });
    const notebook = JSON.parse(await Deno.readTextFile(report.executedNotebooks[0]));
    const silent = notebook.cells.filter((cell: NotebookCell) => !cell.outputs?.length);
    assert.equal(silent.length, 0);
    await removeNotebook(path);
  },
});

Deno.test({
  name:
    "the six notebooks run on local and export one report without file:// links, with escaped descriptions and the quality section",
  ignore,
  sanitizeResources: false,
  async fn() {
    const report = await renderTestReport();
    assert.equal(report.executedNotebooks.length, 6);
    for (const path of report.executedNotebooks) {
      const notebook = JSON.parse(await Deno.readTextFile(path));
      for (const [index, cell] of (notebook.cells as NotebookCell[]).entries()) {
        if (cell.cell_type !== "code") continue;
        const outputs = cell.outputs ?? [];
        const errors = outputs.filter((output) => output.output_type === "error");
        assert.equal(errors.length, 0, `${path} cell ${index} raised ${errors[0]?.ename}`);
        if (/^\s*(\/\/|#)\s*no-output/.test(source(cell))) continue;
        assert.ok(outputs.length > 0, `${path} cell ${index} has no output`);
      }
    }
    const html = await Deno.readTextFile(report.reportPath);
    assert.ok(!html.includes("file://"), "the report links file://");
    assert.ok(!/<script[^>]+src=/.test(html), "the report loads an external script");
    assert.match(html, /<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    // The hostile description is on the page as text, never as markup.
    assert.ok(
      html.includes("&lt;script&gt;window.__visionbenchInjected"),
      "escaped description missing",
    );
    assert.ok(!html.includes(INJECTED_TEXT.slice(0, 40)), "raw description markup in the report");
    assert.ok(!html.includes("<img src=x"), "raw description markup in the report");
    for (
      const title of [
        "Quick check",
        "Benchmark",
        "Compare",
        "Prompt lab",
        "Quality",
        "Descriptions",
      ]
    ) {
      assert.ok(html.includes(title), `the report has no "${title}" section`);
    }
    // Quality: the summary with its quality columns, both quality charts drawn as SVG, the judge
    // hint (no VB_JUDGE), and the fixture's three ratings correlated with the automatic score.
    for (const column of ["meanScore", "meanRecall", "hallucinationRate", "meanRating"]) {
      assert.ok(html.includes(`<th>${column}</th>`), `no ${column} column in the report`);
    }
    for (const title of ["Quality against cost", "Recall of the labelled items"]) {
      assert.match(chartSection(html, title), /<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    }
    assert.match(html, /No judge configured: set <code>VB_JUDGE=openai<\/code>/);
    assert.match(
      html,
      /3 rated descriptions · mean rating 5\.7 \/ 10 · correlation with the automatic score: Pearson 1\.00, Spearman 1\.00 \(3 pairs\)/,
    );
    // No key, only the offline baseline: the card leads with the study's published pick and
    // says why; the study's ten rows are there; nothing is called simulated.
    assert.match(html, /class="vb-decision"/);
    assert.match(html, /The pick · from the study's published figures/);
    assert.match(html, /<h2 class="vb-pick">gemini · Gemini 2\.5 Flash Lite \(Google AI\)<\/h2>/);
    const published = html.match(/<table class="vb-table vb-sortable vb-published">.*?<\/table>/s)
      ?.[0];
    assert.equal(published?.match(/<tr>/g)?.length, 11, "the study's 10 rows (+ header)");
    assert.ok(!html.includes(`class="vb-simulated-banner"`), "a banner without simulated records");
    // The method states the prompt and max tokens; no local path leaks.
    assert.match(
      html,
      /<dt>Prompt<\/dt><dd><q>Describe everything you see in this image in detail\.<\/q>/,
    );
    assert.match(html, /<dt>Max output tokens<\/dt><dd>\d+/);
    assert.ok(!html.includes(report.outDir), "the results folder's path is in the report");
    assert.ok(!html.includes(repoPath("")), "the repository's path is in the report");
    await Deno.remove(report.outDir, { recursive: true });
  },
});

Deno.test({
  name:
    "the notebooks benchmark every emulated platform discovery finds, and no key reaches the report",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const fleet = startAllEmulators();
    try {
      // No VB_PLATFORMS: 02-benchmark discovers the platforms from the keys the emulators set;
      // VB_JUDGE has the emulated OpenAI grade the descriptions in 05-quality.
      const report = await renderTestReport({
        params: { limit: 2, runId: "emulated", judge: "openai" },
        env: fleet.env,
      });
      const html = await Deno.readTextFile(report.reportPath);
      const ran = html.match(/Platforms run:<\/strong>(.*?)<\/p>/)?.[1] ?? "";
      for (const preset of ["local", ...EMULATED_PRESETS]) {
        assert.ok(ran.includes(`<code>${preset}</code>`), `${preset} did not run: ${ran}`);
      }
      const executed = await Promise.all(
        report.executedNotebooks.map((path) => Deno.readTextFile(path)),
      );
      for (const [name, key] of Object.entries(EMULATOR_KEYS)) {
        assert.ok(!html.includes(key), `${name} is in the report`);
        assert.ok(
          !executed.some((text) => text.includes(key)),
          `${name} is in an executed notebook`,
        );
      }
      // Judge calls: their own run file in judge/, preset judge:openai, never in the benchmark.
      const judged = await readRun(`${report.outDir}/judge/emulated.judge.jsonl`);
      assert.ok(judged.records.length > 0, "no judge records");
      assert.ok(judged.records.every((record) => record.preset === "judge:openai"));
      assert.ok(judged.records.every((record) => record.promptId === "judge"));
      assert.ok(judged.records.some((record) => record.status === "ok"), "no judge call succeeded");
      const benchmark = await readRuns(report.outDir);
      assert.ok(benchmark.records.length > 0);
      assert.ok(!benchmark.records.some((record) => record.preset.startsWith("judge:")));
      assert.match(html, new RegExp(`${judged.records.length} judge calls by <code>openai</code>`));
      assert.match(html, /descriptions graded/);
      await Deno.remove(report.outDir, { recursive: true });
    } finally {
      await fleet.close();
    }
  },
});
