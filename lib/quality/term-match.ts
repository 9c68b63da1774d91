/**
 * The keyword score of {@link scoreDescription} over a whole column of descriptions, without a
 * JS object per record and without leaning on repeated texts (a real run's descriptions are all
 * different): lib/quality/term-scan.ts reads each text once against a trie of the labels' words;
 * this module feeds it the column in chunks and, on a large column, hands every other chunk to
 * a worker (term-count-worker.ts) so both cores count. The scores are then arithmetic on the counts,
 * as score.ts computes them.
 *
 * Equal to the per-text scorer on the sample fixtures, demo texts and generated edge cases
 * (tests/quality/term-match_test.ts).
 *
 * @module
 */
import pl from "nodejs-polars";
import type { LabelSet } from "./labels.ts";
import { countTerms, type NamedTerms, sharedCounts, type TermCounts } from "./term-scan.ts";
import type { CountRequest } from "./term-count-worker.ts";

/** Options of {@link scoreTexts}. */
export interface ScoreTextsOptions {
  /** Points off per hallucination. @default 2 */
  hallucinationPenalty?: number;
  /** Also the term lists (`matchedTerms`, `missedTerms`, `hallucinatedTerms`). @default true */
  terms?: boolean;
  /** Descriptions read into JS per pass: bounds the memory of the strings. @default 25_000 */
  chunkRows?: number;
  /**
   * From this many rows (and without term lists) a worker counts every other chunk while this
   * thread counts the rest. @default 50_000
   */
  parallelRows?: number;
}

/** The share of chunks a worker counts (this thread reads and posts their texts too). */
const WORKER_SHARE = 0.55;
/** How long a worker may take to count its first chunk before this thread counts them all. */
const WORKER_START_MS = 30_000;
/** How long a worker may take over each further chunk. */
const WORKER_CHUNK_MS = 60_000;

/**
 * Scores the description column `text` against the labels of `imageId`: null, or `scored` false
 * when the frame has that column, is not scored (a null text where `scored` counts as empty).
 * Returns one row per input row, in order: `recall`, `score`, `hallucinations`,
 * `descriptionWords`, `wordsPerMatch` and, with `terms`, the comma-separated term lists. Null
 * where the text is null or the image has no labels.
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { loadLabels } from "./labels.ts";
 * const texts = pl.DataFrame({ imageId: ["o01_cat"], text: ["A tabby cat with green eyes."] });
 * scoreTexts(texts, await loadLabels()).getColumn("score").toArray();
 * ```
 */
export function scoreTexts(
  texts: pl.DataFrame,
  labels: LabelSet,
  options: ScoreTextsOptions = {},
): pl.DataFrame {
  const { terms = true, chunkRows = 25_000, parallelRows = 50_000 } = options;
  const height = texts.height;
  const labelIndex = labelPositions(texts, labels);
  const shared = new SharedArrayBuffer(4 * (1 + 3 * height));
  const { status, counts } = sharedCounts(shared, height);
  const lists = terms ? new TermLists(height) : undefined;
  const textsOf = (from: number, rows: number) =>
    texts.slice(from, rows).getColumn("text").cast(pl.Utf8).toArray() as (string | null)[];
  const count = (from: number, rows: number) =>
    countTerms(
      textsOf(from, rows),
      labelIndex.subarray(from, from + rows),
      labels,
      counts,
      from,
      lists?.add,
    );
  // Chunks of rows; on a large column without term lists, a worker counts WORKER_SHARE of them
  // (this thread also reads and posts the worker's texts), each posted just before this thread
  // counts one of its own, so few strings wait at a time.
  const chunks: [number, number][] = [];
  for (let from = 0; from < height; from += chunkRows) {
    chunks.push([from, Math.min(chunkRows, height - from)]);
  }
  const worker = !lists && height >= parallelRows && navigator.hardwareConcurrency > 1
    ? startWorker()
    : undefined;
  const posted: [number, number][] = [];
  try {
    chunks.forEach(([from, rows], index) => {
      if (!worker || posted.length >= WORKER_SHARE * (index + 1)) return count(from, rows);
      posted.push([from, rows]);
      worker.postMessage(
        {
          texts: textsOf(from, rows),
          labelIndex: labelIndex.slice(from, from + rows),
          labels: posted.length === 1 ? [...labels] : undefined,
          shared,
          rows: height,
          at: from,
        } satisfies CountRequest,
      );
    });
    const done = worker ? waitForWorker(status, posted.length) : 0;
    for (const [from, rows] of posted.slice(done)) count(from, rows);
  } finally {
    // A live worker would keep the process from exiting, whatever happened here.
    worker?.terminate();
  }
  const must = [...labels.values()].map((image) => image.mustMention.length);
  return scoreFrame(
    counts,
    (row) => must[labelIndex[row]],
    options.hallucinationPenalty ?? 2,
    lists,
  );
}

/**
 * Per row, the position of its image in `labels`, or -1 when the row is not scored: no labels,
 * `scored` false, or (without a `scored` column) a null text.
 */
function labelPositions(texts: pl.DataFrame, labels: LabelSet): Int32Array {
  const ids = [...labels.keys()];
  if (ids.length === 0) return new Int32Array(texts.height).fill(-1);
  const scored = texts.columns.includes("scored") ? pl.col("scored") : pl.col("text").isNotNull();
  return texts.select(
    pl.when(scored).then(
      pl.col("imageId").cast(pl.Utf8).replaceStrict(
        ids,
        ids.map((_, index) => index),
        -1,
        pl.Int32,
      ),
    ).otherwise(pl.lit(-1)).cast(pl.Int32).fillNull(-1).alias("position"),
  ).getColumn("position").toTypedArray() as Int32Array;
}

/** A worker for term counts, or undefined when none can be started here. */
function startWorker(): Worker | undefined {
  try {
    return new Worker(new URL("./term-count-worker.ts", import.meta.url), { type: "module" });
  } catch {
    return undefined;
  }
}

/**
 * Waits (blocking, with `Atomics.wait`) until the worker counted `chunks` chunks, failed, or took
 * too long to start or to go on. Returns how many chunks it counted, in the order posted: the
 * caller counts the rest itself.
 */
function waitForWorker(status: Int32Array, chunks: number): number {
  let done = Atomics.load(status, 0);
  let limit = WORKER_START_MS;
  while (done >= 0 && done < chunks) {
    if (Atomics.wait(status, 0, done, limit) === "timed-out") break;
    done = Atomics.load(status, 0);
    limit = WORKER_CHUNK_MS;
  }
  return Math.max(0, Math.min(done, chunks));
}

/** The comma-separated term lists of each scored row, in label order. */
class TermLists {
  readonly matchedTerms: (string | null)[];
  readonly missedTerms: (string | null)[];
  readonly hallucinatedTerms: (string | null)[];

  constructor(height: number) {
    this.matchedTerms = new Array(height).fill(null);
    this.missedTerms = new Array(height).fill(null);
    this.hallucinatedTerms = new Array(height).fill(null);
  }

  add = (row: number, { terms, must, named }: NamedTerms): void => {
    const listed = (from: number, to: number, want: number) =>
      terms.slice(from, to).filter((_, term) => named[from + term] === want).join(", ");
    this.matchedTerms[row] = listed(0, must, 1);
    this.missedTerms[row] = listed(0, must, 0);
    this.hallucinatedTerms[row] = listed(must, terms.length, 1);
  };
}

/** score.ts `scoreDescription()`'s arithmetic on the counts; null where a row was not scored. */
function scoreFrame(
  counts: TermCounts,
  mustOf: (row: number) => number,
  penalty: number,
  lists?: TermLists,
): pl.DataFrame {
  const height = counts.words.length;
  const columns = {
    recall: new Float64Array(height).fill(NaN),
    score: new Float64Array(height).fill(NaN),
    hallucinations: new Float64Array(height).fill(NaN),
    descriptionWords: new Float64Array(height).fill(NaN),
    wordsPerMatch: new Float64Array(height).fill(NaN),
  };
  for (let row = 0; row < height; row++) {
    const words = counts.words[row];
    if (words < 0) continue;
    const matched = counts.matched[row];
    const hallucinated = counts.hallucinated[row];
    const must = mustOf(row);
    const recall = must === 0 ? 0 : matched / must;
    const raw = 10 * recall - penalty * hallucinated;
    columns.recall[row] = recall;
    columns.score[row] = words === 0 ? 0 : Math.round(Math.min(10, Math.max(0, raw)) * 100) / 100;
    columns.hallucinations[row] = hallucinated;
    columns.descriptionWords[row] = words;
    if (matched > 0) columns.wordsPerMatch[row] = words / matched;
  }
  const numbers = pl.DataFrame(
    Object.entries(columns).map(([name, values]) => pl.Series(name, values, pl.Float64)),
  ).select(...Object.keys(columns).map((name) => pl.col(name).fillNan(pl.lit(null))));
  if (!lists) return numbers;
  return numbers.withColumns(
    pl.Series("matchedTerms", lists.matchedTerms, pl.Utf8),
    pl.Series("missedTerms", lists.missedTerms, pl.Utf8),
    pl.Series("hallucinatedTerms", lists.hallucinatedTerms, pl.Utf8),
  );
}
