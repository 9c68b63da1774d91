import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { type ImageLabels, type LabelSet, loadLabels } from "../../lib/quality/labels.ts";
import { scoreDescription } from "../../lib/quality/score.ts";
import { scoreTexts } from "../../lib/quality/term-match.ts";
import { countTerms, FAILED, sharedCounts } from "../../lib/quality/term-scan.ts";
import type { CountRequest } from "../../lib/quality/term-count-worker.ts";
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

function expected(set: LabelSet, imageId: string, text: string) {
  const image = set.get(imageId);
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

function assertSame(imageIds: string[], texts: (string | null)[], set: LabelSet = labels) {
  const frame = scoreTexts(
    pl.DataFrame({ imageId: imageIds, text: texts }, {
      schema: { imageId: pl.Utf8, text: pl.Utf8 },
    }),
    set,
    { chunkRows: 97 },
  );
  assert.equal(frame.height, texts.length);
  const rows = frame.toRecords();
  texts.forEach((text, index) => {
    const want = text === null ? null : expected(set, imageIds[index], text);
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

/** Words and separators that walk every branch of the reader, mixed at random. */
function fuzzTexts(
  image: ImageLabels,
  count: number,
  random: () => number,
): string[] {
  const labelWords = [...image.mustMention, ...image.mustNotMention]
    .flatMap((item) => [item.term, ...item.synonyms]).flatMap((phrase) => phrase.split(/\s+/));
  const forms = (word: string) => [
    word,
    `${word}s`,
    `${word}es`,
    word.replace(/y$/, "ies"),
    word.toUpperCase(),
    `${word[0].toUpperCase()}${word.slice(1)}`,
    `${word}'s`,
    `${word}’s`,
  ];
  const words = [
    ...labelWords.flatMap(forms),
    ...["no", "not", "without", "none", "nothing", "lack", "lacks", "devoid", "zero", "never"],
    ...["empty", "free", "void", "of", "with", "just", "only", "there", "is", "are", "has"],
    ...["absent", "missing", "nowhere", "but", "however", "although", "though", "whereas"],
    ...["while", "yet", "But", "YET", "butter", "yeti", "a", "the", "isn't", "don't", "n't"],
    ...["'s", "cat's", "ﬁne", "café", "CAFÉ", "naïve", "𝐀pple", "😀", "İstanbul", "ß", "m²"],
    ...["3.5", "x", "buses", "boxes", "churches", "glasses", "lilies", "ties", "gas", "bus"],
  ];
  const separators = [" ", " ", " ", "  ", "\n", "\n\n", "\t", "\u00a0", ", ", ". ", "! "];
  separators.push(
    "?",
    ";",
    "...",
    " — ",
    "’",
    "‘",
    "`",
    "'",
    "-",
    ".",
    " .",
    "\r\n",
    ".\n",
    "\ufeff",
  );
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  return Array.from({ length: count }, () => {
    let text = "";
    const length = Math.floor(random() * 30);
    for (let index = 0; index < length; index++) text += pick(words) + pick(separators);
    return random() < 0.5 ? text.trimEnd() : text;
  });
}

/** Labels whose words sit on the edges of the plural rule (stems of 2–4 letters, -ies, -ches). */
const STEM_EDGES: ImageLabels = {
  scene: "word list",
  isEventVenue: false,
  mustMention: ["ty", "tie", "bu", "bus", "ga", "gas", "lily", "box", "church", "glass"]
    .map((term) => ({ term, synonyms: [] })),
  mustNotMention: ["cla", "class", "thi", "this", "ye", "ax", "cactu", "cactus", "ha", "has"]
    .map((term) => ({ term, synonyms: [`${term} of`] })),
};

Deno.test("scoreTexts() agrees with scoreDescription() on 8,000 generated texts", () => {
  const random = seededRandom(23);
  const set: LabelSet = new Map([...labels, ["stem-edges", STEM_EDGES]]);
  const imageIds: string[] = [];
  const texts: string[] = [];
  for (const [imageId, image] of set) {
    const count = imageId === "stem-edges" ? 2_000 : Math.ceil(6_000 / ids.length);
    for (const text of fuzzTexts(image, count, random)) {
      imageIds.push(imageId);
      texts.push(text);
    }
  }
  assertSame(imageIds, texts, set);
});

Deno.test("scoreTexts() gives the same scores when a worker counts half the rows", () => {
  const random = seededRandom(5);
  const imageIds = Array.from({ length: 3_000 }, (_, index) => ids[index % ids.length]);
  const texts = imageIds.map((imageId, index) =>
    index % 17 === 0 ? null : fuzzTexts(labels.get(imageId)!, 1, random)[0]
  );
  const frame = pl.DataFrame({ imageId: imageIds, text: texts }, {
    schema: { imageId: pl.Utf8, text: pl.Utf8 },
  });
  const alone = scoreTexts(frame, labels, { terms: false, parallelRows: Infinity });
  const shared = scoreTexts(frame, labels, { terms: false, parallelRows: 1, chunkRows: 400 });
  assert.deepEqual(shared.toRecords(), alone.toRecords());
  assert.equal(alone.getColumn("score").nullCount(), texts.filter((text) => text === null).length);
});

/** A term-count worker and the shared counts of `rows` rows it writes into. */
function countWorker(rows: number) {
  const shared = new SharedArrayBuffer(4 * (1 + 3 * rows));
  const worker = new Worker(
    new URL("../../lib/quality/term-count-worker.ts", import.meta.url),
    { type: "module" },
  );
  return { shared, worker, ...sharedCounts(shared, rows) };
}

Deno.test("the term-count worker writes countTerms()' counts into the shared buffer", async () => {
  const texts = ["A tabby cat with green eyes.", null, "No cat here, just a dog.", "Cats!"];
  const labelIndex = Int32Array.of(0, 0, 0, -1);
  const rows = 2 + texts.length;
  const { shared, status, counts, worker } = countWorker(rows);
  try {
    const request: CountRequest = { texts, labelIndex, labels: [...labels], shared, rows, at: 2 };
    worker.postMessage(request);
    while (Atomics.load(status, 0) !== 1) {
      await (Atomics.waitAsync(status, 0, Atomics.load(status, 0), 10_000).value);
    }
  } finally {
    worker.terminate();
  }
  const expected = {
    matched: new Int32Array(rows),
    hallucinated: new Int32Array(rows),
    words: new Int32Array(rows),
  };
  countTerms(texts, labelIndex, labels, expected, 2);
  assert.deepEqual([...counts.words], [...expected.words]);
  assert.deepEqual([...counts.matched], [...expected.matched]);
  assert.deepEqual([...counts.hallucinated], [...expected.hallucinated]);
  assert.deepEqual([...counts.words.subarray(2)], [
    scoreDescription(texts[0]!, labels.get(ids[0])!).words,
    0, // a null text reads as empty; scoreTexts() leaves unscored rows out by their position
    scoreDescription(texts[2]!, labels.get(ids[0])!).words,
    -1, // no labels
  ]);
});

Deno.test("the term-count worker sets FAILED when counting throws (the caller then counts)", async () => {
  const rows = 2;
  const { shared, status, counts, worker } = countWorker(rows);
  try {
    // No labels on the first chunk: the worker cannot build a matcher.
    const broken = { texts: ["A cat."], labelIndex: Int32Array.of(0), shared, rows, at: 0 };
    worker.postMessage(broken satisfies CountRequest);
    await Atomics.waitAsync(status, 0, 0, 10_000).value;
    assert.equal(Atomics.load(status, 0), FAILED);
    assert.deepEqual([...counts.words], [0, 0]);
  } finally {
    worker.terminate();
  }
});
