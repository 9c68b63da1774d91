/**
 * Alt text of the benchmark's images, from the benchmark itself: an image's reference description
 * (its labelled things in a sentence, data/labels.json) or, for an image without labels, the
 * description of the best-scoring platform, marked as such. Never a file name, never empty.
 *
 * @module
 */
import type { ImageLabels } from "../quality/labels.ts";
import type { DescriptionReview } from "../quality/description-review.ts";

/** Longest platform description quoted in an alt text (screen readers read all of it). */
const MAX_QUOTED = 240;

/**
 * The image's reference description: its scene and labelled things, and any readable text.
 *
 * @example
 * ```ts
 * declare const labels: import("../quality/labels.ts").ImageLabels;
 * referenceDescription(labels); // "Animal close-up: cat, tabby, green eyes, … and fur."
 * ```
 */
export function referenceDescription(labels: ImageLabels): string {
  const terms = labels.mustMention.map((item) => item.term);
  const things = terms.length > 1
    ? `${terms.slice(0, -1).join(", ")} and ${terms.at(-1)}`
    : terms.join("");
  const scene = labels.scene.charAt(0).toUpperCase() + labels.scene.slice(1);
  const text = labels.visibleText?.length
    ? ` Text: ${labels.visibleText.map((line) => `“${line}”`).join(", ")}.`
    : "";
  return `${scene}: ${things}.${text}`;
}

/**
 * Alt text of each image of a review: its reference description, else the best-scoring series'
 * description of it (the series with the highest mean score over the labelled images), marked as
 * such. The quote is cut to a sentence or two, so it never repeats the full description verbatim
 * beside the image.
 *
 * @example
 * ```ts
 * declare const review: import("../quality/description-review.ts").DescriptionReview;
 * imageAlts(review).get("o01_cat"); // "Animal close-up: cat, tabby, …"
 * ```
 */
export function imageAlts(review: DescriptionReview): Map<string, string> {
  const scores = new Map<string, number[]>();
  for (const image of review.images) {
    for (const description of image.descriptions) {
      if (description.quality) {
        scores.set(description.series, [
          ...scores.get(description.series) ?? [],
          description.quality.score,
        ]);
      }
    }
  }
  const mean = (series: string) => {
    const values = scores.get(series) ?? [];
    return values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : -1;
  };
  return new Map(review.images.map((image) => {
    if (image.labels) return [image.imageId, referenceDescription(image.labels)];
    const best = image.descriptions.filter((entry) => entry.status === "ok" && entry.text.trim())
      .sort((a, b) => mean(b.series) - mean(a.series))[0];
    return [
      image.imageId,
      best
        ? `Described by ${best.series}, the best-scoring platform (no reference labels): ${
          shortened(best.text)
        }`
        : "An image with no reference labels and no description.",
    ];
  }));
}

/** The first sentences of `text`, at most {@link MAX_QUOTED} characters, "…" when cut. */
function shortened(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= MAX_QUOTED) return flat;
  const cut = flat.slice(0, MAX_QUOTED);
  const end = cut.lastIndexOf(". ");
  return `${end > 40 ? cut.slice(0, end + 1) : cut.replace(/\s\S*$/, "")}…`;
}
