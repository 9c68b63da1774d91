/**
 * The keyword score's matching, for a whole column of descriptions: each text is read once,
 * character by character, against a trie of the labels' words. The rules are those of
 * lib/quality/score.ts, word for word:
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
 * No Polars here: a worker runs it too (term-count-worker.ts).
 *
 * @module
 */
import type { ImageLabels, LabelSet } from "./labels.ts";
import {
  NEGATION_REACH,
  NEGATION_REACH_AFTER,
  NEGATIONS,
  NEGATIONS_AFTER,
  NEGATIONS_WITH_OF,
  SCOPE_BREAKS,
} from "./_rules.ts";
import { asciiCaseOnly, normalize, phraseOf } from "./score.ts";

/** Per row: mustMention terms named, mustNotMention terms named, words; -1 where not scored. */
export interface TermCounts {
  matched: Int32Array;
  hallucinated: Int32Array;
  words: Int32Array;
}

/** The terms one scored row named, for term lists. */
export interface NamedTerms {
  /** mustMention terms, then mustNotMention terms. */
  terms: readonly string[];
  /** How many of `terms` are mustMention. */
  must: number;
  /** 1 where the term at the same index was named (not negated), else 0. */
  named: Uint8Array;
}

/**
 * Counts what each text names: row `index` reads `texts[index]` against the labels of the image
 * at position `labelIndex[index]` in `labels` (its iteration order; -1: no labels) and writes
 * `out.*[at + index]`. Rows without labels (position -1) get -1; a null text reads as empty.
 * `onNamed` sees the terms of every scored row.
 *
 * @example
 * ```ts
 * import { loadLabels } from "./labels.ts";
 * const labels = await loadLabels();
 * const out = { matched: new Int32Array(1), hallucinated: new Int32Array(1), words: new Int32Array(1) };
 * countTerms(["A tabby cat."], Int32Array.of([...labels.keys()].indexOf("o01_cat")), labels, out);
 * out.matched[0];
 * ```
 */
export function countTerms(
  texts: readonly (string | null)[],
  labelIndex: Int32Array,
  labels: LabelSet,
  out: TermCounts,
  at = 0,
  onNamed?: (row: number, terms: NamedTerms) => void,
): void {
  const matcher = matcherOf(labels);
  const stream = new TokenStream();
  for (let index = 0; index < texts.length; index++) {
    const text = texts[index];
    const plan = matcher.plans[labelIndex[index]];
    const row = at + index;
    if (plan === undefined) {
      out.matched[row] = out.hallucinated[row] = out.words[row] = -1;
      continue;
    }
    // The trie and the rules read A-Z as a-z: most texts need no normalized copy.
    stream.read(text === null ? "" : asciiCaseOnly(text) ? text : normalize(text), matcher);
    const named = plan.named(stream, matcher.flags);
    let matched = 0;
    for (let term = 0; term < plan.must; term++) matched += named[term];
    let hallucinated = 0;
    for (let term = plan.must; term < named.length; term++) hallucinated += named[term];
    out.matched[row] = matched;
    out.hallucinated[row] = hallucinated;
    out.words[row] = stream.words;
    onNamed?.(row, { terms: plan.terms, must: plan.must, named });
  }
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
  /** How many of {@link terms} are mustMention. */
  readonly must: number;
  /** Phrases by the id of their first word. */
  readonly byFirst: Phrase[][] = [];
  readonly #named: Uint8Array;

  constructor(labels: ImageLabels, idOf: (word: string) => number) {
    const items = [...labels.mustMention, ...labels.mustNotMention];
    this.terms = items.map((item) => item.term);
    this.must = labels.mustMention.length;
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
  /** Per image, in the label set's order. */
  plans: ImagePlan[];
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
  const plans = [...labels.values()].map((image) => new ImagePlan(image, idOf));
  const flags = new Uint8Array(words.size);
  for (const [id, flag] of ruleFlags) flags[id] = flag;
  return { ...trieOf(words), flags, plans };
}

/** The trie of `words` (word → id), laid out for {@link Matcher}. */
function trieOf(words: Map<string, number>): Pick<Matcher, "ascii" | "other" | "wordOf"> {
  const edges: Map<number, number>[] = [new Map()];
  const wordOf: number[] = [OTHER];
  for (const [word, id] of words) {
    let node = 0;
    for (let index = 0; index < word.length; index++) {
      const unit = word.charCodeAt(index);
      let next = edges[node].get(unit);
      if (next === undefined) {
        next = edges.length;
        edges.push(new Map());
        wordOf.push(OTHER);
        edges[node].set(unit, next);
      }
      node = next;
    }
    wordOf[node] = id;
  }
  const ascii = new Int32Array(edges.length << 7);
  const other = new Map<number, number>();
  edges.forEach((children, node) =>
    children.forEach((child, unit) => {
      if (unit >= 128) return void other.set(node * 0x10000 + unit, child);
      ascii[node << 7 | unit] = child + 1;
      // ASCII capitals walk the edges of their lower case: texts need not be lowered first.
      if (unit >= 97 && unit <= 122) ascii[node << 7 | (unit - 32)] = child + 1;
    })
  );
  return { ascii, other, wordOf: Int32Array.from(wordOf) };
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
        const skipped = next < 128 && BREAKS_BY_INITIAL[next | 32].length > 0
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
    // The trie node after the word's units so far, and one, two and three units before.
    let node = 0, back1 = 0, back2 = 0, back3 = 0;
    while (end < text.length) {
      const unit = text.charCodeAt(end);
      if (unit < 128) {
        if (ASCII_WORD[unit] === 0) break;
        back3 = back2, back2 = back1, back1 = node;
        node = node < 0 ? OTHER : ascii[node << 7 | unit] - 1;
        end++;
        continue;
      }
      const width = this.#pointWidth(text, end);
      if (width === 0) break;
      for (let step = 0; step < width; step++) {
        back3 = back2, back2 = back1, back1 = node;
        node = childOf(ascii, other, node, text.charCodeAt(end++));
      }
    }
    const stem = stemNode(text, end - start, end, node, back1, back2, back3, matcher);
    this.#push(stem < 0 ? OTHER : matcher.wordOf[stem]);
    this.words++;
    return end;
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

/**
 * score.ts `stem()` as a trie node: the node of the kept prefix (and `y` after `-ies`), given
 * the nodes after the word's last unit and one, two and three units before.
 */
function stemNode(
  text: string,
  length: number,
  end: number,
  node: number,
  back1: number,
  back2: number,
  back3: number,
  matcher: Matcher,
): number {
  // `| 32` lowers an ASCII capital and changes no other character of a word into these letters.
  if ((text.charCodeAt(end - 1) | 32) !== LOWER_S) return node;
  const second = text.charCodeAt(end - 2) | 32;
  if (length > 4 && second === LOWER_E) {
    const third = text.charCodeAt(end - 3) | 32;
    const fourth = text.charCodeAt(end - 4) | 32;
    if (third === LOWER_I) return childOf(matcher.ascii, matcher.other, back3, LOWER_Y);
    if (
      third === LOWER_X || third === LOWER_Z ||
      (third === LOWER_H && (fourth === LOWER_C || fourth === LOWER_S)) ||
      (third === LOWER_S && fourth === LOWER_S)
    ) {
      return back2;
    }
  }
  if (length > 3 && second !== LOWER_S && second !== LOWER_U && second !== LOWER_I) {
    return back1;
  }
  return node;
}

/** Length of a break word (`but`, `however`, …) at `index` before a space or the end, else 0. */
function breakWordAt(text: string, index: number): number {
  for (const word of BREAKS_BY_INITIAL[text.charCodeAt(index) | 32]) {
    const end = index + word.length;
    if (end > text.length || !(end === text.length || isSpace(text.charCodeAt(end)))) continue;
    let offset = 1;
    while (
      offset < word.length && (text.charCodeAt(index + offset) | 32) === word.charCodeAt(offset)
    ) {
      offset++;
    }
    if (offset === word.length) return word.length;
  }
  return 0;
}

/** Status word of {@link sharedCounts} once a worker failed (else: chunks it counted). */
export const FAILED = -1;

/**
 * Counts for `rows` rows in one shared buffer (`4 × (1 + 3 × rows)` bytes), after a status word
 * a caller can `Atomics.wait` on (`status[0]`: chunks a worker counted, or {@link FAILED}).
 *
 * @example
 * ```ts
 * const { status, counts } = sharedCounts(new SharedArrayBuffer(4 * (1 + 3 * 10)), 10);
 * counts.words.length; // 10
 * Atomics.load(status, 0); // 0
 * ```
 */
export function sharedCounts(
  buffer: SharedArrayBuffer,
  rows: number,
): { status: Int32Array; counts: TermCounts } {
  return {
    status: new Int32Array(buffer, 0, 1),
    counts: {
      matched: new Int32Array(buffer, 4, rows),
      hallucinated: new Int32Array(buffer, 4 * (1 + rows), rows),
      words: new Int32Array(buffer, 4 * (1 + 2 * rows), rows),
    },
  };
}
