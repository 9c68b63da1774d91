/**
 * Every ratings file in a folder, as one list: `ratings.jsonl` written by `addRating` and the
 * files the report's rating view downloads (`ratings-<date>.jsonl`, dropped into
 * `results/ratings/`). The same line format, validated by the same schema.
 *
 * @module
 */
import { join } from "node:path";
import { type Rating, readRatings } from "./ratings.ts";

/** What {@link readRatingsFolder} returns. */
export interface RatingsFolder {
  /** Valid ratings of every file, oldest `createdAt` first, so "later wins" keeps the newest. */
  ratings: Rating[];
  /** Files read, sorted by name. */
  files: string[];
  problems: { file: string; line: number; reason: string }[];
}

/**
 * Reads every `*.jsonl` file in `folder` (a missing folder = no ratings). Lines that are not
 * valid ratings are skipped and listed in `problems` with their file.
 *
 * @example
 * ```ts
 * import { ratingsSummary } from "../present/quality-sections.ts";
 * declare const records: Parameters<typeof ratingsSummary>[0];
 * declare const labels: Parameters<typeof ratingsSummary>[2];
 * const { ratings } = await readRatingsFolder("results/ratings");
 * ratingsSummary(records, ratings, labels);
 * ```
 */
export async function readRatingsFolder(folder: string): Promise<RatingsFolder> {
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(folder)) {
      if (entry.isFile && entry.name.endsWith(".jsonl")) files.push(join(folder, entry.name));
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { ratings: [], files: [], problems: [] };
    throw error;
  }
  files.sort();
  const ratings: Rating[] = [];
  const problems: RatingsFolder["problems"] = [];
  for (const file of files) {
    const read = await readRatings(file);
    ratings.push(...read.ratings);
    problems.push(...read.problems.map((problem) => ({ file, ...problem })));
  }
  // Stable sort: equal timestamps keep file order, then line order.
  ratings.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return { ratings, files, problems };
}
