import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { repoPath } from "../../lib/util/paths.ts";
import { jupyterAvailable, renderTestReport, REPORT_TEST_LIMIT } from "./report-fixture.ts";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

function chromiumMissing(): string | undefined {
  try {
    Deno.statSync(CHROMIUM);
  } catch {
    return `${CHROMIUM} is absent (sh scripts/setup-jupyter.sh --browser)`;
  }
  if (!jupyterAvailable()) return "/usr/bin/python3 has no nbclient (sh scripts/setup-jupyter.sh)";
  return undefined;
}

const skipReason = chromiumMissing();
if (skipReason) console.warn(`report browser test skipped: ${skipReason}`);

Deno.test({
  name:
    "the report opens in Chromium with charts drawn, one description row per image, the blind rating view, no injected script run",
  ignore: skipReason !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const report = await renderTestReport();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const failedRequests: string[] = [];
      page.on("requestfailed", (request) => failedRequests.push(request.url()));
      await page.goto(`file://${report.reportPath}`, { waitUntil: "load" });

      const marks = await page.locator("figure.visionbench-chart svg :is(circle, rect, path)")
        .count();
      assert.ok(marks > 0, "no chart marks were drawn");

      // The quick check's table: one row per image (one platform, one variant).
      const quickCheck = page.locator("table.visionbench-descriptions").first();
      assert.equal(await quickCheck.locator("tbody tr").count(), REPORT_TEST_LIMIT);
      assert.ok(await quickCheck.locator("img").count() >= REPORT_TEST_LIMIT, "thumbnails missing");

      // The description browser (06): rating is blind — platform names hidden, order shuffled.
      const descriptions = page.locator(".vb-browser");
      await descriptions.locator("[data-mode=rate]").click();
      assert.equal(await descriptions.locator(".vb-card .vb-name").first().isVisible(), false);
      assert.ok(
        await descriptions.locator(".vb-card:not([hidden]) .vb-blind-name").first().isVisible(),
        "the rating view shows no blind names",
      );

      // The injected description is visible as text, and its script / onerror never ran.
      assert.equal(await page.evaluate(() => "__visionbenchInjected" in globalThis), false);
      assert.ok(await page.getByText("window.__visionbenchInjected", { exact: false }).count() > 0);
      assert.deepEqual(failedRequests.filter((url) => !url.startsWith("data:")), []);

      await Deno.mkdir(repoPath("results"), { recursive: true });
      await page.screenshot({ path: repoPath("results/report.png"), fullPage: false });
      assert.ok((await Deno.stat(repoPath("results/report.png"))).size > 10_000);
    } finally {
      await browser.close();
      await Deno.remove(report.outDir, { recursive: true });
    }
  },
});
