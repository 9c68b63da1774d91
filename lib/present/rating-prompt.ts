/**
 * A card for rating one description in a notebook (the image, the escaped description and, unless
 * blind, who wrote it).
 *
 * @module
 */
import type { ResultRecord } from "../contract/record.ts";
import { thumbnail } from "../images/thumbnail.ts";
import { type HtmlFragment, safeHtml } from "../util/html.ts";
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
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const record: ResultRecord;
 * declare const images: RatingPromptOptions["images"];
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
  const size = `max-width:${thumbnailPx}px;max-height:${thumbnailPx}px`;
  const picture = source
    ? safeHtml`<img src="${source}" alt="${record.imageId}" style="${size}">`
    : safeHtml`<p><em>image ${record.imageId} not found</em></p>`;
  const author = blind
    ? safeHtml`<small>platform hidden (blind rating)</small>`
    : safeHtml`<small>${record.platform} · ${record.model} · ${record.variant}</small>`;
  return safeHtml`${[
    safeHtml`<div class="visionbench-rating" style="display:flex;gap:1em;align-items:flex-start">`,
    safeHtml`<div>${picture}<br><code>${record.imageId}</code></div>`,
    safeHtml`<div style="max-width:40em"><p>${record.text}</p>${author}<br>`,
    safeHtml`<small>Rate 1–10: <code>await addRating({ record, rating })</code> · record `,
    safeHtml`<code>${record.recordId}</code></small></div></div>`,
  ]}`;
}
