import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { chromiumMissing, launchChromium } from "../support/chromium.ts";
import { repoPath } from "../../lib/util/paths.ts";
import { EMULATED_PRESETS, startAllEmulators } from "../../emulators/all.ts";
import { simulatedAnswers } from "../../emulators/profiles.ts";
import { jupyterAvailable, renderTestReport } from "../app/report-fixture.ts";
import { skipWithoutTool } from "../support/required-tool.ts";

/** Images of the emulated render: enough for every chart, few enough to stay quick. */
const LIMIT = 2;

const skipReason = chromiumMissing() ??
  (jupyterAvailable()
    ? undefined
    : "/usr/bin/python3 has no nbclient (sh scripts/setup-jupyter.sh)");
const ignore = skipWithoutTool("report browser test", skipReason);

/** Pairs of chart texts whose boxes overlap (more than half a pixel each way). */
function overlappingChartTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    for (const svg of document.querySelectorAll("figure.visionbench-chart svg")) {
      const boxes = [...svg.querySelectorAll("text")]
        .filter((text) => (text.textContent ?? "").trim() !== "")
        .map((text) => ({ text: text.textContent!.trim(), box: text.getBoundingClientRect() }))
        .filter(({ box }) => box.width > 0 && box.height > 0);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i].box;
          const b = boxes[j].box;
          const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (x > 0.5 && y > 0.5) problems.push(`"${boxes[i].text}" × "${boxes[j].text}"`);
        }
      }
    }
    return problems;
  });
}

/** Data marks (dots, bars, cells, ticks) of every chart without a tooltip, and how many in all. */
function marksWithoutTooltip(page: Page): Promise<{ marks: number; missing: string[] }> {
  return page.evaluate(() => {
    const selector = ["dot", "bar", "cell", "tick"].map((label) => `g[aria-label="${label}"] > *`)
      .join(", ");
    let marks = 0;
    const missing: string[] = [];
    for (const svg of document.querySelectorAll("figure.visionbench-chart svg")) {
      for (const mark of svg.querySelectorAll(selector)) {
        marks++;
        const shape = mark.tagName.toLowerCase() === "a" ? mark.firstElementChild : mark;
        if (!shape?.querySelector(":scope > title")?.textContent?.trim()) {
          missing.push(`${mark.parentElement?.getAttribute("aria-label")} ${shape?.tagName}`);
        }
      }
    }
    return { marks, missing };
  });
}

/** Smallest chart text as displayed (font size × how much the SVG is scaled). */
function smallestChartTextPx(page: Page): Promise<number> {
  return page.evaluate(() => {
    let smallest = Infinity;
    for (const svg of document.querySelectorAll<SVGSVGElement>("figure.visionbench-chart svg")) {
      const drawn = svg.viewBox.baseVal?.width || svg.width.baseVal.value;
      const scale = svg.getBoundingClientRect().width / drawn;
      for (const text of svg.querySelectorAll("text")) {
        if (!(text.textContent ?? "").trim()) continue;
        smallest = Math.min(smallest, parseFloat(getComputedStyle(text).fontSize) * scale);
      }
    }
    return smallest;
  });
}

Deno.test({
  name:
    "the simulated report in Chromium at 1440 and 390 px: pick on the first screen, banner, no overlapping chart text, a tooltip on every mark, marks link to descriptions, blind rating, no sideways scroll",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const fleet = startAllEmulators({ behaviour: await simulatedAnswers() });
    let report;
    try {
      report = await renderTestReport({
        params: { limit: LIMIT, runId: "browser", simulated: [...EMULATED_PRESETS] },
        env: fleet.env,
      });
    } finally {
      await fleet.close();
    }
    const browser = await launchChromium();
    try {
      for (const width of [1440, 390]) {
        const height = width > 800 ? 900 : 844;
        const page = await browser.newPage({ viewport: { width, height } });
        const failedRequests: string[] = [];
        page.on("requestfailed", (request) => failedRequests.push(request.url()));
        await page.goto(`file://${report.reportPath}`, { waitUntil: "load" });
        const at = `at ${width} px`;

        // The answer first: the decision card starts on the first screen, under the banner.
        const card = await page.locator(".vb-decision").boundingBox();
        assert.ok(card && card.y < height - 80, `decision card not on the first screen ${at}`);
        assert.match(await page.locator(".vb-decision .vb-pick").innerText(), /\S/);
        assert.match(await page.locator(".vb-decision").innerText(), /Robustness: .+ in \d+ % of/);
        assert.equal(await page.locator(".vb-simulated-banner").count(), 1, `banner ${at}`);
        assert.match(await page.locator(".vb-decision").innerText(), /SIMULATED/i);

        // Charts: drawn, text never overlapping, every data mark with a tooltip.
        assert.ok(await page.locator("figure.visionbench-chart svg").count() >= 6);
        assert.deepEqual(await overlappingChartTexts(page), [], `overlapping chart text ${at}`);
        const { marks, missing } = await marksWithoutTooltip(page);
        assert.ok(marks > 20, `only ${marks} chart marks ${at}`);
        assert.deepEqual(missing, [], `marks without a tooltip ${at}`);
        assert.ok(await smallestChartTextPx(page) >= 10, `chart text under 10 px ${at}`);

        // No sideways page scroll: wide tables and charts scroll inside their own boxes.
        const overflow = await page.evaluate(() =>
          document.documentElement.scrollWidth - globalThis.innerWidth
        );
        assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px ${at}`);

        // A click on a platform's mark lands on that platform's descriptions.
        // A real mouse click where a dot is drawn: whatever link is on top there is followed.
        const mark = page.locator('figure.visionbench-chart svg a[href^="#platform-"]').last();
        await mark.scrollIntoViewIfNeeded();
        const box = (await mark.boundingBox())!;
        const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
        const href = await page.evaluate(
          ([x, y]) => document.elementFromPoint(x, y)?.closest("a")?.getAttribute("href"),
          [x, y],
        );
        assert.match(href ?? "", /^#platform-/, `no platform link under the mouse ${at}`);
        await page.mouse.click(x, y);
        await page.waitForFunction((hash) => location.hash === hash, href);
        const target = await page.evaluate((id) => {
          const element = document.getElementById(id);
          if (!element) return undefined;
          return {
            top: element.getBoundingClientRect().top,
            inDescriptions: element.closest(".vb-browser") !== null,
          };
        }, href!.slice(1));
        assert.ok(target, `no element with id ${href}`);
        assert.ok(target.inDescriptions, `${href} is not in the description browser`);
        assert.ok(target.top >= -2 && target.top < height, `${href} not scrolled into view ${at}`);

        // Sortable leaderboard: a click on "$ / 1,000 today" orders the rows by it.
        await page.goto(`file://${report.reportPath}`, { waitUntil: "load" });
        const board = page.locator("table.vb-sortable").first();
        await board.getByRole("button", { name: "$ / 1,000 today" }).click();
        const costs = await board.locator("tbody tr").evaluateAll((rows) =>
          rows.map((row) => Number((row.children[6] as HTMLElement).dataset.sort ?? NaN))
            .filter((value) => !Number.isNaN(value))
        );
        assert.deepEqual(costs, [...costs].sort((a, b) => a - b), `sorting ${at}`);

        // The description browser (06): rating is blind — platform names hidden, order shuffled.
        const descriptions = page.locator(".vb-browser");
        await descriptions.locator("[data-mode=rate]").click();
        assert.equal(await descriptions.locator(".vb-card .vb-name").first().isVisible(), false);
        assert.ok(
          await descriptions.locator(".vb-card:not([hidden]) .vb-blind-name").first().isVisible(),
          `the rating view shows no blind names ${at}`,
        );

        // Code is folded but can be shown; no script from a description ran, its text is shown.
        assert.ok(
          await page.getByText("window.__visionbenchInjected", { exact: false }).count() > 0,
        );
        assert.equal(await page.locator(".jp-CodeCell .jp-Cell-inputWrapper:visible").count(), 0);
        await page.getByRole("button", { name: "Show code" }).click();
        assert.ok(await page.locator(".jp-CodeCell .jp-Cell-inputWrapper:visible").count() > 0);
        assert.equal(await page.evaluate(() => "__visionbenchInjected" in globalThis), false);
        assert.deepEqual(failedRequests.filter((url) => !url.startsWith("data:")), []);
        await page.close();
      }

      // Print: no code, and the PDF says how many A4 pages the report takes.
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(`file://${report.reportPath}`, { waitUntil: "load" });
      await page.emulateMedia({ media: "print" });
      assert.equal(await page.locator(".jp-CodeCell .jp-Cell-inputWrapper:visible").count(), 0);
      const pdf = new TextDecoder("latin1").decode(await page.pdf({ format: "A4" }));
      console.log(`report print: ${(pdf.match(/\/Type\s*\/Page[^s]/g) ?? []).length} A4 pages`);
      await page.emulateMedia({ media: "screen" });
      await Deno.mkdir(repoPath("results"), { recursive: true });
      await page.screenshot({ path: repoPath("results/report.png"), fullPage: false });
      assert.ok((await Deno.stat(repoPath("results/report.png"))).size > 10_000);
    } finally {
      await browser.close();
      await Deno.remove(report.outDir, { recursive: true });
    }
  },
});
