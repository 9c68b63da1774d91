/**
 * The notebooks as an analyst uses them: Debian's Jupyter Notebook server with the repository's
 * kernelspec and front-end settings, driven by headless Chromium — edit the parameters cell, run,
 * read what the cells show. Emulators stand in for the paid platforms.
 *
 * `VB_E2E_RESTARTS=20` repeats Restart & Run All of 03 and 04 twenty times (default 2);
 * `VB_E2E_SCREENSHOTS=DIR` saves screenshots of every notebook at 1440 and 390 px.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { startAllEmulators } from "../../emulators/all.ts";
import { simulatedAnswers } from "../../emulators/profiles.ts";
import { readRun } from "../../lib/run/run-store.ts";
import type { ResultRecord } from "../../lib/contract/record.ts";
import { repoPath } from "../../lib/util/paths.ts";
import { chromiumMissing, launchChromium } from "../support/chromium.ts";
import { descriptionFixture } from "../support/description-fixture.ts";
import {
  cellText,
  type CellView,
  codeCells,
  type NotebookServer,
  notebookServerMissing,
  restartAndRunAll,
  setCellText,
  startNotebookServer,
} from "../support/notebook-front-end.ts";
import { skipWithoutTool } from "../support/required-tool.ts";

const ignore = skipWithoutTool("live notebooks test", notebookServerMissing() ?? chromiumMissing());
const RESTARTS = Number(Deno.env.get("VB_E2E_RESTARTS") ?? "2");
const SCREENSHOTS = Deno.env.get("VB_E2E_SCREENSHOTS");

/** A parameters cell with some values replaced (`name = value;` → `name = replacement;`). */
async function editParameters(page: Page, values: Record<string, string>): Promise<void> {
  let text = await cellText(page, 1);
  for (const [name, value] of Object.entries(values)) {
    const pattern = new RegExp(`^const ${name} = .*?; //`, "m");
    assert.match(text, pattern, `the parameters cell declares ${name}`);
    text = text.replace(pattern, `const ${name} = ${value}; //`);
  }
  await setCellText(page, 1, text);
}

const errors = (cells: CellView[]) =>
  cells.flatMap((cell) =>
    cell.outputs.filter((output) => output.type === "error").map((output) =>
      `cell ${cell.index}: ${output.text}`
    )
  );

async function records(path: string): Promise<ResultRecord[]> {
  return (await readRun(path)).records;
}

/** The dollars of "~$0.012 in all" in the spend estimate a run cell shows. */
function estimatedUsd(cells: CellView[], index: number): number {
  const html = cells.find((cell) => cell.index === index)!.outputs.map((output) => output.html)
    .join("");
  const match = html.match(/estimated cost \(before any call\): ~\$([\d.,]+) in all/);
  assert.ok(match, `no spend estimate in cell ${index}: ${html.slice(0, 400)}`);
  return Number(match[1].replaceAll(",", ""));
}

const sum = (rows: ResultRecord[]) => rows.reduce((total, row) => total + (row.costUsd ?? 0), 0);

Deno.test({
  name: "the notebooks in the real front end (Jupyter Notebook + Chromium)",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const out = await Deno.makeTempDir({ prefix: "visionbench-live-" });
    const fleet = startAllEmulators({
      only: ["openai", "gemini", "baseten", "cloudflare"],
      behaviour: await simulatedAnswers({ scale: 0.001 }),
    });
    let server: NotebookServer | undefined;
    let browser: Browser | undefined;
    try {
      server = await startNotebookServer({
        env: {
          ...fleet.env,
          // A paid platform that is not on this machine: the cap applies (and nothing is called).
          ANTHROPIC_API_KEY: "sk-ant-test-not-a-key",
          ANTHROPIC_BASE_URL: "http://192.0.2.1:9",
          VB_OUT: out,
          VISIONBENCH_ENV_FILE: "/dev/null",
        },
      });
      browser = await launchChromium();
      const open = (name: string, width = 1440) =>
        server!.open(browser!, name, { width, height: width > 500 ? 900 : 844 });
      const run = async (page: Page) => {
        await restartAndRunAll(page);
        return codeCells(page);
      };

      await t.step(
        "02: platforms local, limit 2, resize 512 in the parameters cell run exactly 2 images × local × 512",
        async () => {
          const page = await open("02-benchmark.ipynb");
          await editParameters(page, {
            platforms: `["local"]`,
            limit: "2",
            resize: `["512"]`,
            runId: `"edited"`,
          });
          const cells = await run(page);
          assert.deepEqual(errors(cells), []);
          const rows = await records(`${out}/edited.jsonl`);
          assert.equal(rows.length, 2);
          assert.deepEqual(
            new Set(rows.map((row) => `${row.preset}|${row.variant}`)),
            new Set(["local|512"]),
          );
          assert.equal(new Set(rows.map((row) => row.imageId)).size, 2);
          // The environment's VB_OUT wins over the cell's out, and the notebook says so.
          assert.match(cells[1].outputs[0].html, /VB_OUT overrides out of the parameters cell/);
          await page.close();
        },
      );

      await t.step("04: the prompt set in the parameters cell is the records' prompt", async () => {
        const page = await open("04-prompt-lab.ipynb");
        const prompt = "Name every colour in this picture, and nothing else.";
        await editParameters(page, {
          prompt: JSON.stringify(prompt),
          alternatives: "[]",
          runId: `"own-prompt"`,
        });
        const cells = await run(page);
        assert.deepEqual(errors(cells), []);
        const rows = await records(`${out}/prompt-lab/own-prompt.jsonl`);
        assert.ok(rows.length > 0);
        assert.deepEqual(new Set(rows.map((row) => row.prompt)), new Set([prompt]));
        await page.close();
      });

      await t.step(
        "a paid run over maxSpendUsd does not start and says why; Run All stops there",
        async () => {
          const page = await open("02-benchmark.ipynb");
          await editParameters(page, {
            platforms: `["anthropic"]`,
            limit: "3",
            runId: `"refused"`,
            maxSpendUsd: "0.001",
          });
          const cells = await run(page);
          const [failure] = errors(cells);
          assert.ok(failure, JSON.stringify(cells).slice(0, 2000));
          assert.match(
            failure,
            /cell 3: not started: the estimated cost ~\$[\d.]+ exceeds maxSpendUsd \$0\.001/,
          );
          assert.match(
            failure,
            /raise the cap: maxSpendUsd = [\d.]+ in the notebook's parameters cell/,
          );
          assert.match(failure, /anthropic · claude-haiku-4-5: 6 calls/);
          await assert.rejects(Deno.stat(`${out}/refused.jsonl`), Deno.errors.NotFound);
          // The cells after the failing one did not run: no output, no prompt number.
          for (const cell of cells.filter((cell) => cell.index > 3)) {
            assert.deepEqual(cell.outputs, [], `cell ${cell.index} ran after the failure`);
            assert.equal(cell.prompt, null);
          }
          await page.close();
        },
      );

      await t.step(
        "the spend estimate is within ±25 % of what the emulated run cost, from the price cards and from the last measured $/call",
        async () => {
          const page = await open("02-benchmark.ipynb");
          const platforms = `["openai", "gemini", "baseten", "cloudflare"]`;
          await editParameters(page, { platforms, limit: "3", runId: `"emulated"` });
          let cells = await run(page);
          assert.deepEqual(errors(cells), []);
          const first = await records(`${out}/emulated.jsonl`);
          assert.equal(first.length, 4 * 3 * 2);
          const fromCards = estimatedUsd(cells, 3);
          const ratio = fromCards / sum(first);
          console.log(
            `estimate from the price cards ${fromCards} vs ${sum(first)}: ×${ratio.toFixed(2)}`,
          );
          assert.ok(ratio >= 0.75 && ratio <= 1.25, `×${ratio}`);
          // Again under a new run id, without the cache: now the estimate is what was measured.
          await editParameters(page, {
            platforms,
            limit: "3",
            runId: `"emulated-again"`,
            cache: `"off"`,
          });
          cells = await run(page);
          const again = await records(`${out}/emulated-again.jsonl`);
          const fromMeasured = estimatedUsd(cells, 3);
          assert.match(cells[2].outputs.map((output) => output.html).join(""), /measured/);
          const measuredRatio = fromMeasured / sum(again);
          console.log(
            `estimate from measured $/call ${fromMeasured} vs ${sum(again)}: ×${
              measuredRatio.toFixed(2)
            }`,
          );
          assert.ok(measuredRatio >= 0.75 && measuredRatio <= 1.25, `×${measuredRatio}`);
          // The same cases once more under the same id: recorded, so $0 and no call.
          cells = await run(page);
          assert.match(cells[2].outputs.map((output) => output.html).join(""), /~\$0 in all/);
          await page.close();
        },
      );

      // From here 03, 05 and 06 read every run in the folder: 33 images × 10 platforms, the
      // worst case (written after the estimate step, whose measured $/call it would change).
      const fixture = await descriptionFixture();
      await Deno.writeTextFile(
        `${out}/browser-fixture.jsonl`,
        fixture.records.map((record) => JSON.stringify(record) + "\n").join(""),
      );

      await t.step(
        `${RESTARTS} × Restart & Run All of 03 and 04: every output under the cell that made it`,
        async () => {
          for (const name of ["03-compare.ipynb", "04-prompt-lab.ipynb"]) {
            const page = await open(name);
            const sources = await page.evaluate(() =>
              (globalThis as unknown as {
                Jupyter: { notebook: { get_cells(): { get_text(): string }[] } };
              }).Jupyter.notebook.get_cells().map((cell) => cell.get_text())
            );
            let reference: string[] | undefined;
            for (let round = 1; round <= RESTARTS; round++) {
              const cells = await run(page);
              assert.deepEqual(errors(cells), [], `${name} round ${round}`);
              // What each cell shows, by kind: the same every round, and charts where they are drawn.
              const shape = cells.map((cell) =>
                `${cell.index}:${cell.outputs.map((output) => output.type).join(",")}`
              );
              for (const cell of cells) {
                const charts = (sources[cell.index].match(/await showChart\(/g) ?? []).length;
                const figures = cell.outputs.filter((output) =>
                  output.html.includes("vb-chart-scroll")
                );
                assert.ok(
                  figures.length <= charts,
                  `${name} round ${round}: a chart under cell ${cell.index}`,
                );
                const silent = /^\s*\/\/ no-output/.test(sources[cell.index]);
                assert.equal(
                  cell.outputs.length === 0,
                  silent,
                  `${name} round ${round}: cell ${cell.index} outputs`,
                );
              }
              reference ??= shape;
              assert.deepEqual(shape, reference, `${name} round ${round}`);
            }
            await page.close();
          }
        },
      );

      await t.step(
        "03: $ amounts read as text, and nothing promises sorting or links the notebook lacks",
        async () => {
          const page = await open("03-compare.ipynb");
          const cells = await run(page);
          assert.deepEqual(errors(cells), []);
          const card = page.locator(".cell").nth(3).locator(".output_area");
          assert.match(await card.innerText(), /\$\d/);
          assert.equal(
            await page.locator(
              "#notebook .MathJax, #notebook .MathJax_Preview, #notebook mjx-container, #notebook script[type^='math/tex']",
            ).count(),
            0,
            "MathJax typeset an output",
          );
          // A chart mark's link to a platform's descriptions leads somewhere only in the report.
          assert.ok(await page.locator("#notebook svg a[data-vb-href^='#platform-']").count() > 0);
          assert.equal(await page.locator("#notebook svg a[href]").count(), 0);
          // Sorting works in the report only: there the headers become buttons; here they are text.
          assert.ok(await page.locator("#notebook table.vb-sortable th").count() > 0);
          assert.equal(await page.locator("#notebook .vb-sort").count(), 0);
          const prose = await page.locator(".text_cell_render").allInnerTexts();
          for (const text of prose) {
            assert.doesNotMatch(text, /click (a|the) header|click (it|a mark)|click on a chart/i);
          }
          await page.close();
        },
      );

      await t.step(
        "06: keys stay in the browser, the toolbar stays on screen, a page is ≤ 3 screens, an untrusted copy says how to trust it",
        async () => {
          const page = await open("06-descriptions.ipynb");
          const cells = await run(page);
          assert.deepEqual(errors(cells), []);
          const cellTypes = () =>
            page.evaluate(() =>
              (globalThis as unknown as {
                Jupyter: { notebook: { get_cells(): { cell_type: string }[] } };
              }).Jupyter.notebook.get_cells().map((cell) => cell.cell_type)
            );
          const before = await cellTypes();
          const root = page.locator(".vb-browser");
          await root.waitFor();
          // A page of the browser is at most three screens (33 images × 10 platforms in all).
          const height = await root.evaluate((element) => element.getBoundingClientRect().height);
          assert.ok(height <= 3 * 900, `the browser is ${height} px tall`);
          const pageLabel = root.locator(".vb-page-label").first();
          assert.match(await pageLabel.innerText(), /^page 1 of \d+$/);
          // Rate mode, then a click on the browser cell's prompt (focus on the cell, command mode).
          await root.locator("[data-mode=rate]").click();
          const browserCell = page.locator(".cell").filter({ has: root });
          await browserCell.locator(".input_prompt").click();
          for (const key of ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]) {
            await page.keyboard.press(key);
          }
          assert.deepEqual(await cellTypes(), before, "a key changed a cell");
          assert.equal(await root.count(), 1, "the browser vanished");
          assert.ok(
            await root.locator(".vb-card.vb-rated").count() >= 9,
            "the keys rated descriptions",
          );
          // j moves image by image, and across pages.
          await root.locator("[data-mode=browse]").click();
          await browserCell.locator(".input_prompt").click();
          for (let press = 0; press < 12; press++) await page.keyboard.press("j");
          const labels = await root.evaluate((element) =>
            [...element.querySelectorAll(".vb-page-label")].map((label) => label.textContent)
          );
          assert.match(labels[0] ?? "", /^page ([2-9]|\d\d+) of \d+$/, JSON.stringify(labels));
          assert.deepEqual(await cellTypes(), before);
          // Scrolled to the end, the notebook's menu and toolbar are still on screen.
          await page.evaluate(() => {
            const site = document.querySelector("#site")!;
            site.scrollTop = site.scrollHeight;
          });
          const toolbar = await page.locator("#maintoolbar").boundingBox();
          assert.ok(toolbar && toolbar.y >= 0 && toolbar.y < 200, JSON.stringify(toolbar));
          const siteOverflow = await page.evaluate(() =>
            getComputedStyle(document.querySelector("#site")!).overflowY
          );
          assert.equal(siteOverflow, "auto");
          if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/06-rated-1440.png` });

          // The same notebook saved with its outputs, then changed elsewhere: not signed here.
          await page.evaluate(() =>
            (globalThis as unknown as { Jupyter: { notebook: { save_notebook(): Promise<void> } } })
              .Jupyter.notebook.save_notebook()
          );
          await page.waitForFunction(() =>
            !(globalThis as unknown as { Jupyter: { notebook: { dirty: boolean } } }).Jupyter
              .notebook.dirty
          );
          const saved = JSON.parse(
            await Deno.readTextFile(`${server!.folder}/06-descriptions.ipynb`),
          );
          saved.cells[0].source = ["# Descriptions (a copy from somewhere else)\n"];
          await Deno.writeTextFile(`${server!.folder}/untrusted-copy.ipynb`, JSON.stringify(saved));
          await page.close();
          const copy = await open("untrusted-copy.ipynb");
          const note = copy.locator(".vb-untrusted");
          await note.waitFor();
          assert.ok(await note.isVisible());
          assert.match(await note.innerText(), /File → Trust Notebook/);
          if (SCREENSHOTS) {
            await note.scrollIntoViewIfNeeded();
            await copy.screenshot({ path: `${SCREENSHOTS}/06-untrusted-1440.png` });
          }
          await copy.close();
        },
      );

      await t.step(
        "01 and 05 run without an error; with a wrong platform Run All stops at the failing cell",
        async () => {
          for (const name of ["01-quick-check.ipynb", "05-quality.ipynb"]) {
            const page = await open(name);
            assert.deepEqual(errors(await run(page)), [], name);
            await page.close();
          }
          const page = await open("01-quick-check.ipynb");
          await editParameters(page, { platforms: `["nope"]` });
          const cells = await run(page);
          assert.deepEqual(errors(cells).length, 1);
          assert.match(errors(cells)[0], /cell 3: unknown platform "nope"/);
          assert.ok(
            cells.filter((cell) => cell.index > 3).every((cell) => cell.outputs.length === 0),
          );
          await editParameters(page, { platforms: `["local"]`, limit: "0" });
          const zero = errors(await run(page));
          assert.equal(zero.length, 1);
          assert.match(zero[0], /cell 2: .*parameter limit must be a whole number from 1/);
          await page.close();
        },
      );

      if (SCREENSHOTS) {
        await t.step("screenshots at 1440 and 390 px", async () => {
          for (const name of ["02-benchmark", "03-compare", "04-prompt-lab", "06-descriptions"]) {
            for (const width of [1440, 390]) {
              const page = await open(`${name}.ipynb`, width);
              await run(page);
              await page.screenshot({ path: `${SCREENSHOTS}/${name}-${width}.png` });
              await page.close();
            }
          }
        });
      }
    } finally {
      await browser?.close();
      await server?.close();
      await fleet.close();
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "./visionbench notebook starts a Notebook server on 127.0.0.1 with a token, the repo's Deno kernel and front-end settings",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const child = new Deno.Command(repoPath("visionbench"), {
      args: ["notebook"],
      cwd: repoPath("."),
      env: { VISIONBENCH_PORT: String(port) },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const decoder = new TextDecoder();
    let log = "";
    const reader = child.stderr.getReader();
    try {
      let url: string | undefined;
      while (!url) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the launcher stopped:\n${log}`);
        log += decoder.decode(value);
        url = log.match(/http:\/\/127\.0\.0\.1:\d+\/tree\/notebooks\?token=[0-9a-f]{48}/)?.[0];
      }
      const token = new URL(url).searchParams.get("token");
      const base = `http://127.0.0.1:${port}`;
      let status = 0;
      for (let attempt = 0; attempt < 300 && status !== 200; attempt++) {
        status = await fetch(`${base}/api/kernelspecs?token=${token}`).then(
          async (response) => (await response.body?.cancel(), response.status),
          () => 0,
        );
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const specs = await (await fetch(`${base}/api/kernelspecs?token=${token}`)).json();
      assert.ok(specs.kernelspecs.deno, JSON.stringify(specs));
      // Without the token the server refuses.
      const anonymous = await fetch(`${base}/api/kernelspecs`);
      await anonymous.body?.cancel();
      assert.equal(anonymous.status, 403);
      // The notebooks are listed, and the repo's front-end settings load the stop-on-error extension.
      const tree = await (await fetch(`${base}/api/contents/notebooks?token=${token}`)).json();
      assert.ok(
        tree.content.some((item: { name: string }) => item.name === "06-descriptions.ipynb"),
      );
      const config = await (await fetch(`${base}/api/config/notebook?token=${token}`)).json();
      assert.equal(config.load_extensions?.["visionbench/stop-on-error"], true);
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await reader.cancel().catch(() => {});
    }
  },
});
