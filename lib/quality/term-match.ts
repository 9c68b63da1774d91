/**
 * The keyword score of {@link scoreDescription}, computed by Polars over a whole column of
 * descriptions: no JS object per record, and no shortcut through distinct texts (a real run's
 * descriptions are all different). The rules are those of lib/quality/score.ts, word for word:
 *
 * - every description becomes one stream of tokens (`str.split` + `explode`), stemmed through a
 *   map of the distinct words that end in `s` (never of distinct texts); a sentinel token stands at every sentence break and at both ends of
 *   every description, so a shifted column never reads across a sentence or into the next row;
 * - negation is a property of a word position (is one of the 6 words before it a negation, with
 *   no scope break in between; is one of the 3 after it `absent, missing, nowhere, not`), read
 *   from shifted columns;
 * - label phrases (at most {@link MAX_PHRASE_WORDS} words) are joined on their first word and
 *   checked on the next ones.
 *
 * Only texts with characters Unicode decomposition changes (accents, `…`, ligatures) go through
 * JS first (`String.normalize("NFKD")`): Polars has no Unicode normalization. Equal to the
 * per-record scorer on the sample fixtures (tests/quality/term-match_test.ts).
 *
 * @module
 */
import pl from "nodejs-polars";
import type { LabelSet } from "./labels.ts";
import {
  NEGATION_REACH,
  NEGATION_REACH_AFTER,
  NEGATIONS,
  NEGATIONS_AFTER,
  NEGATIONS_WITH_OF,
  SCOPE_BREAKS,
} from "./_rules.ts";
import { phraseOf, stem } from "./score.ts";

/** Longest label phrase, in words, the column matcher reads. */
export const MAX_PHRASE_WORDS = 4;

/** Options of {@link scoreTexts}. */
export interface ScoreTextsOptions {
  /** Points off per hallucination. @default 2 */
  hallucinationPenalty?: number;
  /** Also the term lists (`matchedTerms`, `missedTerms`, `hallucinatedTerms`). @default true */
  terms?: boolean;
  /** Descriptions scored per pass: bounds the token table's memory. @default 50_000 */
  chunkRows?: number;
}

const SENTINEL = "\u0001";
const ROW = "__row";

/**
 * Scores the description column `text` (null: not scored) against the labels of `imageId`.
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
  const { chunkRows = 50_000 } = options;
  const indexed = texts.select(pl.col("imageId").cast(pl.Utf8), pl.col("text").cast(pl.Utf8))
    .withRowIndex(ROW);
  const phrases = phraseTable(labels);
  const parts: pl.DataFrame[] = [];
  for (let offset = 0; offset < Math.max(1, indexed.height); offset += chunkRows) {
    parts.push(scoreChunk(indexed.slice(offset, chunkRows), labels, phrases, options));
  }
  const scored = parts.length === 1 ? parts[0] : pl.concat(parts, { how: "vertical" });
  return indexed.select(ROW).join(scored, { on: ROW, how: "left" }).sort(ROW).drop(ROW);
}

/** Every label phrase: image, term, kind (`must` / `not`), its stemmed words. */
function phraseTable(labels: LabelSet): pl.DataFrame {
  const rows: Record<string, unknown>[] = [];
  for (const [imageId, image] of labels) {
    const add = (kind: string, list: typeof image.mustMention) =>
      list.forEach((item, index) => {
        for (const phrase of [item.term, ...item.synonyms].map(phraseOf)) {
          if (phrase.length === 0 || phrase.length > MAX_PHRASE_WORDS) continue;
          rows.push({
            imageId,
            kind,
            termIndex: index,
            term: item.term,
            words: phrase.length,
            ...Object.fromEntries(
              Array.from({ length: MAX_PHRASE_WORDS }, (_, k) => [`p${k}`, phrase[k] ?? null]),
            ),
          });
        }
      });
    add("must", image.mustMention);
    add("not", image.mustNotMention);
  }
  const column = (name: string, type: pl.DataType) =>
    pl.Series(name, rows.map((row) => row[name] ?? null), type);
  return pl.DataFrame([
    column("imageId", pl.Utf8),
    column("kind", pl.Utf8),
    column("termIndex", pl.Float64),
    column("term", pl.Utf8),
    column("words", pl.Float64),
    ...Array.from({ length: MAX_PHRASE_WORDS }, (_, k) => column(`p${k}`, pl.Utf8)),
  ]);
}

/** Characters whose NFKD form differs (or that are combining marks): JS normalizes those rows. */
const NEEDS_NFKD = "[^\\x00-\\x7F\\u2018\\u2019\\u201C\\u201D\\u2013\\u2014]";
const BREAK_WORDS = "but|however|although|though|whereas|while|yet";

/** JS `normalize()` of score.ts, the part Polars cannot do: NFKD and combining marks dropped. */
function decomposed(frame: pl.DataFrame): pl.DataFrame {
  const rows = frame.filter(pl.col("text").str.contains(NEEDS_NFKD));
  if (rows.height === 0) return frame;
  const values = (rows.getColumn("text").toArray() as string[]).map((text) =>
    text.normalize("NFKD").replace(/\p{M}+/gu, "")
  );
  const fixed = rows.select(ROW).withColumn(pl.Series("fixed", values, pl.Utf8));
  return frame.join(fixed, { on: ROW, how: "left" })
    .withColumns(
      pl.when(pl.col("fixed").isNull()).then(pl.col("text")).otherwise(pl.col("fixed")).alias(
        "text",
      ),
    ).drop("fixed");
}

/** Tokens of each text: words (stemmed) and sentinels at sentence breaks, in text order. */
function tokens(frame: pl.DataFrame): pl.LazyDataFrame {
  const text = pl.col("text").str.toLowerCase()
    .str.replaceAll("[\\u2018\\u2019`]", "'")
    // JS \b is ASCII-only: the same boundary here.
    .str.replaceAll("n't(?-u:\\b)", " not")
    .str.replaceAll("'s(?-u:\\b)", "")
    // Sentence breaks as score.ts cuts them (its look-aheads become a kept group).
    .str.replaceAll(`[^\\S\\n](?:${BREAK_WORDS})(\\s|$)`, `${SENTINEL}$1`)
    .str.replaceAll(`[^\\S\\n](?:${BREAK_WORDS})(\\s|$)`, `${SENTINEL}$1`)
    .str.replaceAll(`[.!?;]+(\\s|${SENTINEL}|$)`, `${SENTINEL}$1`)
    .str.replaceAll("\\n+", SENTINEL)
    .str.replaceAll(SENTINEL, ` ${SENTINEL} `)
    // Every run of non-word characters, the sentinels' padding included, becomes one space.
    .str.replaceAll(`[^\\p{L}\\p{N}${SENTINEL}]+`, " ");
  return frame.lazy().select(
    pl.col(ROW),
    pl.col("imageId"),
    pl.concatString([pl.lit(SENTINEL), text, pl.lit(SENTINEL)], " ").str.split(" ").alias("token"),
  ).explode("token").filter(pl.col("token").neq(pl.lit("")));
}

/**
 * score.ts `stem()` on a token column: the words ending in `s` are few distinct ones however many
 * descriptions there are (a language's vocabulary, not the texts), so they are stemmed once each
 * by the same function and mapped back by Polars.
 */
function withStems(stream: pl.LazyDataFrame): pl.LazyDataFrame {
  const plural = stream.select("token").filter(pl.col("token").str.endsWith("s")).unique()
    .collectSync().getColumn("token").toArray() as string[];
  return stream.withColumns(pl.col("token").replace(plural, plural.map(stem)).alias("w"));
}

/** Membership in a list of strings (a literal series: a plain array is ambiguous to Polars). */
const oneOf = (values: Iterable<string>) => pl.lit(pl.Series("values", [...values], pl.Utf8));
const inSet = (column: string, set: ReadonlySet<string>) => pl.col(column).isIn(oneOf(set));

function scoreChunk(
  chunk: pl.DataFrame,
  labels: LabelSet,
  phrases: pl.DataFrame,
  options: ScoreTextsOptions,
): pl.DataFrame {
  const { hallucinationPenalty = 2, terms = true } = options;
  const labelled = chunk.filter(
    pl.col("text").isNotNull().and(pl.col("imageId").isIn(oneOf(labels.keys()))),
  );
  // Token tables stay inside lazy queries: Polars frees them when a query ends, where a table
  // held by JS would linger until the garbage collector (a JS heap this small rarely collects).
  // The words are cut twice (once for the stems' vocabulary); that costs less than holding them.
  const stream = withStems(tokens(decomposed(labelled)))
    .withColumns(
      pl.col("w").eq(pl.lit(SENTINEL)).alias("sentinel"),
      inSet("w", NEGATIONS).or(
        inSet("w", NEGATIONS_WITH_OF).and(pl.col("w").shift(-1).eq(pl.lit("of"))),
      ).alias("negation"),
      inSet("w", SCOPE_BREAKS).alias("scopeBreak"),
      inSet("w", NEGATIONS_AFTER).alias("negationAfter"),
    ).cache();
  // Looking back: the nearest negation before a scope break or the sentence's start.
  let before: pl.Expr = pl.lit(false);
  for (let k = NEGATION_REACH; k >= 1; k--) {
    before = pl.when(pl.col("sentinel").shift(k).fillNull(true)).then(pl.lit(false))
      .when(pl.col("negation").shift(k)).then(pl.lit(true))
      .when(pl.col("scopeBreak").shift(k)).then(pl.lit(false))
      .otherwise(before);
  }
  // Looking ahead from a phrase's last word: a negation-after within reach, inside the sentence.
  let after: pl.Expr = pl.lit(false);
  for (let k = NEGATION_REACH_AFTER; k >= 1; k--) {
    after = pl.when(pl.col("sentinel").shift(-k).fillNull(true)).then(pl.lit(false))
      .when(pl.col("negationAfter").shift(-k)).then(pl.lit(true))
      .otherwise(after);
  }
  const words = stream.withColumns(before.alias("negatedBefore"), after.alias("negatedAfter"))
    .withColumns(
      ...Array.from(
        { length: MAX_PHRASE_WORDS - 1 },
        (_, k) => pl.col("w").shift(-(k + 1)).alias(`n${k + 1}`),
      ),
      ...Array.from(
        { length: MAX_PHRASE_WORDS },
        (_, k) => pl.col("negatedAfter").shift(-k).alias(`after${k + 1}`),
      ),
    );
  const counts = stream.filter(pl.col("sentinel").not()).groupBy(ROW)
    .agg(pl.len().cast(pl.Float64).alias("descriptionWords"));
  const firstWords = phrases.getColumn("p0").unique();
  let found = words.filter(pl.col("w").isIn(pl.lit(firstWords)))
    .join(phrases.lazy(), { leftOn: ["imageId", "w"], rightOn: ["imageId", "p0"], how: "inner" });
  for (let k = 1; k < MAX_PHRASE_WORDS; k++) {
    found = found.filter(pl.col(`p${k}`).isNull().or(pl.col(`n${k}`).eq(pl.col(`p${k}`))));
  }
  let afterOfPhrase: pl.Expr = pl.lit(false);
  for (let k = MAX_PHRASE_WORDS; k >= 1; k--) {
    afterOfPhrase = pl.when(pl.col("words").eq(k)).then(pl.col(`after${k}`))
      .otherwise(afterOfPhrase);
  }
  // A term is named when any of its phrases occurs once not negated.
  const named = found.filter(pl.col("negatedBefore").or(afterOfPhrase).not())
    .select(ROW, "kind", "termIndex", "term").unique({ subset: [ROW, "kind", "termIndex"] });
  const mustCounts = pl.DataFrame({
    imageId: [...labels.keys()],
    mustMention: [...labels.values()].map((image) => image.mustMention.length),
  }, { schema: { imageId: pl.Utf8, mustMention: pl.Float64 } });
  const tally = (frame: pl.LazyDataFrame) =>
    frame.groupBy(ROW).agg(
      pl.col("kind").eq(pl.lit("must")).sum().cast(pl.Float64).alias("matched"),
      pl.col("kind").eq(pl.lit("not")).sum().cast(pl.Float64).alias("hallucinations"),
    );
  // Without term lists, one query: the words are cut once for both counts.
  const namedFrame = terms ? named.collectSync() : undefined;
  const perRow = counts.join(tally(namedFrame ? namedFrame.lazy() : named), {
    on: ROW,
    how: "left",
  }).collectSync();
  const base = labelled.select(ROW, "imageId")
    .join(mustCounts, { on: "imageId", how: "left" })
    .join(perRow, { on: ROW, how: "left" })
    .withColumns(
      pl.col("descriptionWords").fillNull(0),
      pl.col("matched").fillNull(0),
      pl.col("hallucinations").fillNull(0),
    )
    .withColumns(
      pl.when(pl.col("mustMention").eq(0)).then(pl.lit(0))
        .otherwise(pl.col("matched").div(pl.col("mustMention"))).alias("recall"),
    )
    // Products in a step of their own, each rounded before the subtraction, as in JS.
    .withColumns(
      pl.lit(10).mul(pl.col("recall")).alias("__tenRecall"),
      pl.col("hallucinations").mul(hallucinationPenalty).alias("__penalty"),
    )
    .withColumns(
      pl.when(pl.col("descriptionWords").eq(0)).then(pl.lit(0)).otherwise(
        pl.col("__tenRecall").sub(pl.col("__penalty")).clip(0, 10).round(2),
      ).alias("score"),
      pl.when(pl.col("matched").eq(0)).then(pl.lit(null))
        .otherwise(pl.col("descriptionWords").div(pl.col("matched"))).alias("wordsPerMatch"),
    );
  const scores = base.select(
    ROW,
    pl.col("recall").cast(pl.Float64),
    pl.col("score").cast(pl.Float64),
    "hallucinations",
    "descriptionWords",
    pl.col("wordsPerMatch").cast(pl.Float64),
  );
  if (!namedFrame) return scores;
  return scores.join(termLists(labelled.select(ROW, "imageId"), namedFrame, labels), {
    on: ROW,
    how: "left",
  });
}

/** Matched, missed and hallucinated terms per row, in label order, comma-separated. */
function termLists(rows: pl.DataFrame, named: pl.DataFrame, labels: LabelSet): pl.DataFrame {
  const mustTerms = pl.DataFrame(
    [...labels].flatMap(([imageId, image]) =>
      image.mustMention.map((item, index) => ({ imageId, termIndex: index, term: item.term }))
    ),
    { schema: { imageId: pl.Utf8, termIndex: pl.Float64, term: pl.Utf8 } },
  );
  const joined = (frame: pl.DataFrame, alias: string) =>
    frame.groupBy(ROW).agg(pl.col("term").sortBy("termIndex").str.concat(", ").alias(alias));
  const matchedMust = named.filter(pl.col("kind").eq(pl.lit("must"))).select(ROW, "termIndex");
  const missed = rows.join(mustTerms, { on: "imageId", how: "inner" })
    .join(matchedMust, { on: [ROW, "termIndex"], how: "anti" });
  return rows.select(ROW)
    .join(joined(named.filter(pl.col("kind").eq(pl.lit("must"))), "matchedTerms"), {
      on: ROW,
      how: "left",
    })
    .join(joined(missed, "missedTerms"), { on: ROW, how: "left" })
    .join(joined(named.filter(pl.col("kind").eq(pl.lit("not"))), "hallucinatedTerms"), {
      on: ROW,
      how: "left",
    })
    .withColumns(
      pl.col("matchedTerms").fillNull(""),
      pl.col("missedTerms").fillNull(""),
      pl.col("hallucinatedTerms").fillNull(""),
    );
}
