/**
 * What the description browser shows, as data: per image, one description per platform · model
 * and view (variant, and prompt when there are several), each scored against the image's labels
 * with the ranges to highlight. Built from records and labels only, so the page, the failure
 * gallery and the tests read the same numbers.
 *
 * @module
 */
import type { ResultRecord } from "../contract/record.ts";
import type { RepeatSummary } from "./description-sample.ts";
import { type TermSpan, termSpans } from "./highlights.ts";
import type { ImageLabels, LabelSet } from "./labels.ts";
import { asStructured, descriptionText, recordDescription, scoreDescription } from "./score.ts";

/** One description (or the error in its place). */
export interface ReviewDescription {
  recordId: string;
  runId: string;
  platform: string;
  model: string;
  /** `platform · model`: the series the description belongs to. */
  series: string;
  /** The view id (see {@link ReviewView}). */
  view: string;
  status: "ok" | "error";
  /** The scored text: the description, or a structured answer's tags and scene; "" for errors. */
  text: string;
  error?: { kind: string; message: string };
  /** Undefined when the image has no labels or the record is an error. */
  quality?: { recall: number; score: number; matched: string[]; hallucinated: string[] };
  /** Labelled terms in `text` (empty without labels). */
  spans: TermSpan[];
  /** The structured `isEventVenue` answer and the label, when both exist. */
  venue?: { answered: boolean; expected: boolean };
  latencyMs?: number;
  costUsd?: number;
  cached: boolean;
  /** How its cell (image × platform · model × size × prompt) ran, when summaries are given. */
  repeats?: RepeatSummary;
}

/** A way of looking at the descriptions: one variant (size), and one prompt when there are several. */
export interface ReviewView {
  id: string;
  variant: string;
  promptId: string;
  /** e.g. "original", "512 px", "512 px · alt-text". */
  label: string;
}

/** One image with all its descriptions. */
export interface ReviewImage {
  imageId: string;
  labels?: ImageLabels;
  /** Every view's descriptions, series in {@link DescriptionReview.series} order. */
  descriptions: ReviewDescription[];
}

/** The whole browser's data. */
export interface DescriptionReview {
  /** `platform · model`, sorted. */
  series: { series: string; platform: string; model: string }[];
  /** Views, the one with most ok descriptions first. */
  views: ReviewView[];
  images: ReviewImage[];
}

/** Options of {@link buildDescriptionReview}. */
export interface DescriptionReviewOptions {
  /** Image order (ids); images with records but not listed follow, sorted. @default sorted ids */
  imageOrder?: readonly string[];
  /**
   * Per cell, how many records and how fast (`sampleDescriptions(…).repeats`): each description
   * gets its cell's entry (matched by image, platform, model, size and prompt). @default []
   */
  repeats?: readonly RepeatSummary[];
}

/**
 * Groups records into images × series × views, keeping one record per cell: the latest ok one
 * (by `createdAt`, then list order), else the latest error — the record `sampleDescriptions`
 * keeps, so a page fed a sample shows what it would show fed every record. Judge records
 * (preset `judge:…`) are left out.
 *
 * @example
 * ```ts
 * import { loadLabels } from "./labels.ts";
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const records: ResultRecord[];
 * const review = buildDescriptionReview(records, await loadLabels());
 * review.images[0].descriptions.map((d) => [d.series, d.quality?.recall]);
 * ```
 */
export function buildDescriptionReview(
  records: readonly ResultRecord[],
  labels: LabelSet,
  options: DescriptionReviewOptions = {},
): DescriptionReview {
  const described = records.filter((record) => !record.preset.startsWith("judge:"));
  const multiplePrompts = new Set(described.map((record) => record.promptId)).size > 1;
  const viewOf = (record: ResultRecord) =>
    multiplePrompts ? `${record.variant} · ${record.promptId}` : record.variant;
  const seriesOf = (record: ResultRecord) => `${record.platform} · ${record.model}`;

  const chosen = new Map<string, ResultRecord>();
  // The latest ok record, else the latest error (ties: the later one in the list).
  const preferred = described.map((record, index) => ({ record, index })).sort((a, b) =>
    Number(a.record.status !== "ok") - Number(b.record.status !== "ok") ||
    b.record.createdAt.localeCompare(a.record.createdAt) || b.index - a.index
  ).map(({ record }) => record);
  for (const record of preferred) {
    const key = JSON.stringify([record.imageId, seriesOf(record), viewOf(record)]);
    if (!chosen.has(key)) chosen.set(key, record);
  }

  const series = [...new Map(described.map((record) => [seriesOf(record), record])).values()]
    .map((record) => ({ series: seriesOf(record), platform: record.platform, model: record.model }))
    .sort((a, b) => a.series.localeCompare(b.series));
  const seriesRank = new Map(series.map((entry, index) => [entry.series, index]));

  const okPerView = new Map<string, { view: ReviewView; ok: number }>();
  for (const record of chosen.values()) {
    const id = viewOf(record);
    const label = multiplePrompts
      ? `${variantLabel(record.variant)} · ${record.promptId}`
      : variantLabel(record.variant);
    const entry = okPerView.get(id) ??
      { view: { id, variant: record.variant, promptId: record.promptId, label }, ok: 0 };
    entry.ok += record.status === "ok" ? 1 : 0;
    okPerView.set(id, entry);
  }
  const views = [...okPerView.values()].sort((a, b) =>
    b.ok - a.ok || Number(b.view.variant === "original") - Number(a.view.variant === "original") ||
    a.view.id.localeCompare(b.view.id, "en", { numeric: true })
  ).map((entry) => entry.view);

  const repeatsOf = new Map((options.repeats ?? []).map((cell) => [cellKey(cell), cell]));
  const byImage = new Map<string, ReviewDescription[]>();
  for (const record of chosen.values()) {
    const description = reviewDescription(record, labels.get(record.imageId), {
      series: seriesOf(record),
      view: viewOf(record),
    });
    const repeats = repeatsOf.get(cellKey(record));
    if (repeats) description.repeats = repeats;
    byImage.set(record.imageId, [...byImage.get(record.imageId) ?? [], description]);
  }
  const listed = (options.imageOrder ?? []).filter((id) => byImage.has(id));
  const rest = [...byImage.keys()].filter((id) => !listed.includes(id)).sort();
  const images = [...listed, ...rest].map((imageId) => ({
    imageId,
    labels: labels.get(imageId),
    descriptions: byImage.get(imageId)!.sort((a, b) =>
      seriesRank.get(a.series)! - seriesRank.get(b.series)! || a.view.localeCompare(b.view)
    ),
  }));
  return { series, views, images };
}

/** The cell a record or a summary belongs to: image, platform, model, size, prompt. */
function cellKey(
  cell: Pick<ResultRecord, "imageId" | "platform" | "model" | "variant" | "promptId">,
): string {
  return JSON.stringify([cell.imageId, cell.platform, cell.model, cell.variant, cell.promptId]);
}

function variantLabel(variant: string): string {
  return /^\d+$/.test(variant) ? `${variant} px` : variant;
}

function reviewDescription(
  record: ResultRecord,
  labels: ImageLabels | undefined,
  place: { series: string; view: string },
): ReviewDescription {
  const base = {
    recordId: record.recordId,
    runId: record.runId,
    platform: record.platform,
    model: record.model,
    ...place,
    latencyMs: record.latencyMs,
    costUsd: record.costUsd,
    cached: record.cached,
  };
  const input = recordDescription(record);
  if (input === undefined) {
    return {
      ...base,
      status: "error",
      text: "",
      error: { kind: record.error?.kind ?? "error", message: record.error?.message ?? "" },
      spans: [],
    };
  }
  const text = descriptionText(input);
  if (!labels) return { ...base, status: "ok", text, spans: [] };
  const { recall, score, matched, hallucinated } = scoreDescription(input, labels);
  const answered = asStructured(record.structured)?.isEventVenue;
  return {
    ...base,
    status: "ok",
    text,
    quality: { recall, score, matched, hallucinated },
    spans: termSpans(text, labels),
    ...(answered === undefined ? {} : { venue: { answered, expected: labels.isEventVenue } }),
  };
}

/**
 * Max − min recall over the given descriptions (ok and scored ones); null with fewer than two.
 *
 * @example
 * ```ts
 * declare const descriptions: ReviewDescription[];
 * recallSpread(descriptions.filter((d) => d.view === "original")); // e.g. 0.6
 * ```
 */
export function recallSpread(descriptions: readonly ReviewDescription[]): number | null {
  const recalls = descriptions.flatMap((description) =>
    description.quality ? [description.quality.recall] : []
  );
  if (recalls.length < 2) return null;
  return Math.max(...recalls) - Math.min(...recalls);
}
