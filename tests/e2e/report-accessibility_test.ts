/**
 * The report for everyone: axe-core's WCAG 2.1 A/AA rules in Chromium on the offline and the
 * simulated report at 1440 and 390 px, alt text from the labels, a text view of every chart, and
 * a keyboard-only walk. Each report is built once for the whole file.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { chromiumMissing, launchChromium } from "../support/chromium.ts";
import { EMULATED_PRESETS, startAllEmulators } from "../../emulators/all.ts";
import { simulatedAnswers } from "../../emulators/profiles.ts";
import { jupyterAvailable, renderTestReport } from "../app/report-fixture.ts";
import { skipWithoutTool } from "../support/required-tool.ts";
import { loadLabels } from "../../lib/quality/labels.ts";
import { referenceDescription } from "../../lib/present/image-alt.ts";

const skipReason = chromiumMissing() ??
  (jupyterAvailable()
    ? undefined
    : "/usr/bin/python3 has no nbclient (sh scripts/setup-jupyter.sh)");
const ignore = skipWithoutTool("report accessibility test", skipReason);

const AXE_SOURCE = await Deno.readTextFile(
  new URL(import.meta.resolve("axe-core")).pathname.replace(/axe\.js$/, "axe.min.js"),
);
const WIDTHS = [1440, 390];

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}

/** axe-core's WCAG 2.1 A and AA rules on the page: serious and critical violations, by rule. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as {
      axe: { run(context: Document, options: unknown): Promise<{ violations: AxeViolation[] }> };
    }).axe;
    const result = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      resultTypes: ["violations"],
    });
    return result.violations;
  });
  return violations.filter((violation) => ["serious", "critical"].includes(violation.impact ?? ""))
    .map((violation) =>
      `${violation.id} on ${violation.nodes.length}: ${
        violation.nodes.slice(0, 3).map((node) => node.target.join(" ")).join(" | ")
      }`
    );
}

/** Structure a screen reader navigates by: language, main, contents, heading levels. */
function structure(page: Page) {
  return page.evaluate(() => {
    const levels = [...document.querySelectorAll("main h1, main h2, main h3, main h4, main h5")]
      .map((heading) => Number(heading.tagName[1]));
    const jumps = levels.flatMap((level, index) =>
      index > 0 && level > levels[index - 1] + 1 ? [`h${levels[index - 1]} → h${level}`] : []
    );
    return {
      lang: document.documentElement.lang,
      mains: document.querySelectorAll("main").length,
      contents: document.querySelectorAll('main nav[aria-label="Contents"] a').length,
      jumps,
    };
  });
}

/** Every image with a picture: its alt, the image it shows and the text around it. */
function pictures(page: Page) {
  return page.locator("img[src]").evaluateAll((images) =>
    images.map((image) => {
      const holder = image.closest("[data-image-id], td, li, figure");
      return {
        alt: image.getAttribute("alt"),
        imageId: holder?.closest("[data-image-id]")?.getAttribute("data-image-id") ??
          holder?.querySelector("code")?.textContent ?? null,
        around: holder?.textContent ?? "",
      };
    })
  );
}

/** Where the keyboard focus is, in the terms of the walk. */
function focused(page: Page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return { kind: "none" };
    const indexIn = (selector: string, of: Element) =>
      [...document.querySelectorAll(selector)]
        .indexOf(of);
    if (element.matches('a[href="#decision"]')) return { kind: "pick" };
    if (element.closest(".vb-decision .vb-pick")) return { kind: "pick" };
    if (element.matches("details.vb-chart-table > summary")) {
      return { kind: "chart table", open: (element.parentElement as HTMLDetailsElement).open };
    }
    if (element.matches(".vb-table-scroll")) {
      return { kind: "table", index: indexIn(".vb-table-scroll", element) };
    }
    if (element.matches(".visionbench-chart svg a")) {
      const tip = document.querySelector<HTMLElement>(".vb-tip");
      return {
        kind: "mark",
        tooltip: tip && !tip.hidden ? tip.textContent : null,
        title: element.querySelector("title")?.textContent?.trim() ?? null,
      };
    }
    if (element.matches('.vb-browser [data-mode="rate"]')) {
      return { kind: "rate mode", pressed: element.getAttribute("aria-pressed") };
    }
    if (element.matches(".vb-browser .vb-rate button")) {
      return { kind: "rating", card: element.closest<HTMLElement>(".vb-card")!.dataset.recordId };
    }
    return { kind: "other" };
  });
}

/**
 * Tab through the whole page from the top with the keyboard only: Enter follows the link to the
 * pick, opens each chart's table, switches the description browser to rating and rates one
 * description. Returns what was reached.
 */
async function keyboardWalk(page: Page) {
  const tables = await page.locator(".vb-table-scroll").count();
  const charts = await page.locator("details.vb-chart-table").count();
  const reached = {
    pick: false,
    tables: new Set<number>(),
    chartTables: 0,
    tooltip: undefined as string | undefined,
    rated: false,
  };
  let rateMode = false;
  for (let step = 0; step < 5000; step++) {
    await page.keyboard.press("Tab");
    const at = await focused(page);
    if (at.kind === "none" && step > 0) break; // wrapped around the page
    if (at.kind === "pick" && !reached.pick) {
      reached.pick = true;
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => location.hash === "#decision");
    } else if (at.kind === "chart table" && !at.open) {
      await page.keyboard.press("Enter");
      reached.chartTables++;
    } else if (at.kind === "table") {
      reached.tables.add(at.index!);
    } else if (at.kind === "mark" && reached.tooltip === undefined) {
      assert.equal(at.tooltip, at.title, "a focused mark shows its tooltip");
      reached.tooltip = at.tooltip ?? "";
    } else if (at.kind === "rate mode" && !rateMode) {
      rateMode = true;
      await page.keyboard.press("Enter");
    } else if (at.kind === "rating" && !reached.rated) {
      await page.keyboard.press("Enter");
      await page.waitForFunction(
        (id) =>
          document.querySelector(
            `.vb-card[data-record-id="${CSS.escape(id)}"] .vb-rate [aria-pressed="true"]`,
          ),
        at.card!,
      );
      // The live region tells a screen reader what was rated and where the browser went next.
      assert.match(
        await page.locator(".vb-browser .vb-announce").textContent() ?? "",
        /^Rated \d+\. Next: Image \d+ of \d+, .+: (not rated|rated \d+)$/,
      );
      reached.rated = true;
    }
    if (reached.pick && reached.rated && reached.tables.size === tables) break;
  }
  return { ...reached, tableCount: tables, chartCount: charts };
}

async function check(browser: Browser, reportPath: string, name: string) {
  const labels = await loadLabels();
  for (const width of WIDTHS) {
    const at = `${name} report at ${width} px`;
    const page = await browser.newPage({
      viewport: { width, height: width > 800 ? 900 : 844 },
      hasTouch: width < 800,
    });
    await page.goto(`file://${reportPath}`, { waitUntil: "load" });

    assert.deepEqual(await seriousViolations(page), [], `axe-core, ${at}`);
    const { lang, mains, contents, jumps } = await structure(page);
    assert.equal(lang, "en", at);
    assert.equal(mains, 1, at);
    assert.ok(contents >= 6, `the contents links, ${at}`);
    assert.deepEqual(jumps, [], `headings skip a level, ${at}`);

    // Alt text: the reference description of the image shown (never its file name), not repeated
    // in the text beside it.
    const shown = await pictures(page);
    assert.ok(shown.length > 0);
    for (const picture of shown) {
      const labelled = labels.get(picture.imageId ?? "");
      assert.ok(picture.alt?.trim(), `an image without alt text (${picture.imageId}), ${at}`);
      if (labelled) assert.equal(picture.alt, referenceDescription(labelled), at);
      else assert.match(picture.alt!, /^Described by .+, the best-scoring platform/, at);
      assert.doesNotMatch(picture.alt!, /^[\w.-]+$|\.(png|jpe?g|webp|gif)\b/i, at);
      assert.ok(!picture.around.includes(picture.alt!), `alt repeated beside its image, ${at}`);
    }

    // Every chart: a summary, a table behind "Show as table".
    const figures = await page.locator("figure.visionbench-chart").evaluateAll((all) =>
      all.map((figure) => ({
        summary: figure.querySelector(".vb-chart-summary")?.textContent ?? "",
        marks: figure.querySelectorAll("svg title").length,
        table: figure.querySelectorAll("details.vb-chart-table table").length,
      }))
    );
    assert.ok(figures.length >= 6, at);
    for (const figure of figures) {
      assert.ok(figure.summary.length > 30, `a chart without a summary, ${at}`);
      assert.equal(figure.table, figure.marks > 0 ? 1 : 0, `a chart without its table, ${at}`);
    }

    if (width < 800) {
      // A box that scrolls sideways scrolls with the arrow keys once focused.
      const box = page.locator(".vb-table-scroll").filter({
        has: page.locator("table.vb-sortable"),
      }).first();
      await box.focus();
      await page.keyboard.press("ArrowRight");
      await box.evaluate((element) =>
        new Promise<void>((resolve) => {
          const done = () => element.scrollLeft > 0 && resolve();
          element.addEventListener("scroll", done);
          done();
        })
      );
      // Touch: the first tap on a mark shows its tooltip, the second follows its link.
      const mark = page.locator('figure.visionbench-chart svg a[href^="#platform-"]').last();
      if (await mark.count()) {
        await mark.tap();
        assert.ok(await page.locator(".vb-tip").isVisible(), `no tooltip on tap, ${at}`);
        assert.equal(
          (await page.locator(".vb-tip").textContent())?.trim(),
          (await mark.locator("title").textContent())?.trim(),
          `tap tooltip, ${at}`,
        );
        assert.equal(
          await page.evaluate(() => location.hash),
          "",
          `the first tap navigated, ${at}`,
        );
        await mark.tap();
        await page.waitForFunction(() => location.hash.startsWith("#platform-"));
      }
    } else {
      const walk = await keyboardWalk(page);
      assert.ok(walk.pick, `the walk never reached the pick, ${at}`);
      assert.equal(walk.chartTables, walk.chartCount, `charts' tables opened, ${at}`);
      assert.equal(walk.tables.size, walk.tableCount, `tables reached, ${at}`);
      assert.ok(walk.rated, `no description rated by keyboard, ${at}`);
      if (name === "simulated") assert.match(walk.tooltip ?? "", /\$\/1k images/, at);
    }
    await page.close();
  }
}

Deno.test({
  name:
    "the offline and the simulated report at 1440 and 390 px: no serious or critical axe-core (WCAG 2.1 A/AA) violation, lang, main, contents, heading order, alt text from the labels, a summary and a table view of every chart, a keyboard-only walk to the pick, every table, every chart's table and the rating controls",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const reports = [await renderTestReport()];
    const fleet = startAllEmulators({ behaviour: await simulatedAnswers() });
    const browser = await launchChromium();
    try {
      reports.push(
        await renderTestReport({
          params: { limit: 2, runId: "accessibility", simulated: [...EMULATED_PRESETS] },
          env: fleet.env,
        }).finally(() => fleet.close()),
      );
      const [offline, simulated] = reports;
      await t.step("offline report", () => check(browser, offline.reportPath, "offline"));
      await t.step("simulated report", () => check(browser, simulated.reportPath, "simulated"));
    } finally {
      await browser.close();
      for (const report of reports) await Deno.remove(report.outDir, { recursive: true });
    }
  },
});
