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
import type { ResultRecord } from "../contract/record.ts";

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
 * console.log(ratings);
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
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const record: ResultRecord;
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
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const records: ResultRecord[];
 * const record = nextUnrated(records, (await readRatings()).ratings);
 * console.log(record);
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
