/**
 * The word lists and reaches of the matching rules (lib/quality/score.ts module doc), shared by
 * the per-text scorer and the column scorer (term-match.ts) so the two cannot drift.
 *
 * @module
 */
export const NEGATIONS = new Set([
  "no",
  "not",
  "without",
  "none",
  "nobody",
  "nothing",
  "never",
  "neither",
  "nor",
  "absent",
  "lacking",
  "lack",
  "zero",
  "devoid",
]);
/** Negate only when followed by "of": "empty of people" yes, "empty chairs" no. */
export const NEGATIONS_WITH_OF = new Set(["empty", "free", "void"]);
/** Words that end the reach of a negation looking backwards ("no people, just a dog"). */
export const SCOPE_BREAKS = new Set([
  "with",
  "just",
  "only",
  "except",
  "there",
  "is",
  "are",
  "has",
  "have",
  "featuring",
  "showing",
  "show",
  "contain",
]);
export const NEGATIONS_AFTER = new Set(["absent", "missing", "nowhere", "not"]);
export const NEGATION_REACH = 6;
export const NEGATION_REACH_AFTER = 3;
export const SENTENCE_BREAK =
  /[.!?;]+(?=\s|$)|\n+|\s(?:but|however|although|though|whereas|while|yet)(?=\s|$)/g;
