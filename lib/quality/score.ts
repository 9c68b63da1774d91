/**
 * Automatic description quality against reference labels (lib/labels.ts): which expected things
 * a description names (recall), which plausible hallucinations it claims, a 0–10 score, and
 * words spent per thing named. Keyword matching, not understanding: see docs/quality.md,
 * "Known blind spots", for what it misses.
 *
 * Matching rules (the same for descriptions and labels, so they agree by construction):
 * - lower case, accents dropped (`château` = `chateau`), `n't` read as `not`, `'s` dropped;
 * - words are runs of letters/digits, so a term never matches inside another word
 *   (`cat` does not match `concatenate`, `hall` does not match `shallow`);
 * - simple English plurals fold to the singular: `-ies` → `-y`, `-(x|z|ch|sh|ss)es` → drop `es`,
 *   else a final `s` is dropped (not after `ss`, `us`, `is`);
 * - a multi-word term matches consecutive words inside one sentence;
 * - a mention is NEGATED when one of `no, not, without, none, nobody, nothing, never, neither,
 *   nor, absent, lacking, lack, zero, devoid` — or `empty|free|void` followed by `of` — comes up
 *   to 6 words before it in the same sentence with no `with, just, only, except, there, is, are,
 *   has, have, featuring, showing, contain` in between, or when `absent, missing, nowhere, not`
 *   follows within 3 words ("people are not visible"). Sentences end at `. ! ? ;`, a line
 *   break, or `but, however, although, though, whereas, while, yet`.
 *
 * A negated mustNotMention item is not a hallucination ("no people"); a negated mustMention
 * item is not a match ("there are no chairs" does not name the chairs).
 *
 * @module
 */
import type { ImageLabels, LabelSet, LabelTerm } from "./labels.ts";
import type { ResultRecord } from "../contract/record.ts";
import {
  NEGATION_REACH,
  NEGATION_REACH_AFTER,
  NEGATIONS,
  NEGATIONS_AFTER,
  NEGATIONS_WITH_OF,
  SCOPE_BREAKS,
  SENTENCE_BREAK,
} from "./_rules.ts";

/** Structured answer shape of lib/schemas.ts `VENUE_SCHEMA` (any field may be missing). */
export interface StructuredDescription {
  tags?: readonly string[];
  scene?: string;
  isEventVenue?: boolean;
}

/** What {@link scoreDescription} scores: free text or a structured answer. */
export type DescriptionInput = string | StructuredDescription;

/** The result of {@link scoreDescription}. */
export interface QualityScore {
  /** matched / mustMention, 0–1. */
  recall: number;
  /** mustMention terms named (label `term`, not the synonym that matched). */
  matched: string[];
  /** mustMention terms not named. */
  missed: string[];
  /** mustNotMention terms claimed (not negated). */
  hallucinated: string[];
  /** 0–10, see {@link scoreDescription}. */
  score: number;
  /** Words in the scored text. */
  words: number;
  /** words / matched terms (lower = more efficient); null when nothing matched. */
  wordsPerMatch: number | null;
}

/** Options of {@link scoreDescription}. */
export interface ScoreOptions {
  /** Points taken off per hallucinated term. @default 2 */
  hallucinationPenalty?: number;
}

/**
 * Lower case, accents dropped, contractions opened, so labels and text compare equal.
 *
 * @example
 * ```ts
 * normalize("The Château isn't open"); // "the chateau is not open"
 * ```
 */
export function normalize(text: string): string {
  // ASCII and the typographic quotes and dashes are their own NFKD, and no marks.
  const decomposed = NEEDS_NFKD.test(text) ? text.normalize("NFKD").replace(/\p{M}+/gu, "") : text;
  const lower = decomposed.toLowerCase();
  // Without an apostrophe or a quote the replacements find nothing.
  if (!QUOTES.test(lower)) return lower;
  return lower.replace(/[\u2018\u2019`]/g, "'")
    .replace(/n't\b/g, " not")
    .replace(/'s\b/g, "");
}

/** Beyond ASCII, but for ‘ ’ “ ” – —. */
const NEEDS_NFKD = /[\u0080-\u2012\u2015-\u2017\u201a\u201b\u201e-\uffff]/;
const QUOTES = /['`\u2018\u2019]/;

/**
 * Whether {@link normalize} would only lower the case of ASCII letters: nothing to decompose, no
 * apostrophe. A reader that folds `A`–`Z` itself can then skip it.
 *
 * @example
 * ```ts
 * asciiCaseOnly("Two Cats."); // true
 * asciiCaseOnly("The cat's café"); // false
 * ```
 */
export function asciiCaseOnly(text: string): boolean {
  return !NEEDS_NFKD.test(text) && !QUOTES.test(text);
}

/** Folds simple English plurals (see module doc). */
export function stem(word: string): string {
  // endsWith, not regular expressions: every word of every scored answer comes through here.
  if (!word.endsWith("s")) return word;
  if (word.length > 4 && word.endsWith("ies")) return `${word.slice(0, -3)}y`;
  if (
    word.length > 4 && (word.endsWith("xes") || word.endsWith("zes") ||
      word.endsWith("ches") || word.endsWith("shes") || word.endsWith("sses"))
  ) {
    return word.slice(0, -2);
  }
  if (word.length > 3 && !word.endsWith("ss") && !word.endsWith("us") && !word.endsWith("is")) {
    return word.slice(0, -1);
  }
  return word;
}

function words(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * A text as matching reads it: sentences of stemmed words, and where each word stands
 * (`[sentence, position]` pairs, flat), so a phrase is looked for only where its first word is.
 */
interface ParsedText {
  sentences: string[][];
  at: Map<string, number[]>;
  words: number;
}

function parse(text: string): ParsedText {
  const sentences: string[][] = [];
  const at = new Map<string, number[]>();
  let count = 0;
  for (const part of normalize(text).split(SENTENCE_BREAK)) {
    const sentence = words(part).map(stem);
    if (sentence.length === 0) continue;
    for (let position = 0; position < sentence.length; position++) {
      const places = at.get(sentence[position]);
      if (places) places.push(sentences.length, position);
      else at.set(sentence[position], [sentences.length, position]);
    }
    count += sentence.length;
    sentences.push(sentence);
  }
  return { sentences, at, words: count };
}

/**
 * A label phrase as matching compares it: normalized, stemmed words.
 *
 * @example
 * ```ts
 * phraseOf("Green eyes"); // ["green", "eye"]
 * ```
 */
export function phraseOf(text: string): readonly string[] {
  let phrase = phrases.get(text);
  if (!phrase) {
    // Label phrases are few and asked for on every scored answer: each is cut once.
    if (phrases.size >= MAX_PHRASES) phrases.clear();
    phrase = words(normalize(text)).map(stem);
    phrases.set(text, phrase);
  }
  return phrase;
}

const MAX_PHRASES = 10_000;
const phrases = new Map<string, readonly string[]>();

/**
 * Whether the words `sentence[start, start + length)` are negated by their neighbours (see the
 * module doc). `sentence` holds stemmed words, as {@link sentenceWords} gives them.
 *
 * @example
 * ```ts
 * isNegated(["no", "people"], 1, 1); // true
 * ```
 */
export function isNegated(sentence: readonly string[], start: number, length: number): boolean {
  for (let index = start - 1; index >= Math.max(0, start - NEGATION_REACH); index--) {
    const word = sentence[index];
    if (NEGATIONS.has(word)) return true;
    if (NEGATIONS_WITH_OF.has(word) && sentence[index + 1] === "of") return true;
    if (SCOPE_BREAKS.has(word)) break;
  }
  const after = sentence.slice(start + length, start + length + NEGATION_REACH_AFTER);
  return after.some((word) => NEGATIONS_AFTER.has(word));
}

/** One word as matching sees it (normalized, stemmed), with the characters it came from. */
export interface PlacedWord {
  word: string;
  /** Offsets in the original text: `text.slice(start, end)` is what the word was read from. */
  start: number;
  end: number;
}

/**
 * The text cut the way matching cuts it — sentences of normalized, stemmed words — but keeping
 * where each word came from, so a page can mark the exact characters a label matched.
 * `"isn't"` gives two words (`is`, `not`) with the same range.
 *
 * @example
 * ```ts
 * sentenceWords("Two cats. No dog")[1]; // [{ word: "no", start: 10, end: 12 }, { word: "dog", … }]
 * ```
 */
export function sentenceWords(text: string): PlacedWord[][] {
  const result: PlacedWord[][] = [];
  // Same breaks as matching; the break words are lower case there because text is lowered first.
  const breaks = new RegExp(SENTENCE_BREAK.source, "gi");
  let from = 0;
  const cut = (end: number) => {
    const sentence: PlacedWord[] = [];
    for (const token of text.slice(from, end).matchAll(/[\p{L}\p{M}\p{N}'\u2018\u2019`]+/gu)) {
      const start = from + token.index!;
      for (const word of words(normalize(token[0])).map(stem)) {
        sentence.push({ word, start, end: start + token[0].length });
      }
    }
    if (sentence.length > 0) result.push(sentence);
  };
  for (const match of text.matchAll(breaks)) {
    cut(match.index!);
    from = match.index! + match[0].length;
  }
  cut(text.length);
  return result;
}

/** Where a phrase occurs in the text: `"affirmed"` (at least once not negated), `"negated"`, or `"absent"`. */
function occurrence(
  text: ParsedText,
  phrase: readonly string[],
): "affirmed" | "negated" | "absent" {
  if (phrase.length === 0) return "absent";
  const places = text.at.get(phrase[0]);
  if (!places) return "absent";
  let negated = false;
  for (let index = 0; index < places.length; index += 2) {
    const sentence = text.sentences[places[index]];
    const start = places[index + 1];
    if (start + phrase.length > sentence.length) continue;
    let offset = 1;
    while (offset < phrase.length && sentence[start + offset] === phrase[offset]) offset++;
    if (offset < phrase.length) continue;
    if (!isNegated(sentence, start, phrase.length)) return "affirmed";
    negated = true;
  }
  return negated ? "negated" : "absent";
}

/**
 * Whether `text` names `term` (or one of its synonyms) without negating it.
 *
 * @example
 * ```ts
 * mentions("Rows of red chairs.", { term: "chair", synonyms: [] }); // true
 * mentions("An empty hall, no people.", { term: "people", synonyms: [] }); // false
 * ```
 */
export function mentions(text: string, term: LabelTerm): boolean {
  const parsed = parse(text);
  return [term.term, ...term.synonyms].some((phrase) =>
    occurrence(parsed, phraseOf(phrase)) === "affirmed"
  );
}

/** The text a structured answer is scored as: tags and scene, one sentence each. */
export function descriptionText(input: DescriptionInput): string {
  if (typeof input === "string") return input;
  return [...(input.tags ?? []), input.scene ?? ""].filter((part) => part.trim() !== "")
    .join(". ");
}

/**
 * Scores a description against one image's labels.
 *
 * `score = clamp(10 × recall − hallucinationPenalty × hallucinated.length, 0, 10)`, rounded to
 * 2 decimals, where `recall = matched / mustMention.length` and the penalty defaults to 2 points
 * per hallucinated term. Empty text scores 0 (recall 0). `wordsPerMatch = words / matched` (null
 * when nothing matched): two descriptions with the same matches, the longer one is less
 * efficient. Structured answers ({tags, scene}) go through the same function.
 *
 * @example
 * ```ts
 * import { loadLabels } from "./labels.ts";
 * const labels = (await loadLabels()).get("o01_cat")!;
 * scoreDescription("A close-up of a tabby cat with green eyes and long whiskers.", labels).score;
 * scoreDescription({ tags: ["cat", "whiskers"], scene: "animal close-up" }, labels).recall;
 * ```
 */
export function scoreDescription(
  input: DescriptionInput,
  labels: ImageLabels,
  options: ScoreOptions = {},
): QualityScore {
  const { hallucinationPenalty = 2 } = options;
  const text = descriptionText(input);
  const parsed = parse(text);
  const wordCount = parsed.words;
  const named = (term: LabelTerm) =>
    occurrence(parsed, phraseOf(term.term)) === "affirmed" ||
    term.synonyms.some((phrase) => occurrence(parsed, phraseOf(phrase)) === "affirmed");
  const matched = labels.mustMention.filter(named).map((item) => item.term);
  const missed = labels.mustMention.filter((item) => !matched.includes(item.term))
    .map((item) => item.term);
  const hallucinated = labels.mustNotMention.filter(named).map((item) => item.term);
  const recall = labels.mustMention.length === 0 ? 0 : matched.length / labels.mustMention.length;
  const raw = 10 * recall - hallucinationPenalty * hallucinated.length;
  const score = wordCount === 0 ? 0 : Math.round(Math.min(10, Math.max(0, raw)) * 100) / 100;
  return {
    recall,
    matched,
    missed,
    hallucinated,
    score,
    words: wordCount,
    wordsPerMatch: matched.length === 0 ? null : wordCount / matched.length,
  };
}

/**
 * What of a record is scored: its structured answer when it has `tags` or `scene`, else its text.
 * Undefined for error records (they have no description to score).
 */
export function recordDescription(record: ResultRecord): DescriptionInput | undefined {
  if (record.status !== "ok") return undefined;
  const structured = asStructured(record.structured);
  if (structured && (structured.tags !== undefined || structured.scene !== undefined)) {
    return structured;
  }
  return record.text;
}

/** The structured answer's fields when they have the right types (the record is an edge). */
export function asStructured(value: unknown): StructuredDescription | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const object = value as Record<string, unknown>;
  const tags = Array.isArray(object.tags) && object.tags.every((tag) => typeof tag === "string")
    ? object.tags as string[]
    : undefined;
  const scene = typeof object.scene === "string" ? object.scene : undefined;
  const isEventVenue = typeof object.isEventVenue === "boolean" ? object.isEventVenue : undefined;
  if (tags === undefined && scene === undefined && isEventVenue === undefined) return undefined;
  return { tags, scene, isEventVenue };
}

/** Result of {@link venueAccuracy}. */
export interface VenueAccuracy {
  /** Records answered for a labelled image. */
  total: number;
  correct: number;
  /** correct / total; null when no record answered the question. */
  accuracy: number | null;
  /** Venue answered venue / non-venue answered non-venue / and the two mistakes. */
  truePositive: number;
  trueNegative: number;
  falsePositive: number;
  falseNegative: number;
  wrong: { recordId: string; imageId: string; expected: boolean; answered: boolean }[];
}

/**
 * How often `structured.isEventVenue` agrees with the labels (the outlier question). Records
 * without a boolean answer, error records and unlabelled images are left out.
 *
 * @example
 * ```ts
 * import { loadLabels } from "./labels.ts";
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const records: ResultRecord[];
 * venueAccuracy(records.filter((r) => r.platform === "openai"), await loadLabels()).accuracy;
 * ```
 */
export function venueAccuracy(
  records: readonly ResultRecord[],
  labels: LabelSet,
): VenueAccuracy {
  const result: VenueAccuracy = {
    total: 0,
    correct: 0,
    accuracy: null,
    truePositive: 0,
    trueNegative: 0,
    falsePositive: 0,
    falseNegative: 0,
    wrong: [],
  };
  for (const record of records) {
    const expected = labels.get(record.imageId)?.isEventVenue;
    const answered = record.status === "ok"
      ? asStructured(record.structured)?.isEventVenue
      : undefined;
    if (expected === undefined || answered === undefined) continue;
    result.total++;
    if (expected === answered) {
      result.correct++;
      if (expected) result.truePositive++;
      else result.trueNegative++;
    } else {
      if (answered) result.falsePositive++;
      else result.falseNegative++;
      result.wrong.push({ recordId: record.recordId, imageId: record.imageId, expected, answered });
    }
  }
  result.accuracy = result.total === 0 ? null : result.correct / result.total;
  return result;
}

const STOPWORDS = new Set(
  ("the a an and or of in on at to with for from by into onto over under near behind above below " +
    "is are was were be been being it its this that these those there here their they them he she " +
    "his her as which who whom whose what where when while some any each every both all more most " +
    "other such very can could may might also appear appears seems image photo picture photograph " +
    "shows showing shown depicts depicting features featuring visible scene view has have having " +
    "one two three several many few small large big")
    .split(" ").map(stem),
);

/**
 * The content words of a description (stemmed, stop words and words under 3 letters dropped):
 * what raw keyword agreement compares.
 *
 * @example
 * ```ts
 * keywords("Two red chairs in a hall."); // Set { "red", "chair", "hall" }
 * ```
 */
export function keywords(input: DescriptionInput): Set<string> {
  return new Set(
    words(normalize(descriptionText(input))).map(stem)
      .filter((word) => word.length >= 3 && !STOPWORDS.has(word)),
  );
}
