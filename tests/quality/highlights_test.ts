import assert from "node:assert/strict";
import { termSpans } from "../../lib/quality/highlights.ts";
import { type ImageLabels, loadLabels } from "../../lib/quality/labels.ts";
import { scoreDescription, sentenceWords } from "../../lib/quality/score.ts";
import { highlighted } from "../../lib/present/browser/markup.ts";

const labels = await loadLabels();
const opera = labels.get("v02_opera_stage")!;
const cat = labels.get("o01_cat")!;

const slices = (text: string, image: ImageLabels) =>
  termSpans(text, image).map((span) => [text.slice(span.start, span.end), span.kind, span.term]);

Deno.test("termSpans() marks named, hallucinated and negated terms at their exact characters", () => {
  const text =
    "An empty stage; an audience claps. There is no orchestra. A man in red isn't kneeling.";
  assert.deepEqual(slices(text, opera), [
    ["stage", "named", "stage"],
    ["audience", "hallucinated", "audience"],
    ["orchestra", "negated", "orchestra"],
    ["man in red", "negated", "man in red"],
    ["kneeling", "negated", "kneeling"],
  ]);
});

Deno.test("termSpans() finds plurals, synonyms, accents and case like the scorer", () => {
  const text = "CATS everywhere: a striped Kitten's whiskers; Green-eyes? Yes, GREEN EYES.";
  assert.deepEqual(slices(text, cat), [
    ["CATS", "named", "cat"],
    ["striped", "named", "tabby"],
    ["Kitten's", "named", "cat"],
    ["whiskers", "named", "whiskers"],
    ["Green-eyes", "named", "green eyes"],
    ["GREEN EYES", "named", "green eyes"],
  ]);
});

Deno.test("termSpans() agrees with scoreDescription() on what was named and hallucinated", () => {
  const texts = [
    "A tabby cat with green eyes, long whiskers and a pink nose; no dog, no collar.",
    "A puppy and a person play with a toy; the cat's ears are up, its fur soft.",
    "Without any doubt, a tabby cat. A close-up portrait, the background blurred.",
    "Roman actors in costumes and masks kneel on a stage before an audience with swords.",
    "Hooded figures, a man in red and a woman in a purple dress; no orchestra but a microphone.",
  ];
  for (const image of [cat, opera]) {
    for (const text of texts) {
      const score = scoreDescription(text, image);
      const spans = termSpans(text, image);
      const terms = (kind: string) =>
        [...new Set(spans.filter((span) => span.kind === kind).map((span) => span.term))].sort();
      assert.deepEqual(terms("named"), [...score.matched].sort(), text);
      assert.deepEqual(terms("hallucinated"), [...score.hallucinated].sort(), text);
    }
  }
});

Deno.test("sentenceWords() keeps the original offsets of normalized words", () => {
  const text = "Château's towers. But isn't it";
  const sentences = sentenceWords(text);
  assert.deepEqual(
    sentences.map((sentence) =>
      sentence.map((word) => [word.word, text.slice(word.start, word.end)])
    ),
    [[["chateau", "Château's"], ["tower", "towers"]], [["is", "isn't"], ["not", "isn't"], [
      "it",
      "it",
    ]]],
  );
});

Deno.test("highlighted() escapes model markup and wraps only our own <mark>", () => {
  const text = `<img src=x onerror=alert(1)> a "tabby" cat & co`;
  const html = highlighted(text, termSpans(text, cat)).html;
  assert.equal(
    html,
    `&lt;img src=x onerror=alert(1)&gt; a &quot;<mark class="vb-named" ` +
      `title="labelled, named: tabby">tabby</mark>&quot; <mark class="vb-named" ` +
      `title="labelled, named: cat">cat</mark> &amp; co`,
  );
});
