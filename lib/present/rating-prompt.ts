/**
 * A card for rating one description in a notebook (the image, the escaped description and, unless
 * blind, who wrote it).
 *
 * @module
 */
import type { ResultRecord } from "../contract/record.ts";
import { thumbnail } from "../images/thumbnail.ts";
import { escapeHtml, HtmlFragment } from "../util/html.ts";
import type { ImageLike } from "./tables.ts";

/** Options of {@link ratingPrompt}. */
export interface RatingPromptOptions {
  /** Hide platform and model. @default true */
  blind?: boolean;
  /** Where to find the image for the thumbnail (`loadImageSet` entries fit). */
  images?: readonly ImageLike[];
  /** @default 320 */
  thumbnailPx?: number;
}

/**
 * A displayable card for rating one description in a notebook: the image, the description
 * (escaped: model output is untrusted), and — unless blind — who wrote it.
 *
 * @example
 * ```ts
 * const record = nextUnrated(records, ratings)!;
 * await ratingPrompt(record, { images, blind: true }); // then: await addRating({ record, rating: 7 })
 * ```
 */
export async function ratingPrompt(
  record: ResultRecord,
  options: RatingPromptOptions = {},
): Promise<HtmlFragment> {
  const { blind = true, images = [], thumbnailPx = 320 } = options;
  const image = images.find((entry) => entry.id === record.imageId);
  const source = image
    ? await thumbnail(image.path, thumbnailPx).catch(() => undefined)
    : undefined;
  const picture = source
    ? `<img src="${escapeHtml(source)}" alt="${escapeHtml(record.imageId)}" ` +
      `style="max-width:${thumbnailPx}px;max-height:${thumbnailPx}px">`
    : `<p><em>image ${escapeHtml(record.imageId)} not found</em></p>`;
  const author = blind
    ? "<small>platform hidden (blind rating)</small>"
    : `<small>${escapeHtml(`${record.platform} · ${record.model} · ${record.variant}`)}</small>`;
  return new HtmlFragment(
    `<div class="visionbench-rating" style="display:flex;gap:1em;align-items:flex-start">` +
      `<div>${picture}<br><code>${escapeHtml(record.imageId)}</code></div>` +
      `<div style="max-width:40em"><p>${escapeHtml(record.text)}</p>${author}<br>` +
      `<small>Rate 1–10: <code>await addRating({ record, rating })</code> · record ` +
      `<code>${escapeHtml(record.recordId)}</code></small></div></div>`,
  );
}
