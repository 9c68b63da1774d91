/**
 * Where in a description the labelled things are: the character ranges that named a
 * `mustMention` item, claimed a `mustNotMention` item (a hallucination), or mentioned either
 * only to negate it. Found by the same words, stems, sentences and negation rules as
 * {@link scoreDescription}, so a highlighted word is exactly a word the score counted.
 *
 * @module
 */
import type { ImageLabels, LabelTerm } from "./labels.ts";
import { isNegated, phraseOf, type PlacedWord, sentenceWords } from "./score.ts";

/** What a highlighted range did for the score. */
export type TermSpanKind = "named" | "hallucinated" | "negated";

/** One highlighted range of a description. */
export interface TermSpan {
  /** `text.slice(start, end)` is the highlighted text. */
  start: number;
  end: number;
  /** The label term (not the synonym that matched). */
  term: string;
  /** `named`: a mustMention item; `hallucinated`: a mustNotMention item; `negated`: either, negated. */
  kind: TermSpanKind;
}

/**
 * The labelled terms a description mentions, as non-overlapping character ranges in text order.
 * Where two terms overlap, the longer range wins (a hallucination over a named item of the same
 * length: a made-up claim matters more).
 *
 * @example
 * ```ts
 * import { loadLabels } from "./labels.ts";
 * const labels = (await loadLabels()).get("v02_opera_stage")!;
 * termSpans("An empty stage; an audience claps.", labels);
 * // [{ start: 9, end: 14, term: "stage", kind: "named" },
 * //  { start: 19, end: 27, term: "audience", kind: "hallucinated" }]
 * ```
 */
export function termSpans(text: string, labels: ImageLabels): TermSpan[] {
  const sentences = sentenceWords(text);
  const found = [
    ...findTerms(sentences, labels.mustMention, "named"),
    ...findTerms(sentences, labels.mustNotMention, "hallucinated"),
  ];
  const rank = (span: TermSpan) => (span.end - span.start) * 4 + KIND_RANK[span.kind];
  const chosen: TermSpan[] = [];
  for (const span of found.sort((a, b) => rank(b) - rank(a))) {
    if (chosen.every((other) => span.end <= other.start || span.start >= other.end)) {
      chosen.push(span);
    }
  }
  return chosen.sort((a, b) => a.start - b.start);
}

const KIND_RANK: Record<TermSpanKind, number> = { hallucinated: 2, named: 1, negated: 0 };

function findTerms(
  sentences: PlacedWord[][],
  terms: readonly LabelTerm[],
  kind: "named" | "hallucinated",
): TermSpan[] {
  const spans: TermSpan[] = [];
  for (const item of terms) {
    for (const phrase of [item.term, ...item.synonyms].map(phraseOf)) {
      if (phrase.length === 0) continue;
      for (const sentence of sentences) {
        const words = sentence.map((placed) => placed.word);
        for (let start = 0; start + phrase.length <= words.length; start++) {
          if (!phrase.every((word, offset) => words[start + offset] === word)) continue;
          spans.push({
            start: sentence[start].start,
            end: sentence[start + phrase.length - 1].end,
            term: item.term,
            kind: isNegated(words, start, phrase.length) ? "negated" : kind,
          });
        }
      }
    }
  }
  return spans;
}
