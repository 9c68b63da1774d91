/**
 * Screenshots of a report in headless Chromium, to look at it as its reader will:
 * `deno run --allow-all scripts/screenshot-report.ts results/report.html /tmp/shots`
 * writes `<name>-1440.png`, `<name>-390.png` (first screen) and `-full` variants.
 *
 * @module
 */
import { chromium } from "playwright-core";

const [report = "results/report.html", folder = "results/screenshots"] = Deno.args;
await Deno.mkdir(folder, { recursive: true });
const name = report.replace(/^.*\//, "").replace(/\.html$/, "");
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  for (const width of [1440, 390]) {
    const page = await browser.newPage({ viewport: { width, height: width > 800 ? 900 : 844 } });
    await page.goto(`file://${await Deno.realPath(report)}`, { waitUntil: "load" });
    await page.screenshot({ path: `${folder}/${name}-${width}.png` });
    await page.screenshot({ path: `${folder}/${name}-${width}-full.png`, fullPage: true });
    console.log(`${folder}/${name}-${width}.png`);
    await page.close();
  }
} finally {
  await browser.close();
}
