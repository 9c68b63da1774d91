import assert from "node:assert/strict";
import { repoPath } from "../../lib/util/paths.ts";
import { chromiumMissing, launchChromium } from "../support/chromium.ts";
import { descriptionFixture } from "../support/description-fixture.ts";
import { jupyterAvailable } from "../app/report-fixture.ts";
import { skipWithoutTool } from "../support/required-tool.ts";

const NOTEBOOK = "notebooks/06-descriptions.ipynb";
/** Images of the fixture run: enough for a correlation, few enough to stay quick. */
const IMAGES = 6;

const skipReason = !jupyterAvailable()
  ? "/usr/bin/python3 has no nbclient (sh scripts/setup-jupyter.sh)"
  : chromiumMissing();
const ignore = skipWithoutTool("descriptions notebook test", skipReason);

interface NotebookCell {
  cell_type: string;
  source: string | string[];
  metadata?: { tags?: string[] };
  outputs?: { output_type: string }[];
}

const text = (cell: NotebookCell) =>
  Array.isArray(cell.source) ? cell.source.join("") : cell.source;

/** The README's one-notebook command: `deno task report --out DIR notebooks/06-….ipynb`. */
async function reportOneNotebook(out: string): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "report", "--out", out, "--limit", String(IMAGES), NOTEBOOK],
    cwd: repoPath("."),
    env: { VISIONBENCH_ENV_FILE: "/dev/null" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  assert.ok(output.success, log);
  // Every code cell has its output (the parameters cell declares it has none on purpose).
  const executed = JSON.parse(await Deno.readTextFile(`${out}/notebooks/06-descriptions.ipynb`));
  for (const [index, cell] of (executed.cells as NotebookCell[]).entries()) {
    if (cell.cell_type !== "code" || /^\s*\/\/\s*no-output/.test(text(cell))) continue;
    assert.ok((cell.outputs ?? []).length > 0, `cell ${index} lost its output\n${log}`);
    assert.ok(!cell.outputs!.some((output) => output.output_type === "error"), `cell ${index}`);
  }
  return Deno.readTextFile(`${out}/report.html`);
}

Deno.test({
  name:
    "one notebook run with the documented command keeps every output; ratings downloaded from its report show, with their agreement, in the next report",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "visionbench-descriptions-" });
    const { records } = await descriptionFixture(IMAGES);
    await Deno.writeTextFile(
      `${out}/browser-fixture.jsonl`,
      records.map((record) => JSON.stringify(record) + "\n").join(""),
    );
    const browser = await launchChromium();
    try {
      const first = await reportOneNotebook(out);
      assert.match(first, /No ratings yet for these descriptions/);

      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const dialogs: string[] = [];
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await page.goto(`file://${out}/report.html`, { waitUntil: "load" });
      assert.equal(await page.locator(".vb-image").count(), IMAGES);
      assert.equal(
        await page.evaluate(() =>
          document.documentElement.scrollWidth - document.documentElement.clientWidth
        ),
        0,
        "the report scrolls sideways at 1440 px",
      );
      await page.locator(".vb-browser").scrollIntoViewIfNeeded();
      await page.click(".vb-browser [data-mode=rate]");
      await page.keyboard.press("j"); // the second image: its platforms' recalls differ
      for (const key of ["3", "6", "9", "0"]) await page.keyboard.press(key);
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click(".vb-download"),
      ]);
      await Deno.mkdir(`${out}/ratings`);
      await download.saveAs(`${out}/ratings/${download.suggestedFilename()}`);
      assert.deepEqual(dialogs, []);

      const second = await reportOneNotebook(out);
      assert.match(
        second,
        /4 rated descriptions · mean rating 7\.0 \/ 10 · correlation with the automatic score: Pearson/,
      );
      assert.equal(second.match(/human rating \d+ \/ 10/g)?.length, 4);
    } finally {
      await browser.close();
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test("every notebook starts with a parameters-only cell tagged `parameters`, imports in the next", async () => {
  const names = [...Deno.readDirSync(repoPath("notebooks"))].map((entry) => entry.name)
    .filter((name) => /^\d\d-.+\.ipynb$/.test(name)).sort();
  assert.ok(names.includes("06-descriptions.ipynb"));
  for (const name of names) {
    const notebook = JSON.parse(await Deno.readTextFile(repoPath(`notebooks/${name}`)));
    const code = (notebook.cells as NotebookCell[]).filter((cell) => cell.cell_type === "code");
    assert.deepEqual(code[0].metadata?.tags, ["parameters"], name);
    const statements = text(code[0]).split("\n").filter((line) => !/^\s*(\/\/.*)?$/.test(line));
    assert.ok(statements.length > 0, `${name}: empty parameters cell`);
    for (const line of statements) {
      assert.match(
        line,
        /^const [A-Za-z]\w* = [^;]+;( *\/\/.*)?$/,
        `${name}: not a parameter: ${line}`,
      );
    }
    assert.match(text(code[1]), /^import /, `${name}: the imports are not in the second cell`);
  }
});
