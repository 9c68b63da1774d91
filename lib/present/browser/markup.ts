/**
 * The description browser's markup, built on the server side from a {@link DescriptionReview}:
 * every value that came from a record or a label goes through {@link escapeHtml}, and the
 * highlights are our own `<mark>` elements around escaped slices of the text. The inline script
 * (client.ts) only shows, hides, orders and rates what is here.
 *
 * @module
 */
import type { DescriptionReview, ReviewDescription } from "../../quality/description-review.ts";
import type { FailureEntry, FailureReason } from "../../quality/failures.ts";
import type { TermSpan } from "../../quality/highlights.ts";
import type { ImageLabels } from "../../quality/labels.ts";
import { escapeHtml } from "../../util/html.ts";
import { platformAnchor } from "../anchors.ts";
import { formatUsd } from "../charts/cost.ts";

/** Images' data URLs: the large view and the gallery thumbnail. */
export interface BrowserPictures {
  large: ReadonlyMap<string, string>;
  small: ReadonlyMap<string, string>;
}

/** A human rating already on file (results/ratings/), shown beside the automatic score. */
export type FileRatings = ReadonlyMap<string, number>;

/** Everything the markup needs besides the review. */
export interface MarkupContext {
  pictures: BrowserPictures;
  fileRatings: FileRatings;
  threshold: number;
  /** Whether the rating view starts blind. */
  blind: boolean;
}

/** The element id of an image's section (`#vb-image-…` links open it). */
export function imageSectionId(imageId: string): string {
  return `vb-image-${imageId.replace(/[^A-Za-z0-9_-]+/g, "-")}`;
}

/** The toolbar: mode, view, filter, one-vs-another, counts, and the rating bar. */
export function toolbarHtml(review: DescriptionReview, context: MarkupContext): string {
  const views = review.views.map((view, index) =>
    `<option value="${escapeHtml(view.id)}"${index === 0 ? " selected" : ""}>${
      escapeHtml(view.label)
    }</option>`
  ).join("");
  const seriesOptions = review.series.map((entry) =>
    `<option value="${escapeHtml(entry.series)}">${escapeHtml(entry.series)}</option>`
  ).join("");
  return `<div class="vb-toolbar" role="toolbar" aria-label="Description browser controls">` +
    `<span class="vb-mode" role="group" aria-label="Mode">` +
    `<button type="button" data-mode="browse" aria-pressed="true">Browse</button>` +
    `<button type="button" data-mode="rate" aria-pressed="false">Rate</button></span>` +
    `<label>Size <select class="vb-view">${views}</select></label>` +
    `<label>Show <select class="vb-filter">` +
    `<option value="all">all images</option>` +
    `<option value="disagree">where platforms disagree</option>` +
    `<option value="hallucinations">hallucinations only</option>` +
    `<option value="errors">errors only</option></select></label>` +
    `<label title="Disagree: the recall of the shown platforms spreads (max − min) by more than this">` +
    `recall spread &gt; <input class="vb-threshold" type="number" min="0" max="1" step="0.05" ` +
    `value="${context.threshold}"></label>` +
    `<label>Compare <select class="vb-a"><option value="">—</option>${seriesOptions}</select></label>` +
    `<label>vs <select class="vb-b"><option value="">—</option>${seriesOptions}</select></label>` +
    `<span class="vb-count" aria-live="polite"></span>` +
    `<span class="vb-rate-bar"><label><input type="checkbox" class="vb-blind-toggle"${
      context.blind ? " checked" : ""
    }> ` +
    `blind (names hidden, order shuffled)</label>` +
    `<progress class="vb-progress-bar" value="0" max="1"></progress>` +
    `<span class="vb-progress" aria-live="polite"></span>` +
    `<button type="button" class="vb-download">Download ratings (.jsonl)</button>` +
    `<span class="vb-keys">keys: 1–9, 0 = 10 · n / p description · j / k image</span></span>` +
    `</div>`;
}

/** The platform chooser: one chip per platform · model, carrying its {@link platformAnchor}. */
export function platformsHtml(review: DescriptionReview): string {
  const chips = review.series.map((entry) =>
    `<label id="${escapeHtml(platformAnchor(entry.platform, entry.model))}">` +
    `<input type="checkbox" class="vb-series" value="${escapeHtml(entry.series)}" checked> ` +
    `${escapeHtml(entry.series)}</label>`
  ).join("");
  return `<div class="vb-platforms" role="group" aria-label="Platforms shown">` +
    `<strong>Platforms</strong> <button type="button" class="vb-link" data-select="all">all</button>` +
    `<button type="button" class="vb-link" data-select="none">none</button>${chips}</div>`;
}

/** The failure gallery: each entry links to its image's section. */
export function galleryHtml(entries: readonly FailureEntry[], context: MarkupContext): string {
  if (entries.length === 0) {
    return `<section class="vb-gallery"><h4>Failure gallery</h4><p class="vb-empty">No image ` +
      `where the platforms disagree (recall spread above ${context.threshold}), hallucinate, or ` +
      `answer the event-venue question wrong.</p></section>`;
  }
  const items = entries.map((entry) => {
    const picture = context.pictures.small.get(entry.imageId);
    return `<li><a href="#${escapeHtml(imageSectionId(entry.imageId))}" class="vb-gallery-link" ` +
      `data-image-id="${escapeHtml(entry.imageId)}" data-view="${escapeHtml(entry.view)}">` +
      (picture ? `<img src="${escapeHtml(picture)}" alt="">` : "") +
      `<span><code>${escapeHtml(entry.imageId)}</code>${
        entry.reasons.map((reason) => `<small>${escapeHtml(reasonText(reason))}</small>`).join("")
      }</span></a></li>`;
  }).join("");
  return `<section class="vb-gallery"><h4>Failure gallery: where to look first</h4><ul>${items}</ul>` +
    `</section>`;
}

function reasonText(reason: FailureReason): string {
  switch (reason.kind) {
    case "disagreement":
      return `platforms disagree: recall spread ${reason.spread.toFixed(2)}`;
    case "hallucination":
      return `${reason.series.length} hallucinate: ${reason.terms.join(", ")}`;
    case "venue":
      return `${reason.series.length} wrong on "event venue" (is ${
        reason.expected ? "one" : "not one"
      })`;
  }
}

/** One image's section: sticky head, the large picture, and one card per description. */
export function imageHtml(
  image: DescriptionReview["images"][number],
  review: DescriptionReview,
  context: MarkupContext,
): string {
  const labels = image.labels;
  const picture = context.pictures.large.get(image.imageId);
  const facts = labels
    ? `${escapeHtml(labels.scene)} · ${labels.isEventVenue ? "event venue" : "not an event venue"}`
    : "no labels: nothing to highlight or score";
  const figure = `<figure class="vb-figure">` +
    (picture
      ? `<button type="button" class="vb-enlarge" title="Enlarge">` +
        `<img src="${escapeHtml(picture)}" alt="${escapeHtml(image.imageId)}"></button>`
      : `<p class="vb-empty">image ${escapeHtml(image.imageId)} not found</p>`) +
    `<figcaption>${labels ? termsHtml(labels) : ""}</figcaption></figure>`;
  const firstView = review.views[0]?.id;
  const cards = blindOrder(image.imageId, image.descriptions).map(({ description, order }) =>
    cardHtml(description, { order, hidden: description.view !== firstView, context })
  ).join("");
  return `<section class="vb-image" id="${escapeHtml(imageSectionId(image.imageId))}" ` +
    `data-image-id="${escapeHtml(image.imageId)}"><div class="vb-image-head">` +
    `<code>${escapeHtml(image.imageId)}</code><span class="vb-facts">${facts}</span>` +
    `<span class="vb-facts vb-spread"></span></div>` +
    `<div class="vb-image-body">${figure}<div class="vb-cards">${cards}</div></div></section>`;
}

function termsHtml(labels: ImageLabels): string {
  const chips = [
    ...labels.mustMention.map((item) => `<span class="vb-chip">${escapeHtml(item.term)}</span>`),
    ...labels.mustNotMention.map((item) =>
      `<span class="vb-chip vb-not" title="not in the image">${escapeHtml(item.term)}</span>`
    ),
  ];
  return `labelled things (struck: not in the image; marked red where a description claims them)` +
    `<span class="vb-terms">${chips.join("")}</span>`;
}

/**
 * The blind order of each image's descriptions, per view: a shuffle seeded by the image id, so
 * it is the same on every reload and differs from image to image.
 */
function blindOrder(
  imageId: string,
  descriptions: readonly ReviewDescription[],
): { description: ReviewDescription; order: number }[] {
  const next = seededRandom(imageId);
  const orderOf = new Map<ReviewDescription, number>();
  const views = [...new Set(descriptions.map((description) => description.view))];
  for (const view of views) {
    const members = descriptions.filter((description) => description.view === view);
    const shuffled = [...members];
    for (let index = shuffled.length - 1; index > 0; index--) {
      const swap = Math.floor(next() * (index + 1));
      [shuffled[index], shuffled[swap]] = [shuffled[swap], shuffled[index]];
    }
    shuffled.forEach((description, position) => orderOf.set(description, position));
  }
  return descriptions.map((description) => ({ description, order: orderOf.get(description)! }));
}

function seededRandom(seed: string): () => number {
  let state = 2166136261;
  for (const character of seed) state = Math.imul(state ^ character.charCodeAt(0), 16777619);
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function cardHtml(
  description: ReviewDescription,
  place: { order: number; hidden: boolean; context: MarkupContext },
): string {
  const quality = description.quality;
  const human = place.context.fileRatings.get(description.recordId);
  const attributes = [
    `class="vb-card${description.status === "error" ? " vb-error" : ""}"`,
    `style="--vb-order:${place.order}"`,
    `data-series="${escapeHtml(description.series)}"`,
    `data-view="${escapeHtml(description.view)}"`,
    `data-record-id="${escapeHtml(description.recordId)}"`,
    `data-run-id="${escapeHtml(description.runId)}"`,
    `data-platform="${escapeHtml(description.platform)}"`,
    `data-model="${escapeHtml(description.model)}"`,
    `data-status="${description.status}"`,
    quality ? `data-recall="${quality.recall}"` : "",
    `data-hallucinations="${quality?.hallucinated.length ?? 0}"`,
    human === undefined ? "" : `data-file-rating="${human}"`,
    place.hidden ? "hidden" : "",
  ].filter(Boolean).join(" ");
  const metrics = quality
    ? `recall ${quality.recall.toFixed(2)} · score ${quality.score.toFixed(1)}`
    : description.status === "error"
    ? "error"
    : "not scored";
  const body = description.status === "error"
    ? `<p class="vb-text"><strong>${escapeHtml(description.error?.kind)}</strong>: ${
      escapeHtml(description.error?.message)
    }</p>`
    : `<p class="vb-text">${highlighted(description.text, description.spans)}</p>`;
  const facts = [
    quality?.hallucinated.length ? `hallucinated: ${quality.hallucinated.join(", ")}` : "",
    description.venue
      ? `event venue: answered ${description.venue.answered ? "yes" : "no"}${
        description.venue.answered === description.venue.expected ? " ✓" : " ✗ (wrong)"
      }`
      : "",
    description.latencyMs === undefined ? "" : `${Math.round(description.latencyMs)} ms`,
    description.costUsd === undefined ? "" : `$${formatUsd(description.costUsd)}`,
    description.cached ? "cached" : "",
    human === undefined ? "" : `human rating ${human} / 10`,
  ].filter(Boolean);
  return `<article ${attributes} tabindex="-1"><header>` +
    `<span class="vb-name">${escapeHtml(description.series)}</span>` +
    `<span class="vb-blind-name">Description ${String.fromCharCode(65 + place.order % 26)}${
      place.order >= 26 ? Math.floor(place.order / 26) : ""
    }</span>` +
    `<span class="vb-metrics">${escapeHtml(metrics)}</span></header>${body}` +
    `<footer>${escapeHtml(facts.join(" · "))}</footer>` +
    (description.status === "ok"
      // The script adds the ten buttons: 660 cards × 10 buttons would weigh half a megabyte.
      ? `<div class="vb-rate" role="group" aria-label="Rate 1 to 10"></div>`
      : "") +
    `</article>`;
}

const SPAN_TITLES: Record<TermSpan["kind"], string> = {
  named: "labelled, named",
  hallucinated: "not in the image (hallucinated)",
  negated: "labelled, but negated here",
};

/**
 * The text as escaped HTML with our own `<mark>` around each labelled range.
 *
 * @example
 * ```ts
 * highlighted("a <b>cat</b>", [{ start: 5, end: 8, term: "cat", kind: "named" }]);
 * // 'a &lt;b&gt;<mark class="vb-named" title="labelled, named: cat">cat</mark>&lt;/b&gt;'
 * ```
 */
export function highlighted(text: string, spans: readonly TermSpan[]): string {
  let html = "";
  let at = 0;
  for (const span of spans) {
    if (span.start < at) continue;
    html += escapeHtml(text.slice(at, span.start)) +
      `<mark class="vb-${span.kind}" title="${
        escapeHtml(`${SPAN_TITLES[span.kind]}: ${span.term}`)
      }">` +
      escapeHtml(text.slice(span.start, span.end)) + `</mark>`;
    at = span.end;
  }
  return html + escapeHtml(text.slice(at));
}
