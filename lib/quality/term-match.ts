/**
 * The keyword score of {@link scoreDescription} over a whole column of descriptions, without a
 * JS object per record and without leaning on repeated texts (a real run's descriptions are all
 * different): each text is read once, character by character, against a trie of the labels'
 * words. The rules are those of lib/quality/score.ts, word for word:
 *
 * - the text is normalized by score.ts `normalize()` itself (accents, `n't`, `'s`, lower case);
 * - one pass cuts it into sentences (`. ! ? ;` before a space or the end, line breaks, a space and
 *   `but, however, …` before a space or the end) and words (runs of letters and digits); each word
 *   walks the trie as it is read, so the stem of a word (score.ts `stem()`: a suffix rule on its
 *   last four characters) is a node already visited, or one step from it (`-ies` → `-y`);
 * - a word is an id when the labels or the negation rules know its stem, else `OTHER`: a text
 *   becomes a small array of ints, with `SENTENCE` at every break;
 * - phrases are looked for where their first word stands, negations read from the neighbouring
 *   ids exactly as score.ts `isNegated()` reads neighbouring words.
 *
 * Equal to the per-text scorer on the sample fixtures, demo texts and generated edge cases
 * (tests/quality/term-match_test.ts).
 *
 * @module
 */
import pl from "nodejs-polars";
import type { ImageLabels, LabelSet } from "./labels.ts";
import {
  NEGATION_REACH,
  NEGATION_REACH_AFTER,
  NEGATIONS,
  NEGATIONS_AFTER,
  NEGATIONS_WITH_OF,
  SCOPE_BREAKS,
} from "./_rules.ts";
import { normalize, phraseOf } from "./score.ts";

/** Options of {@link scoreTexts}. */
export interface ScoreTextsOptions {
  /** Points off per hallucination. @default 2 */
  hallucinationPenalty?: number;
  /** Also the term lists (`matchedTerms`, `missedTerms`, `hallucinatedTerms`). @default true */
  terms?: boolean;
  /** Descriptions read into JS per pass: bounds the memory of the strings. @default 100_000 */
  chunkRows?: number;
}

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
  const { hallucinationPenalty = 2, terms = true, chunkRows = 100_000 } = options;
  const matcher = matcherOf(labels);
  const height = texts.height;
  const columns = {
    recall: new Float64Array(height).fill(NaN),
    score: new Float64Array(height).fill(NaN),
    hallucinations: new Float64Array(height).fill(NaN),
    descriptionWords: new Float64Array(height).fill(NaN),
    wordsPerMatch: new Float64Array(height).fill(NaN),
  };
  const lists = terms
    ? {
      matchedTerms: new Array<string | null>(height).fill(null),
      missedTerms: new Array<string | null>(height).fill(null),
      hallucinatedTerms: new Array<string | null>(height).fill(null),
    }
    : undefined;
  const stream = new TokenStream();
  for (let offset = 0; offset < height; offset += chunkRows) {
    const chunk = texts.slice(offset, chunkRows);
    const ids = chunk.getColumn("imageId").cast(pl.Utf8).toArray() as (string | null)[];
    const values = chunk.getColumn("text").cast(pl.Utf8).toArray() as (string | null)[];
    for (let index = 0; index < values.length; index++) {
      const text = values[index];
      const plan = ids[index] === null ? undefined : matcher.images.get(ids[index]!);
      if (text === null || plan === undefined) continue;
      stream.read(normalize(text), matcher);
      const named = plan.named(stream, matcher.flags);
      const row = offset + index;
      const must = plan.labels.mustMention.length;
      let matched = 0;
      let hallucinated = 0;
      for (let term = 0; term < named.length; term++) {
        if (named[term] === 0) continue;
        if (term < must) matched++;
        else hallucinated++;
      }
      const recall = must === 0 ? 0 : matched / must;
      const raw = 10 * recall - hallucinationPenalty * hallucinated;
      columns.recall[row] = recall;
      columns.score[row] = stream.words === 0
        ? 0
        : Math.round(Math.min(10, Math.max(0, raw)) * 100) / 100;
      columns.hallucinations[row] = hallucinated;
      columns.descriptionWords[row] = stream.words;
      if (matched > 0) columns.wordsPerMatch[row] = stream.words / matched;
      if (lists) {
        const listed = (from: number, to: number, want: number) =>
          plan.terms.slice(from, to).filter((_, term) => named[from + term] === want).join(", ");
        lists.matchedTerms[row] = listed(0, must, 1);
        lists.missedTerms[row] = listed(0, must, 0);
        lists.hallucinatedTerms[row] = listed(must, named.length, 1);
      }
    }
  }
  const numbers = pl.DataFrame(
    Object.entries(columns).map(([name, values]) => pl.Series(name, values, pl.Float64)),
  ).select(...Object.keys(columns).map((name) => pl.col(name).fillNan(pl.lit(null))));
  if (!lists) return numbers;
  return numbers.withColumns(
    ...Object.entries(lists).map(([name, values]) => pl.Series(name, values, pl.Utf8)),
  );
}

/** Token ids that are no word of the labels or the rules, and sentence breaks. */
const OTHER = -1;
const SENTENCE = -2;

/** Rule flags of a word id. */
const NEGATION = 1;
const NEGATION_WITH_OF = 2;
const SCOPE_BREAK = 4;
const NEGATION_AFTER = 8;
const OF = 16;

/** One label phrase of an image: its word ids and the term slot it names. */
interface Phrase {
  words: Int32Array;
  /** Index into {@link ImagePlan.terms}: mustMention first, then mustNotMention. */
  term: number;
}

/** What matching needs of one image's labels. */
class ImagePlan {
  /** Term per slot: mustMention terms, then mustNotMention terms. */
  readonly terms: string[];
  /** Phrases by the id of their first word. */
  readonly byFirst: Phrase[][] = [];
  readonly #named: Uint8Array;

  constructor(readonly labels: ImageLabels, idOf: (word: string) => number) {
    const items = [...labels.mustMention, ...labels.mustNotMention];
    this.terms = items.map((item) => item.term);
    this.#named = new Uint8Array(items.length);
    items.forEach((item, term) => {
      for (const phrase of [item.term, ...item.synonyms].map(phraseOf)) {
        if (phrase.length === 0) continue;
        const words = Int32Array.from(phrase, idOf);
        (this.byFirst[words[0]] ??= []).push({ words, term });
      }
    });
  }

  /** 1 per term slot the stream names at least once not negated, else 0. */
  named(stream: TokenStream, flags: Uint8Array): Uint8Array {
    const named = this.#named.fill(0);
    const { ids, length } = stream;
    for (let start = 0; start < length; start++) {
      if (ids[start] < 0) continue;
      const phrases = this.byFirst[ids[start]];
      if (phrases === undefined) continue;
      for (const { words, term } of phrases) {
        if (named[term] === 1 || start + words.length > length) continue;
        let offset = 1;
        while (offset < words.length && ids[start + offset] === words[offset]) offset++;
        if (offset < words.length) continue;
        if (!negated(ids, length, start, words.length, flags)) named[term] = 1;
      }
    }
    return named;
  }
}

/** score.ts `isNegated()` on ids: the sentence's start is the nearest `SENTENCE` before. */
function negated(
  ids: Int32Array,
  length: number,
  start: number,
  words: number,
  flags: Uint8Array,
): boolean {
  for (let index = start - 1; index >= start - NEGATION_REACH && index >= 0; index--) {
    const id = ids[index];
    if (id === SENTENCE) break;
    if (id === OTHER) continue;
    if (flags[id] & NEGATION) return true;
    if (flags[id] & NEGATION_WITH_OF && ids[index + 1] >= 0 && flags[ids[index + 1]] & OF) {
      return true;
    }
    if (flags[id] & SCOPE_BREAK) break;
  }
  const end = Math.min(length, start + words + NEGATION_REACH_AFTER);
  for (let index = start + words; index < end; index++) {
    const id = ids[index];
    if (id === SENTENCE) break;
    if (id >= 0 && flags[id] & NEGATION_AFTER) return true;
  }
  return false;
}

/** The words matching knows, as a trie walked one UTF-16 unit at a time. */
interface Matcher {
  /** `(node << 7) | unit` → child node + 1 for ASCII units (0: none); sized for every node. */
  ascii: Int32Array;
  /** `node * 0x10000 + unit` → child node for the other units. */
  other: Map<number, number>;
  /** Node → word id, or {@link OTHER}. */
  wordOf: Int32Array;
  /** Word id → rule flags. */
  flags: Uint8Array;
  images: Map<string, ImagePlan>;
}

const matchers = new WeakMap<LabelSet, Matcher>();

/** The matcher of a label set, built once per set. */
function matcherOf(labels: LabelSet): Matcher {
  let matcher = matchers.get(labels);
  if (!matcher) {
    matcher = buildMatcher(labels);
    matchers.set(labels, matcher);
  }
  return matcher;
}

function buildMatcher(labels: LabelSet): Matcher {
  const words = new Map<string, number>();
  const idOf = (word: string) => {
    let id = words.get(word);
    if (id === undefined) words.set(word, id = words.size);
    return id;
  };
  const ruleWords: [Iterable<string>, number][] = [
    [NEGATIONS, NEGATION],
    [NEGATIONS_WITH_OF, NEGATION_WITH_OF],
    [SCOPE_BREAKS, SCOPE_BREAK],
    [NEGATIONS_AFTER, NEGATION_AFTER],
    [["of"], OF],
  ];
  const ruleFlags = new Map<number, number>();
  for (const [list, flag] of ruleWords) {
    for (const word of list) ruleFlags.set(idOf(word), (ruleFlags.get(idOf(word)) ?? 0) | flag);
  }
  const images = new Map<string, ImagePlan>();
  for (const [imageId, image] of labels) images.set(imageId, new ImagePlan(image, idOf));
  const flags = new Uint8Array(words.size);
  for (const [id, flag] of ruleFlags) flags[id] = flag;
  let ascii = new Int32Array(128 * 256);
  const other = new Map<number, number>();
  const wordOf: number[] = [OTHER];
  for (const [word, id] of words) {
    let node = 0;
    for (let index = 0; index < word.length; index++) {
      const unit = word.charCodeAt(index);
      let next = (node << 7 | unit) < ascii.length || unit >= 128
        ? childOf(ascii, other, node, unit)
        : OTHER;
      if (next === OTHER) {
        next = wordOf.length;
        wordOf.push(OTHER);
        if (unit < 128) {
          if ((node << 7 | unit) >= ascii.length) {
            const grown = new Int32Array(ascii.length * 2);
            grown.set(ascii);
            ascii = grown;
          }
          ascii[node << 7 | unit] = next + 1;
        } else other.set(node * 0x10000 + unit, next);
      }
      node = next;
    }
    wordOf[node] = id;
  }
  if (ascii.length < wordOf.length << 7) {
    const grown = new Int32Array(wordOf.length << 7);
    grown.set(ascii);
    ascii = grown;
  }
  return { ascii, other, wordOf: Int32Array.from(wordOf), flags, images };
}

/** The child of `node` by one UTF-16 unit, or {@link OTHER}. */
function childOf(ascii: Int32Array, other: Map<number, number>, node: number, unit: number) {
  if (node < 0) return OTHER;
  if (unit < 128) return ascii[node << 7 | unit] - 1;
  return other.get(node * 0x10000 + unit) ?? OTHER;
}

const [LOWER_S, LOWER_E, LOWER_I, LOWER_X, LOWER_Z, LOWER_H, LOWER_C, LOWER_U, LOWER_Y] = [
  ..."seixzhcuy",
].map((letter) => letter.charCodeAt(0));
const BREAK_WORDS = ["but", "however", "although", "though", "whereas", "while", "yet"];
/** The break words by their first letter (ASCII only). */
const BREAKS_BY_INITIAL = Array.from(
  { length: 128 },
  (_, unit) => BREAK_WORDS.filter((word) => word.charCodeAt(0) === unit),
);

/** ASCII units that are letters or digits. */
const ASCII_WORD = Uint8Array.from(
  { length: 128 },
  (_, unit) => /[A-Za-z0-9]/.test(String.fromCharCode(unit)) ? 1 : 0,
);
const WORD_POINT = /^[\p{L}\p{N}]$/u;
const wordPoints = new Map<number, boolean>();

/** Whether a non-ASCII code point is a letter or digit (`[\p{L}\p{N}]`), cached. */
function isWordPoint(point: number): boolean {
  let known = wordPoints.get(point);
  if (known === undefined) {
    known = WORD_POINT.test(String.fromCodePoint(point));
    wordPoints.set(point, known);
  }
  return known;
}

/** JS `\s` (the sentence-break rule's), by UTF-16 unit. */
function isSpace(unit: number): boolean {
  return (unit >= 9 && unit <= 13) || unit === 32 || unit === 0xa0 || unit === 0x1680 ||
    (unit >= 0x2000 && unit <= 0x200a) || unit === 0x2028 || unit === 0x2029 ||
    unit === 0x202f || unit === 0x205f || unit === 0x3000 || unit === 0xfeff;
}

/** `[.!?;]` */
function isStop(unit: number): boolean {
  return unit === 46 || unit === 33 || unit === 63 || unit === 59;
}

/** One normalized text as ids, reused from text to text. */
class TokenStream {
  ids = new Int32Array(256);
  length = 0;
  /** Words read (sentence breaks not counted). */
  words = 0;
  /** Trie node after each unit of the word being read. */
  #nodes = new Int32Array(64);

  /** Reads a text `normalize()` gave. */
  read(text: string, matcher: Matcher): void {
    this.length = 0;
    this.words = 0;
    this.#push(SENTENCE);
    let index = 0;
    while (index < text.length) {
      const unit = text.charCodeAt(index);
      if (unit < 128 ? ASCII_WORD[unit] === 1 : this.#pointWidth(text, index) > 0) {
        index = this.#word(text, index, matcher);
      } else if (isStop(unit)) {
        let end = index + 1;
        while (end < text.length && isStop(text.charCodeAt(end))) end++;
        if (end === text.length || isSpace(text.charCodeAt(end))) this.#push(SENTENCE);
        index = end;
      } else if (unit === 10) {
        this.#push(SENTENCE);
        index++;
      } else if (isSpace(unit)) {
        const next = text.charCodeAt(index + 1);
        const skipped = next < 128 && BREAKS_BY_INITIAL[next].length > 0
          ? breakWordAt(text, index + 1)
          : 0;
        if (skipped > 0) this.#push(SENTENCE);
        index += 1 + skipped;
      } else {
        index++;
      }
    }
  }

  /** Units of the letter or digit at `index` (2 for a surrogate pair), 0 when it is neither. */
  #pointWidth(text: string, index: number): number {
    const point = text.codePointAt(index)!;
    return isWordPoint(point) ? (point > 0xffff ? 2 : 1) : 0;
  }

  /** Reads the word at `start`, pushes its stem's id; returns where it ends. */
  #word(text: string, start: number, matcher: Matcher): number {
    const { ascii, other } = matcher;
    let end = start;
    let node = 0;
    while (end < text.length) {
      const unit = text.charCodeAt(end);
      if (unit < 128) {
        if (ASCII_WORD[unit] === 0) break;
        node = node < 0 ? OTHER : ascii[node << 7 | unit] - 1;
        this.#record(++end - start, node);
        continue;
      }
      const width = this.#pointWidth(text, end);
      if (width === 0) break;
      for (let step = 0; step < width; step++) {
        node = childOf(ascii, other, node, text.charCodeAt(end));
        this.#record(++end - start, node);
      }
    }
    const stemNode = this.#stemNode(text, start, end, matcher);
    this.#push(stemNode < 0 ? OTHER : matcher.wordOf[stemNode]);
    this.words++;
    return end;
  }

  /** Remembers the trie node after the word's first `units` units. */
  #record(units: number, node: number): void {
    if (units === this.#nodes.length) {
      const grown = new Int32Array(units * 2);
      grown.set(this.#nodes);
      this.#nodes = grown;
    }
    this.#nodes[units] = node;
  }

  /** score.ts `stem()` as a trie node: the node of the kept prefix (and `y` after `-ies`). */
  #stemNode(text: string, start: number, end: number, matcher: Matcher): number {
    const length = end - start;
    const nodes = this.#nodes;
    if (text.charCodeAt(end - 1) !== LOWER_S) return nodes[length];
    const second = text.charCodeAt(end - 2);
    const third = length > 2 ? text.charCodeAt(end - 3) : 0;
    if (length > 4 && second === LOWER_E) {
      const fourth = text.charCodeAt(end - 4);
      if (third === LOWER_I) {
        return childOf(matcher.ascii, matcher.other, nodes[length - 3], LOWER_Y);
      }
      if (
        third === LOWER_X || third === LOWER_Z ||
        (third === LOWER_H && (fourth === LOWER_C || fourth === LOWER_S)) ||
        (third === LOWER_S && fourth === LOWER_S)
      ) {
        return nodes[length - 2];
      }
    }
    if (length > 3 && second !== LOWER_S && second !== LOWER_U && second !== LOWER_I) {
      return nodes[length - 1];
    }
    return nodes[length];
  }

  #push(id: number): void {
    if (this.length === this.ids.length) {
      const grown = new Int32Array(this.ids.length * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[this.length++] = id;
  }
}

/** Length of a break word (`but`, `however`, …) at `index` before a space or the end, else 0. */
function breakWordAt(text: string, index: number): number {
  for (const word of BREAKS_BY_INITIAL[text.charCodeAt(index)]) {
    const end = index + word.length;
    if (end > text.length || !(end === text.length || isSpace(text.charCodeAt(end)))) continue;
    let offset = 1;
    while (offset < word.length && text.charCodeAt(index + offset) === word.charCodeAt(offset)) {
      offset++;
    }
    if (offset === word.length) return word.length;
  }
  return 0;
}
