import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { loadLabels } from "../../lib/quality/labels.ts";
import { scoreDescription } from "../../lib/quality/score.ts";
import { scoreTexts } from "../../lib/quality/term-match.ts";
import { demoDescription, sampleRecords } from "../../scripts/make-sample-records.ts";
import { seededRandom } from "../../lib/analysis/robustness.ts";

const labels = await loadLabels();
const ids = [...labels.keys()];

/** Texts that walk the edges of the rules: negations, breaks, accents, contractions, plurals. */
const EDGES = [
  "No people, just a dog. The chairs aren't empty; there are no chairs.",
  "An empty hall but however a stage.\nbut chairs isn’t visible",
  "Château with cafés… Stages! Orchestras? Boxes, churches, glasses; buses and lilies.",
  "People are not visible. People missing here, a conductor nowhere to be seen.",
  "Devoid of musicians; empty of people — empty chairs. Free of audience.",
  "A cat without whiskers, green eyes, a tabby’s fur and the cat's paws.",
  "",
  "   ",
  "Zero violins with only cellos. Lacking a conductor, there is timpani.",
  "ﬁne m² Ångström naïve CAFÉ",
];

function expected(imageId: string, text: string) {
  const image = labels.get(imageId);
  if (!image) return null;
  const score = scoreDescription(text, image);
  return {
    recall: score.recall,
    score: score.score,
    hallucinations: score.hallucinated.length,
    descriptionWords: score.words,
    wordsPerMatch: score.wordsPerMatch,
    matchedTerms: score.matched.join(", "),
    missedTerms: score.missed.join(", "),
    hallucinatedTerms: score.hallucinated.join(", "),
  };
}

function assertSame(imageIds: string[], texts: (string | null)[]) {
  const frame = scoreTexts(
    pl.DataFrame({ imageId: imageIds, text: texts }, {
      schema: { imageId: pl.Utf8, text: pl.Utf8 },
    }),
    labels,
    { chunkRows: 97 },
  );
  assert.equal(frame.height, texts.length);
  const rows = frame.toRecords();
  texts.forEach((text, index) => {
    const want = text === null ? null : expected(imageIds[index], text);
    const got = want === null
      ? rows[index].score
      : Object.fromEntries(Object.keys(want).map((key) => [key, rows[index][key]]));
    assert.deepEqual(got, want === null ? null : want, `row ${index}: ${text}`);
  });
}

Deno.test("scoreTexts() scores the sample run's descriptions as scoreDescription() does", () => {
  const records = sampleRecords();
  assertSame(
    records.map((record) => record.imageId),
    records.map((record) => record.status === "ok" ? record.text : null),
  );
});

Deno.test("scoreTexts() agrees with scoreDescription() on demo descriptions and edge cases", () => {
  const random = seededRandom(7);
  const imageIds: string[] = [];
  const texts: (string | null)[] = [];
  for (let index = 0; index < 600; index++) {
    const imageId = ids[index % ids.length];
    imageIds.push(imageId);
    texts.push(
      demoDescription(labels.get(imageId), {
        random,
        recall: 0.7,
        hallucinationRate: 0.3,
        verbosity: 2,
      }),
    );
  }
  for (const imageId of ids) {
    for (const text of EDGES) {
      imageIds.push(imageId);
      texts.push(text);
    }
    imageIds.push(imageId);
    texts.push(
      labels.get(imageId)!.mustMention.concat(labels.get(imageId)!.mustNotMention)
        .flatMap((term) => [term.term, ...term.synonyms]).join(" and no ") + ".",
    );
  }
  imageIds.push("not-labelled");
  texts.push("A cat.");
  imageIds.push(ids[0]);
  texts.push(null);
  assertSame(imageIds, texts);
});
