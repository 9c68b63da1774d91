/**
 * Human ratings of descriptions (1–10, optional note), for checking the automatic scores against
 * a person. Ratings are appended to `results/ratings/ratings.jsonl`, one JSON line each, never rewritten:
 * rating a description again adds a line and the latest line wins.
 *
 * @module
 */
import { parseJsonLines } from "../util/jsonl.ts";
import { repoPath } from "../util/paths.ts";
import { dirname } from "node:path";
import { z } from "zod";
import { escapeHtml, HtmlFragment } from "../util/html.ts";
import type { LabelSet } from "./labels.ts";
import { recordDescription, scoreDescription } from "./score.ts";
import type { ResultRecord } from "../contract/record.ts";
import { type ImageLike, thumbnail } from "../present/tables.ts";

/** @default path of the ratings file */
export const DEFAULT_RATINGS_PATH: string = repoPath("results/ratings/ratings.jsonl");

/** One rating line (the file is an edge: validated on read). */
export const RatingSchema = z.object({
  ratingId: z.string().min(1),
  recordId: z.string().min(1),
  runId: z.string(),
  imageId: z.string(),
  platform: z.string(),
  model: z.string(),
  rating: z.number().int().min(1).max(10),
  note: z.string().optional(),
  /** True when the rater did not see which platform wrote the description. */
  blind: z.boolean(),
  createdAt: z.string(),
});

/** One human rating. */
export type Rating = z.infer<typeof RatingSchema>;

/** What {@link readRatings} returns: valid ratings in file order, and the lines skipped. */
export interface ReadRatingsResult {
  ratings: Rating[];
  problems: { line: number; reason: string }[];
}

/**
 * Reads the ratings file (missing file = no ratings). Invalid lines are skipped and listed in
 * `problems`; a torn last line (a crash mid-write) is skipped the same way.
 *
 * @example
 * ```ts
 * const { ratings } = await readRatings();
 * ```
 */
export async function readRatings(path = DEFAULT_RATINGS_PATH): Promise<ReadRatingsResult> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { ratings: [], problems: [] };
    throw error;
  }
  const { values, problems } = parseJsonLines(text, RatingSchema, "rating");
  return { ratings: values, problems };
}

/** Input of {@link addRating}. */
export interface AddRatingInput {
  record: ResultRecord;
  /** Whole number 1–10. */
  rating: number;
  note?: string;
  /** @default true */
  blind?: boolean;
}

/** Options of {@link addRating}. */
export interface AddRatingOptions {
  /** @default "results/ratings/ratings.jsonl" */
  path?: string;
  /** @default new Date() */
  now?: Date;
}

/**
 * Validates and appends one rating. A torn last line left by a crash is closed first, so the new
 * line stays readable.
 *
 * @example
 * ```ts
 * await addRating({ record, rating: 8, note: "misses the lanterns" });
 * ```
 */
export async function addRating(
  input: AddRatingInput,
  options: AddRatingOptions = {},
): Promise<Rating> {
  const { path = DEFAULT_RATINGS_PATH, now = new Date() } = options;
  const rating = RatingSchema.parse({
    ratingId: crypto.randomUUID(),
    recordId: input.record.recordId,
    runId: input.record.runId,
    imageId: input.record.imageId,
    platform: input.record.platform,
    model: input.record.model,
    rating: input.rating,
    ...(input.note?.trim() ? { note: input.note.trim() } : {}),
    blind: input.blind ?? true,
    createdAt: now.toISOString(),
  });
  await Deno.mkdir(dirname(path), { recursive: true });
  const separator = (await endsWithoutNewline(path)) ? "\n" : "";
  await Deno.writeTextFile(path, `${separator}${JSON.stringify(rating)}\n`, { append: true });
  return rating;
}

async function endsWithoutNewline(path: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  try {
    const size = (await file.stat()).size;
    if (size === 0) return false;
    await file.seek(size - 1, Deno.SeekMode.Start);
    const last = new Uint8Array(1);
    await file.read(last);
    return last[0] !== 0x0a;
  } finally {
    file.close();
  }
}

/** The latest rating of each record (later lines win). */
export function latestRatings(ratings: readonly Rating[]): Map<string, Rating> {
  return new Map(ratings.map((rating) => [rating.recordId, rating]));
}

/**
 * The first ok record (in the given order) that has no rating yet, or undefined when all are rated.
 *
 * @example
 * ```ts
 * const record = nextUnrated(records, (await readRatings()).ratings);
 * ```
 */
export function nextUnrated(
  records: readonly ResultRecord[],
  ratings: readonly Rating[],
): ResultRecord | undefined {
  const rated = new Set(ratings.map((rating) => rating.recordId));
  return records.find((record) =>
    record.status === "ok" && !record.preset.startsWith("judge:") && !rated.has(record.recordId)
  );
}

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

/** What {@link ratingsCorrelation} returns. */
export interface RatingsCorrelation {
  /** Rated records that also have an automatic score. */
  pairs: number;
  /** Null with fewer than 3 pairs or when one side is constant. */
  pearson: number | null;
  spearman: number | null;
}

/**
 * How well the automatic score (lib/quality.ts) follows the human rating, over records that have
 * both (latest rating per record).
 *
 * @example
 * ```ts
 * ratingsCorrelation(records, (await readRatings()).ratings, await loadLabels()).spearman;
 * ```
 */
export function ratingsCorrelation(
  records: readonly ResultRecord[],
  ratings: readonly Rating[],
  labels: LabelSet,
): RatingsCorrelation {
  const latest = latestRatings(ratings);
  const human: number[] = [];
  const automatic: number[] = [];
  for (const record of records) {
    const rating = latest.get(record.recordId);
    const imageLabels = labels.get(record.imageId);
    const description = recordDescription(record);
    if (!rating || !imageLabels || description === undefined) continue;
    human.push(rating.rating);
    automatic.push(scoreDescription(description, imageLabels).score);
  }
  const pairs = human.length;
  if (pairs < 3) return { pairs, pearson: null, spearman: null };
  return {
    pairs,
    pearson: pearson(human, automatic),
    spearman: pearson(ranks(human), ranks(automatic)),
  };
}

/** Pearson's r; null when either side has no variance. */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n !== y.length || n < 2) return null;
  const meanX = x.reduce((a, b) => a + b, 0) / n;
  const meanY = y.reduce((a, b) => a + b, 0) / n;
  let covariance = 0, varianceX = 0, varianceY = 0;
  for (let index = 0; index < n; index++) {
    covariance += (x[index] - meanX) * (y[index] - meanY);
    varianceX += (x[index] - meanX) ** 2;
    varianceY += (y[index] - meanY) ** 2;
  }
  if (varianceX === 0 || varianceY === 0) return null;
  return covariance / Math.sqrt(varianceX * varianceY);
}

/** Ranks from 1, ties sharing their mean rank (so Spearman = Pearson of ranks). */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const result = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].value === order[start].value) end++;
    const rank = (start + end) / 2 + 1;
    for (let position = start; position <= end; position++) result[order[position].index] = rank;
    start = end + 1;
  }
  return result;
}
