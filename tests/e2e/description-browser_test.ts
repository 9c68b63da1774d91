import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { descriptionBrowser } from "../../lib/present/browser/browser.ts";
import { buildDescriptionReview, recallSpread } from "../../lib/quality/description-review.ts";
import { readRatingsFolder } from "../../lib/quality/ratings-folder.ts";
import { ratingsSummary } from "../../lib/present/quality-sections.ts";
import { scoreDescription } from "../../lib/quality/score.ts";
import { chromiumMissing, launchChromium } from "../support/chromium.ts";
import {
  descriptionFixture,
  FAILING,
  FIXTURE_PLATFORMS,
  HALLUCINATING,
  XSS_TEXT,
} from "../support/description-fixture.ts";
import { skipWithoutTool } from "../support/required-tool.ts";

const ignore = skipWithoutTool("description browser test", chromiumMissing());

async function standalonePage(fragment: string): Promise<string> {
  const folder = await Deno.makeTempDir({ prefix: "visionbench-browser-" });
  const path = `${folder}/browser.html`;
  await Deno.writeTextFile(
    path,
    `<!doctype html><html><head><meta charset="utf-8">` +
      `<meta name="viewport" content="width=device-width, initial-scale=1"></head>` +
      `<body style="margin:0 16px">${fragment}</body></html>`,
  );
  return path;
}

const horizontalOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** The images the filter lets through, on every page. */
const shownImageIds = (page: Page) =>
  page.$$eval(
    ".vb-image[data-passes=true]",
    (sections) => sections.map((section) => (section as HTMLElement).dataset.imageId!),
  );

const card = (page: Page, recordId: string) =>
  page.locator(`.vb-card[data-record-id="${recordId}"]`);

Deno.test({
  name:
    "the description browser on 10 platforms × 33 images: no overflow at 1440 px, 2 side by side, terms marked, filters, anchors, keyboard ratings that survive a reload and download as readRatings lines, markup as text",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { records, images, labels } = await descriptionFixture();
    assert.equal(images.length, 33);
    assert.equal(new Set(records.map((record) => record.platform)).size, 10);
    const path = await standalonePage(
      String(await descriptionBrowser(records, { labels, images })),
    );
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      const dialogs: string[] = [];
      const requests: string[] = [];
      const pageErrors: string[] = [];
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on("request", (request) => requests.push(request.url()));
      page.on("pageerror", (error) => pageErrors.push(error.message));
      await page.goto(`file://${path}`, { waitUntil: "load" });

      // Every platform, every image, a page at a time at most three screens tall: the page
      // itself never scrolls sideways.
      assert.match(await page.locator(".vb-count").textContent() ?? "", /^33 of 33 images/);
      assert.equal((await shownImageIds(page)).length, 33);
      const onPage = await page.locator(".vb-image:not([hidden])").count();
      assert.ok(onPage >= 1 && onPage <= 10, `${onPage} images on the first page`);
      const pageLabel = await page.locator(".vb-page-label").first().textContent();
      assert.equal(pageLabel, `page 1 of ${Math.ceil(33 / onPage)}`);
      const browserHeight = await page.locator(".vb-browser").evaluate((element) =>
        element.getBoundingClientRect().height
      );
      assert.ok(browserHeight <= 3 * 900, `a page is ${browserHeight} px tall`);
      assert.equal(await horizontalOverflow(page), 0, "horizontal overflow at 1440 px");

      // A labelled term is highlighted where named; a mustNotMention term is marked.
      const second = images[1].id;
      const named = card(page, `bf-0-1-original`);
      const expected = scoreDescription(
        records.find((record) => record.recordId === "bf-0-1-original")!.text,
        labels.get(second)!,
      );
      assert.ok(expected.matched.length > 0);
      const marked = await named.locator("mark.vb-named").evaluateAll((marks) =>
        marks.map((mark) => mark.getAttribute("title")!.replace(/^.*: /, ""))
      );
      assert.deepEqual([...new Set(marked)].sort(), [...expected.matched].sort());
      const hallucinated = card(page, `bf-${HALLUCINATING}-1-original`).locator(
        "mark.vb-hallucinated",
      );
      assert.equal(await hallucinated.count(), 1);
      assert.equal(
        (await hallucinated.textContent())?.toLowerCase(),
        labels.get(second)!.mustNotMention[0].term.toLowerCase(),
      );

      // The XSS description is text: no element made of it, no dialog.
      const hostile = card(page, "bf-0-0-original").locator(".vb-text");
      assert.equal(await hostile.textContent(), XSS_TEXT);
      assert.equal(await hostile.locator("img").count(), 0);

      // Click to enlarge, Escape to close.
      await page.click(`#vb-image-${images[0].id} .vb-enlarge`);
      assert.ok(await page.locator(".vb-lightbox img").isVisible());
      const enlarged = await page.locator(".vb-lightbox img").boundingBox();
      assert.ok(enlarged && enlarged.height > 700, JSON.stringify(enlarged));
      await page.keyboard.press("Escape");
      assert.equal(await page.locator(".vb-lightbox").isVisible(), false);

      // Two platforms chosen: side by side, each card wide enough to read.
      await page.click("[data-select=none]");
      await page.check(`input.vb-series[value="${FIXTURE_PLATFORMS[0].join(" · ")}"]`);
      await page.check(`input.vb-series[value="${FIXTURE_PLATFORMS[7].join(" · ")}"]`);
      const pair = page.locator(`#vb-image-${images[0].id} .vb-card:not([hidden])`);
      assert.equal(await pair.count(), 2);
      const [left, right] = [await pair.nth(0).boundingBox(), await pair.nth(1).boundingBox()];
      assert.ok(left && right);
      assert.equal(Math.round(left.y), Math.round(right.y), "the two are not side by side");
      assert.ok(
        right.x > left.x + left.width - 1 && left.width > 400,
        JSON.stringify([left, right]),
      );
      assert.equal(await horizontalOverflow(page), 0);

      // "Where platforms disagree": exactly the images whose recall spread is above 0.5, the
      // `local` baseline left out (it describes pixels, not content).
      await page.click("[data-select=all]");
      await page.selectOption(".vb-filter", "disagree");
      const review = buildDescriptionReview(records, labels);
      const view = review.views[0].id;
      const spreadOf = (image: (typeof review.images)[number]) =>
        recallSpread(
          image.descriptions.filter((d) => d.view === view && d.platform !== "local"),
        ) ?? 0;
      const disagreeing = review.images.filter((image) => spreadOf(image) > 0.5)
        .map((image) => image.imageId);

      assert.ok(disagreeing.length > 0 && disagreeing.length < 33, `${disagreeing.length}`);
      assert.deepEqual(await shownImageIds(page), disagreeing);
      await page.selectOption(".vb-filter", "errors");
      assert.deepEqual(
        await shownImageIds(page),
        images.filter((_, index) => index % 5 === 0).map((image) => image.id),
        `platform ${FAILING} fails on every fifth image`,
      );
      await page.selectOption(".vb-filter", "hallucinations");
      assert.deepEqual(
        await shownImageIds(page),
        images.filter((_, index) => index % 4 === 1).map((image) => image.id),
      );
      // A failure gallery entry is one click from its descriptions, whatever the filter hid.
      await page.selectOption(".vb-filter", "errors");
      const entry = page.locator(".vb-gallery-link").first();
      const target = await entry.getAttribute("data-image-id");
      assert.ok(target && !(await shownImageIds(page)).includes(target), "pick a hidden image");
      await entry.click();
      await page.waitForFunction((id) => {
        const section = document.querySelector(`.vb-image[data-image-id="${id}"]`)!;
        const box = section.getBoundingClientRect();
        return !(section as HTMLElement).hidden && box.top >= 0 && box.top < innerHeight;
      }, target);
      await page.selectOption(".vb-filter", "all");

      // A chart's link to #platform-… selects that platform.
      await page.evaluate(() => location.hash = "platform-openai-gpt-4o-mini");
      await page.waitForFunction(() =>
        document.querySelectorAll("input.vb-series:checked").length === 1
      );
      const series = await page.$$eval(
        ".vb-image:not([hidden]) .vb-card:not([hidden])",
        (cards) => [...new Set(cards.map((card) => (card as HTMLElement).dataset.series))],
      );
      assert.deepEqual(series, ["openai · gpt-4o-mini"]);
      await page.click("[data-select=all]");

      // Blind rating by keyboard: names hidden, j to the next image, three grades.
      await page.evaluate(() => scrollTo(0, 0));
      await page.click("[data-mode=rate]");
      assert.equal(await page.locator(".vb-card .vb-name").first().isVisible(), false);
      assert.ok(
        await page.locator(".vb-image:not([hidden]) .vb-card:not([hidden]) .vb-blind-name").first()
          .isVisible(),
      );
      assert.equal(
        await hostile.textContent(),
        XSS_TEXT,
        "the rating view shows the markup as text",
      );
      assert.equal(await hostile.locator("img").count(), 0);
      await page.keyboard.press("j");
      for (const key of ["2", "5", "9"]) await page.keyboard.press(key);
      const stored = await page.evaluate(() =>
        JSON.parse(localStorage.getItem("visionbench-ratings") ?? "{}").ratings
      ) as Record<string, { rating: number }>;
      const rated = Object.entries(stored).map(([recordId, { rating }]) => ({ recordId, rating }));
      assert.deepEqual(rated.map((entry) => entry.rating), [2, 5, 9]);
      assert.ok(rated.every((entry) => entry.recordId.endsWith(`-1-original`)), "not image 2");

      // …survives a reload.
      await page.reload({ waitUntil: "load" });
      for (const { recordId, rating } of rated) {
        assert.equal(
          await card(page, recordId).locator(`.vb-rate button[aria-pressed=true]`).textContent(),
          String(rating),
        );
      }
      assert.match(await page.locator(".vb-progress").textContent() ?? "", /^3 of \d+ rated/);

      // One click downloads JSON lines that readRatings accepts.
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click(".vb-download"),
      ]);
      const folder = await Deno.makeTempDir({ prefix: "visionbench-ratings-" });
      await download.saveAs(`${folder}/${download.suggestedFilename()}`);
      assert.match(download.suggestedFilename(), /^ratings-.*\.jsonl$/);
      const { ratings, problems } = await readRatingsFolder(folder);
      assert.deepEqual(problems, []);
      assert.deepEqual(
        ratings.map((rating) => [rating.recordId, rating.rating, rating.blind]).sort(),
        rated.map((entry) => [entry.recordId, entry.rating, true]).sort(),
      );
      for (const rating of ratings) {
        const record = records.find((candidate) => candidate.recordId === rating.recordId)!;
        assert.deepEqual(
          [rating.runId, rating.imageId, rating.platform, rating.model],
          [record.runId, record.imageId, record.platform, record.model],
        );
      }

      // The next build shows the human grade beside the automatic score, and their agreement.
      const rebuilt = String(await descriptionBrowser(records, { labels, images, ratings }));
      assert.equal(rebuilt.match(/human rating \d+ \/ 10/g)?.length, 3);
      assert.match(
        String(ratingsSummary(records, ratings, labels)),
        /3 rated descriptions · mean rating 5\.3 \/ 10 · correlation with the automatic score: Pearson/,
      );

      // Phone width: no sideways scrolling either.
      await page.setViewportSize({ width: 390, height: 844 });
      assert.equal(await horizontalOverflow(page), 0, "horizontal overflow at 390 px");

      assert.deepEqual(dialogs, [], "a dialog opened");
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(requests.filter((url) => !/^(file|data|blob):/.test(url)), []);
      await Deno.remove(folder, { recursive: true });
    } finally {
      await browser.close();
      await Deno.remove(path.replace(/\/browser\.html$/, ""), { recursive: true });
    }
  },
});

Deno.test({
  name:
    "the disagree and hallucination filters ignore the local baseline: two models that agree and do not hallucinate show nothing",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { records: all, images, labels } = await descriptionFixture();
    const two = images.slice(0, 2);
    const records = two.flatMap((image, imageIndex) => {
      const label = labels.get(image.id)!;
      const terms = label.mustMention.map((item) => item.term).join(", ");
      const base = all.find((record) =>
        record.imageId === image.id && record.variant === "original"
      )!;
      return [
        { platform: "local", model: "sharp-baseline", text: `A ${label.mustNotMention[0].term}.` },
        { platform: "gemini", model: "gemini-2.5-flash-lite", text: `The photo shows ${terms}.` },
        { platform: "openai", model: "gpt-4o-mini", text: `The photo shows ${terms}.` },
      ].map((series, index) => ({
        ...base,
        ...series,
        preset: series.platform,
        recordId: `baseline-${imageIndex}-${index}`,
        caseKey: `${series.platform}|${image.id}`,
      }));
    });
    const path = await standalonePage(
      String(await descriptionBrowser(records, { labels, images: two })),
    );
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(`file://${path}`, { waitUntil: "load" });
      await page.click("[data-select=all]");
      assert.equal((await shownImageIds(page)).length, 2);
      await page.selectOption(".vb-filter", "disagree");
      assert.deepEqual(await shownImageIds(page), []);
      await page.selectOption(".vb-filter", "hallucinations");
      assert.deepEqual(await shownImageIds(page), []);
    } finally {
      await browser.close();
    }
  },
});
