/**
 * The description browser: every platform's description of every image, readable at 10+
 * platforms × 33+ images, with the labelled things highlighted, filters, a failure gallery and a
 * blind rating mode whose ratings download as `ratings.jsonl` lines. One self-contained HTML
 * fragment (inline CSS, inline script, images as data URLs): it works in a notebook, in the
 * static report and offline.
 *
 * @module
 */
import { VisionBenchError } from "../../contract/errors.ts";
import type { ResultRecord } from "../../contract/record.ts";
import { buildDescriptionReview } from "../../quality/description-review.ts";
import type { RepeatSummary } from "../../quality/description-sample.ts";
import { failureGallery } from "../../quality/failures.ts";
import type { LabelSet } from "../../quality/labels.ts";
import { latestRatings, type Rating } from "../../quality/ratings.ts";
import { type HtmlFragment, raw, safeHtml } from "../../util/html.ts";
import { thumbnail } from "../../images/thumbnail.ts";
import { imageAlts } from "../image-alt.ts";
import type { ImageLike } from "../tables.ts";
import { describeBrowserClient } from "./client.ts";
import {
  galleryHtml,
  imageHtml,
  type MarkupContext,
  platformsHtml,
  toolbarHtml,
} from "./markup.ts";
import { BROWSER_CSS } from "./styles.ts";

/** Options of {@link descriptionBrowser}. */
export interface DescriptionBrowserOptions {
  /** Reference labels (`loadLabels()`); without them nothing is highlighted or scored. */
  labels: LabelSet;
  /** Images to show (`loadImageSet` entries fit); their order is the browser's order. @default [] */
  images?: readonly ImageLike[];
  /** Human ratings on file (`readRatingsFolder`), shown beside the automatic score. @default [] */
  ratings?: readonly Rating[];
  /**
   * Per cell, its records and their latencies (`sampleDescriptions(…).repeats`): a description
   * whose cell ran more than once says how many runs, how many failed and the latency spread.
   * @default []
   */
  repeats?: readonly RepeatSummary[];
  /** Longest side of the large view, px (the enlarged view shows the same picture). @default 512 */
  imagePx?: number;
  /** A recall spread (max − min over the shown platforms) above this is "disagree". @default 0.5 */
  disagreementThreshold?: number;
  /** Entries in the failure gallery. @default 12 */
  galleryLimit?: number;
  /** Rating starts blind: platform names hidden, order shuffled per image. @default true */
  blind?: boolean;
  /** Images a page (j / k and the pager move across pages). @default 10 */
  pageSize?: number;
}

/**
 * The browser as one HTML fragment (display it as a cell's last value).
 *
 * @example
 * ```ts
 * import { loadImageSet } from "../../images/image-set.ts";
 * import { loadLabels } from "../../quality/labels.ts";
 * import { sampleDescriptions } from "../../quality/description-sample.ts";
 * const { records, repeats } = await sampleDescriptions("results");
 * const options = { labels: await loadLabels(), images: await loadImageSet("images"), repeats };
 * await descriptionBrowser(records, options);
 * ```
 */
export async function descriptionBrowser(
  records: readonly ResultRecord[],
  options: DescriptionBrowserOptions,
): Promise<HtmlFragment> {
  const {
    labels,
    images = [],
    ratings = [],
    repeats = [],
    imagePx = 512,
    disagreementThreshold = 0.5,
    galleryLimit = 12,
    blind = true,
    pageSize = 10,
  } = options;
  if (!(Number.isInteger(pageSize) && pageSize >= 1)) {
    throw new VisionBenchError("usage", `pageSize must be a whole number >= 1, got ${pageSize}`);
  }
  if (!(disagreementThreshold >= 0 && disagreementThreshold <= 1)) {
    throw new VisionBenchError(
      "usage",
      `disagreementThreshold must be within 0–1, got ${disagreementThreshold}`,
    );
  }
  const review = buildDescriptionReview(records, labels, {
    imageOrder: images.map((image) => image.id),
    repeats,
  });
  if (review.images.length === 0) {
    return safeHtml`<p class="vb-empty">No descriptions to browse.</p>`;
  }
  const shown = new Set(review.images.map((image) => image.imageId));
  const wanted = images.filter((image) => shown.has(image.id));
  const [large, small] = await Promise.all([
    pictures(wanted, imagePx),
    pictures(wanted, 96),
  ]);
  const gallery = failureGallery(review, { disagreementThreshold, limit: galleryLimit });
  const fileRatings = new Map(
    [...latestRatings(ratings)].map(([recordId, rating]) => [recordId, rating.rating]),
  );
  const context: MarkupContext = {
    pictures: { large, small },
    fileRatings,
    threshold: disagreementThreshold,
    blind,
    alts: imageAlts(review),
  };
  const sections = review.images.map((image) => imageHtml(image, review, context));
  const script = `(${describeBrowserClient.toString()})(${FIND_ROOT});`;
  return safeHtml`${[
    safeHtml`<div class="vb-browser tex2jax_ignore" data-page-size="${pageSize}">`,
    safeHtml`<style>${raw(BROWSER_CSS)}</style>`,
    safeHtml`<p class="vb-untrusted" style="border:2px solid #bf8700;background:#fff8c5;padding:8px 12px;font:14px/1.5 system-ui,sans-serif">`,
    safeHtml`<b>The description browser needs its script, which Jupyter blocks in a notebook it has `,
    safeHtml`not signed ("Not Trusted").</b> Trust it: File → Trust Notebook, or `,
    safeHtml`<code>jupyter trust notebooks/06-descriptions.ipynb</code>; then run this cell again. `,
    safeHtml`Until then the descriptions below are shown without filters, pages or rating.</p>`,
    toolbarHtml(review, context),
    platformsHtml(review),
    galleryHtml(gallery, context),
    pagerHtml,
    safeHtml`<div class="vb-images">${sections}</div>`,
    pagerHtml,
    safeHtml`<div class="vb-lightbox" hidden role="dialog" aria-label="Enlarged image">`,
    safeHtml`<img alt=""></div>`,
    safeHtml`<script>${raw(script)}</script></div>`,
  ]}`;
}

/** Previous / next page (the client shows it when there is more than one page). */
const pagerHtml =
  safeHtml`<div class="vb-pager" hidden><button type="button" data-page="-1">‹ previous</button> <span class="vb-page-label"></span> <button type="button" data-page="1">next ›</button></div>`;

/**
 * The browser the script belongs to. Some notebook front ends run output scripts by re-inserting
 * them, where `document.currentScript` may be unset: then the last browser not yet wired.
 */
const FIND_ROOT = `document.currentScript?.closest(".vb-browser") ?? ` +
  `[...document.querySelectorAll(".vb-browser:not([data-wired])")].pop()`;

async function pictures(images: readonly ImageLike[], px: number): Promise<Map<string, string>> {
  const entries = await Promise.all(images.map(async (image) => {
    // A broken image has no picture; its section still shows the descriptions and errors.
    const source = await thumbnail(image.path, px).catch(() => undefined);
    return [image.id, source] as const;
  }));
  return new Map(entries.filter((entry): entry is [string, string] => entry[1] !== undefined));
}
