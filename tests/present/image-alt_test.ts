import assert from "node:assert/strict";
import { buildDescriptionReview } from "../../lib/quality/description-review.ts";
import { loadLabels } from "../../lib/quality/labels.ts";
import { imageAlts, referenceDescription } from "../../lib/present/image-alt.ts";
import { resultRecord } from "../support/result-record.ts";
import { type ResultRecord, ResultRecordSchema } from "../../lib/contract/record.ts";

const labels = await loadLabels();

function described(platform: string, imageId: string, text: string): ResultRecord {
  return ResultRecordSchema.parse(resultRecord({
    recordId: `${platform}-${imageId}`,
    caseKey: `${platform}|${imageId}|original|default|0`,
    platform,
    model: "m",
    preset: platform,
    imageId,
    text,
  }));
}

Deno.test("referenceDescription() puts the scene and the labelled things in a sentence", () => {
  assert.equal(
    referenceDescription({
      scene: "animal close-up",
      isEventVenue: false,
      mustMention: ["cat", "whiskers", "fur", "green eyes"].map((term) => ({ term, synonyms: [] })),
      mustNotMention: [],
      visibleText: ["EXIT"],
    }),
    "Animal close-up: cat, whiskers, fur and green eyes. Text: “EXIT”.",
  );
});

Deno.test("imageAlts() gives a labelled image its reference description, an unlabelled one the best-scoring platform's, marked", () => {
  const long = "A shelf of books. " + "It goes on. ".repeat(40);
  const review = buildDescriptionReview([
    described(
      "good",
      "o01_cat",
      "A tabby cat with green eyes, whiskers, a pink nose, ears and fur.",
    ),
    described("poor", "o01_cat", "An image."),
    described("good", "mystery", long),
    described("poor", "mystery", "Something."),
  ], labels);
  const alts = imageAlts(review);
  assert.equal(alts.get("o01_cat"), referenceDescription(labels.get("o01_cat")!));
  const alt = alts.get("mystery")!;
  assert.match(alt, /^Described by good · m, the best-scoring platform \(no reference labels\): /);
  assert.ok(alt.endsWith("…") && !alt.includes(long.trim()), "the quote is cut, not verbatim");
  assert.doesNotMatch(alt, /mystery|o01_cat/);
});
