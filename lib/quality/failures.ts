/**
 * The failure gallery's data: the images worth a human look first — where the platforms disagree
 * most (recall spread), where a description claims a labelled hallucination, and where a
 * structured answer got the outlier question (`isEventVenue`) wrong.
 *
 * @module
 */
import { type DescriptionReview, recallSpread } from "./description-review.ts";

/** Why an image is in the gallery. */
export type FailureReason =
  | { kind: "disagreement"; spread: number }
  | { kind: "hallucination"; series: string[]; terms: string[] }
  | { kind: "venue"; series: string[]; expected: boolean };

/** One gallery entry: an image in one view, and why. */
export interface FailureEntry {
  imageId: string;
  view: string;
  reasons: FailureReason[];
  /** Sorting weight: spread + 0.5 per hallucinating series + 0.5 per wrong venue answer. */
  weight: number;
}

/** Options of {@link failureGallery}. */
export interface FailureGalleryOptions {
  /** A recall spread above this counts as disagreement. @default 0.5 */
  disagreementThreshold?: number;
  /** Only this view. @default the review's first view */
  view?: string;
  /** At most this many entries. @default 12 */
  limit?: number;
}

/**
 * The images that need a look, worst first.
 *
 * @example
 * ```ts
 * declare const review: Parameters<typeof failureGallery>[0]; // buildDescriptionReview(...)
 * failureGallery(review, { limit: 6 })
 *   .map((entry) => `${entry.imageId}: ${entry.reasons.map((r) => r.kind).join(", ")}`);
 * ```
 */
export function failureGallery(
  review: DescriptionReview,
  options: FailureGalleryOptions = {},
): FailureEntry[] {
  const { disagreementThreshold = 0.5, limit = 12 } = options;
  const view = options.view ?? review.views[0]?.id;
  const entries: FailureEntry[] = [];
  for (const image of review.images) {
    const descriptions = image.descriptions.filter((description) => description.view === view);
    const reasons: FailureReason[] = [];
    let weight = 0;
    const spread = recallSpread(descriptions);
    if (spread !== null && spread > disagreementThreshold) {
      reasons.push({ kind: "disagreement", spread });
      weight += spread;
    }
    const hallucinating = descriptions.filter((description) =>
      (description.quality?.hallucinated.length ?? 0) > 0
    );
    if (hallucinating.length > 0) {
      reasons.push({
        kind: "hallucination",
        series: hallucinating.map((description) => description.series),
        terms: [
          ...new Set(hallucinating.flatMap((description) => description.quality!.hallucinated)),
        ],
      });
      weight += 0.5 * hallucinating.length;
    }
    const wrongVenue = descriptions.filter((description) =>
      description.venue && description.venue.answered !== description.venue.expected
    );
    if (wrongVenue.length > 0) {
      reasons.push({
        kind: "venue",
        series: wrongVenue.map((description) => description.series),
        expected: wrongVenue[0].venue!.expected,
      });
      weight += 0.5 * wrongVenue.length;
    }
    if (reasons.length > 0) entries.push({ imageId: image.imageId, view: view!, reasons, weight });
  }
  return entries.sort((a, b) => b.weight - a.weight || a.imageId.localeCompare(b.imageId))
    .slice(0, limit);
}
