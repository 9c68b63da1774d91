/**
 * The description browser's markup, built on the server side from a {@link DescriptionReview}
 * with the `safeHtml` template (every value from a record or a label is escaped), the highlights
 * our own `<mark>` elements around escaped slices of the text. The inline script
 * (client.ts) only shows, hides, orders and rates what is here.
 *
 * @module
 */
import type { DescriptionReview, ReviewDescription } from "../../quality/description-review.ts";
import type { RepeatSummary } from "../../quality/description-sample.ts";
import type { FailureEntry, FailureReason } from "../../quality/failures.ts";
import type { TermSpan } from "../../quality/highlights.ts";
import type { ImageLabels } from "../../quality/labels.ts";
import { formatCount, formatDuration, formatScore, formatUsd } from "../../util/format.ts";
import { type HtmlFragment, safeHtml } from "../../util/html.ts";
import { platformAnchor } from "../anchors.ts";

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
  /** imageId → alt text (`imageAlts` of lib/present/image-alt.ts). */
  alts: ReadonlyMap<string, string>;
}

/** The element id of an image's section (`#vb-image-…` links open it). */
export function imageSectionId(imageId: string): string {
  return `vb-image-${imageId.replace(/[^A-Za-z0-9_-]+/g, "-")}`;
}

/** The toolbar: mode, view, filter, one-vs-another, counts, and the rating bar. */
export function toolbarHtml(review: DescriptionReview, context: MarkupContext): HtmlFragment {
  const views = review.views.map((view, index) =>
    safeHtml`<option value="${view.id}"${index === 0 && safeHtml` selected`}>${view.label}</option>`
  );
  const series = review.series.map((entry) =>
    safeHtml`<option value="${entry.series}">${entry.series}</option>`
  );
  const spreadTitle = "Disagree: the recall of the shown platforms spreads (max − min) by more " +
    "than this";
  return safeHtml`${[
    safeHtml`<div class="vb-toolbar" role="toolbar" aria-label="Description browser controls">`,
    safeHtml`<span class="vb-mode" role="group" aria-label="Mode">`,
    safeHtml`<button type="button" data-mode="browse" aria-pressed="true">Browse</button>`,
    safeHtml`<button type="button" data-mode="rate" aria-pressed="false">Rate</button></span>`,
    safeHtml`<label>Size <select class="vb-view">${views}</select></label>`,
    safeHtml`<label>Show <select class="vb-filter"><option value="all">all images</option>`,
    safeHtml`<option value="disagree">where platforms disagree</option>`,
    safeHtml`<option value="hallucinations">hallucinations only</option>`,
    safeHtml`<option value="errors">errors only</option></select></label>`,
    safeHtml`<label title="${spreadTitle}">recall spread &gt; `,
    safeHtml`<input class="vb-threshold" type="number" min="0" max="1" step="0.05" `,
    safeHtml`value="${context.threshold}"></label>`,
    safeHtml`<label>Compare <select class="vb-a"><option value="">—</option>${series}</select>`,
    safeHtml`</label><label>vs <select class="vb-b"><option value="">—</option>${series}</select>`,
    safeHtml`</label>`,
    safeHtml`<span class="vb-count" aria-live="polite"></span>`,
    safeHtml`<span class="vb-rate-bar"><label>`,
    safeHtml`<input type="checkbox" class="vb-blind-toggle"${
      context.blind && safeHtml` checked`
    }> `,
    safeHtml`blind (names hidden, order shuffled)</label>`,
    safeHtml`<progress class="vb-progress-bar" value="0" max="1"></progress>`,
    safeHtml`<span class="vb-progress" aria-live="polite"></span>`,
    safeHtml`<span class="vb-announce" aria-live="polite"></span>`,
    safeHtml`<button type="button" class="vb-download">Download ratings (.jsonl)</button>`,
    safeHtml`<span class="vb-keys">keys: 1–9, 0 = 10 · n / p description · j / k image</span>`,
    safeHtml`</span>`,
    safeHtml`</div>`,
  ]}`;
}

/** The platform chooser: one chip per platform · model, carrying its {@link platformAnchor}. */
export function platformsHtml(review: DescriptionReview): HtmlFragment {
  const chips = review.series.map((entry) => {
    const id = platformAnchor(entry.platform, entry.model);
    const box = safeHtml`<input type="checkbox" class="vb-series" value="${entry.series}" checked>`;
    return safeHtml`<label id="${id}">${box} ${entry.series}</label>`;
  });
  return safeHtml`${[
    safeHtml`<div class="vb-platforms" role="group" aria-label="Platforms shown">`,
    safeHtml`<strong>Platforms</strong> `,
    safeHtml`<button type="button" class="vb-link" data-select="all">all</button>`,
    safeHtml`<button type="button" class="vb-link" data-select="none">none</button>${chips}</div>`,
  ]}`;
}

/** The failure gallery: each entry links to its image's section. */
export function galleryHtml(
  entries: readonly FailureEntry[],
  context: MarkupContext,
): HtmlFragment {
  if (entries.length === 0) {
    return safeHtml`${[
      safeHtml`<section class="vb-gallery"><h3>Failure gallery</h3><p class="vb-empty">No image `,
      safeHtml`where the platforms disagree (recall spread above ${context.threshold}), `,
      safeHtml`hallucinate, or answer the event-venue question wrong.</p></section>`,
    ]}`;
  }
  const items = entries.map((entry) => {
    const picture = context.pictures.small.get(entry.imageId);
    const reasons = entry.reasons.map((reason) => safeHtml`<small>${reasonText(reason)}</small>`);
    return safeHtml`${[
      safeHtml`<li><a href="#${imageSectionId(entry.imageId)}" class="vb-gallery-link" `,
      safeHtml`data-image-id="${entry.imageId}" data-view="${entry.view}">`,
      picture && safeHtml`<img src="${picture}" alt="${context.alts.get(entry.imageId)}">`,
      safeHtml`<span><code>${entry.imageId}</code>${reasons}</span></a></li>`,
    ]}`;
  });
  return safeHtml`${[
    safeHtml`<details class="vb-gallery" open><summary><h3 style="display:inline">`,
    safeHtml`Failure gallery: where to look first (${entries.length})</h3></summary>`,
    safeHtml`<ul>${items}</ul></details>`,
  ]}`;
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
): HtmlFragment {
  const { imageId, labels } = image;
  const picture = context.pictures.large.get(imageId);
  const facts = labels
    ? `${labels.scene} · ${labels.isEventVenue ? "event venue" : "not an event venue"}`
    : "no labels: nothing to highlight or score";
  const enlarge = safeHtml`<button type="button" class="vb-enlarge" title="Enlarge">`;
  const figure = safeHtml`${[
    safeHtml`<figure class="vb-figure">`,
    picture
      ? safeHtml`${enlarge}<img src="${picture}" alt="${context.alts.get(imageId)}"></button>`
      : safeHtml`<p class="vb-empty">image ${imageId} not found</p>`,
    safeHtml`<figcaption>${labels && termsHtml(labels)}</figcaption></figure>`,
  ]}`;
  const firstView = review.views[0]?.id;
  const cards = blindOrder(imageId, image.descriptions).map(({ description, order }) =>
    cardHtml(description, { order, hidden: description.view !== firstView, context })
  );
  return safeHtml`${[
    safeHtml`<section class="vb-image" id="${imageSectionId(imageId)}" data-image-id="${imageId}">`,
    safeHtml`<div class="vb-image-head"><code>${imageId}</code>`,
    safeHtml`<span class="vb-facts">${facts}</span><span class="vb-facts vb-spread"></span></div>`,
    safeHtml`<div class="vb-image-body">${figure}<div class="vb-cards">${cards}</div></div>`,
    safeHtml`</section>`,
  ]}`;
}

function termsHtml(labels: ImageLabels): HtmlFragment {
  const chips = [
    ...labels.mustMention.map((item) => safeHtml`<span class="vb-chip">${item.term}</span>`),
    ...labels.mustNotMention.map((item) =>
      safeHtml`<span class="vb-chip vb-not" title="not in the image">${item.term}</span>`
    ),
  ];
  return safeHtml`${[
    "labelled things (struck: not in the image; marked red where a description claims them)",
    safeHtml`<span class="vb-terms">${chips}</span>`,
  ]}`;
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
): HtmlFragment {
  const quality = description.quality;
  const human = place.context.fileRatings.get(description.recordId);
  const metrics = quality
    ? `recall ${quality.recall.toFixed(2)} · score ${formatScore(quality.score)}`
    : description.status === "error"
    ? "error"
    : "not scored";
  const body = description.status === "error"
    ? safeHtml`<strong>${description.error?.kind}</strong>: ${description.error?.message}`
    : highlighted(description.text, description.spans);
  const facts = [
    quality?.hallucinated.length ? `hallucinated: ${quality.hallucinated.join(", ")}` : "",
    description.venue
      ? `event venue: answered ${description.venue.answered ? "yes" : "no"}${
        description.venue.answered === description.venue.expected ? " ✓" : " ✗ (wrong)"
      }`
      : "",
    description.latencyMs === undefined ? "" : formatDuration(description.latencyMs),
    description.costUsd === undefined ? "" : formatUsd(description.costUsd),
    description.cached ? "cached" : "",
    human === undefined ? "" : `human rating ${human} / 10`,
  ].filter(Boolean);
  const repeats = description.repeats && repeatsText(description.repeats);
  const blindName = `Description ${String.fromCharCode(65 + place.order % 26)}${
    place.order >= 26 ? Math.floor(place.order / 26) : ""
  }`;
  return safeHtml`${[
    safeHtml`<article class="vb-card${description.status === "error" && " vb-error"}" `,
    safeHtml`style="--vb-order:${place.order}" data-series="${description.series}" `,
    safeHtml`data-view="${description.view}" data-record-id="${description.recordId}" `,
    safeHtml`data-run-id="${description.runId}" data-platform="${description.platform}" `,
    safeHtml`data-model="${description.model}" data-status="${description.status}"`,
    quality && safeHtml` data-recall="${quality.recall}"`,
    safeHtml` data-hallucinations="${quality?.hallucinated.length ?? 0}"`,
    human !== undefined && safeHtml` data-file-rating="${human}"`,
    place.hidden && safeHtml` hidden`,
    safeHtml` tabindex="-1"><header><span class="vb-name">${description.series}</span>`,
    safeHtml`<span class="vb-blind-name">${blindName}</span>`,
    safeHtml`<span class="vb-metrics">${metrics}</span></header>`,
    safeHtml`<p class="vb-text">${body}</p><footer>${facts.join(" · ")}`,
    repeats && safeHtml`<span class="vb-repeats" title="${REPEATS_TITLE}">${repeats}</span>`,
    safeHtml`</footer>`,
    // The script adds the ten buttons: 660 cards × 10 buttons would weigh half a megabyte.
    description.status === "ok" &&
    safeHtml`<div class="vb-rate" role="group" aria-label="Rate 1 to 10"></div>`,
    safeHtml`</article>`,
  ]}`;
}

const REPEATS_TITLE = "Runs of this image, platform · model, size and prompt: the description " +
  "shown is the latest ok one; latencies of the timed runs (ok, not cached)";

/**
 * A cell's repeats in a few words, "3 runs · 2 ok · 1 failed · 1.2–1.9 s (median 1.4 s)"; "" for
 * a cell run once. The latency part is left out when no run was timed (all failed or cached).
 */
function repeatsText(cell: RepeatSummary): string {
  if (cell.records <= 1) return "";
  const failed = cell.records - cell.ok;
  return [
    `${formatCount(cell.records)} runs`,
    `${formatCount(cell.ok)} ok`,
    failed > 0 ? `${formatCount(failed)} failed` : "",
    latencySpread(cell),
  ].filter(Boolean).join(" · ");
}

/**
 * "1.2–1.9 s (median 1.4 s)", "650 ms–1.3 s (median 800 ms)"; one duration when every timed run
 * reads the same, "" without any.
 */
function latencySpread(cell: RepeatSummary): string {
  const { minLatencyMs: min, p50LatencyMs: p50, maxLatencyMs: max } = cell;
  if (min === null || p50 === null || max === null) return "";
  const [low, median, high] = [min, p50, max].map(formatDuration);
  if (low === high) return low;
  // The unit once when both ends share it: "1.2–1.9 s", not "1.2 s–1.9 s".
  const unit = high.slice(high.lastIndexOf(" "));
  const from = low.endsWith(unit) ? low.slice(0, -unit.length) : low;
  return `${from}–${high} (median ${median})`;
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
 * highlighted("a <b>cat</b>", [{ start: 5, end: 8, term: "cat", kind: "named" }]).html;
 * // 'a &lt;b&gt;<mark class="vb-named" title="labelled, named: cat">cat</mark>&lt;/b&gt;'
 * ```
 */
export function highlighted(text: string, spans: readonly TermSpan[]): HtmlFragment {
  const parts: HtmlFragment[] = [];
  let at = 0;
  for (const span of spans) {
    if (span.start < at) continue;
    const title = `${SPAN_TITLES[span.kind]}: ${span.term}`;
    parts.push(
      safeHtml`${text.slice(at, span.start)}<mark class="vb-${span.kind}" title="${title}">`,
    );
    parts.push(safeHtml`${text.slice(span.start, span.end)}</mark>`);
    at = span.end;
  }
  return safeHtml`${parts}${text.slice(at)}`;
}
