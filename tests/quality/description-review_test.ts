import assert from "node:assert/strict";
import { buildDescriptionReview, recallSpread } from "../../lib/quality/description-review.ts";
import type { RepeatSummary } from "../../lib/quality/description-sample.ts";
import { failureGallery } from "../../lib/quality/failures.ts";
import { loadLabels } from "../../lib/quality/labels.ts";
import { readRatingsFolder } from "../../lib/quality/ratings-folder.ts";
import { addRating } from "../../lib/quality/ratings.ts";
import { resultRecord } from "../support/result-record.ts";

const labels = await loadLabels();

Deno.test("buildDescriptionReview() keeps the latest ok record per image, platform and view, else the error", () => {
  const records = [
    resultRecord({
      platform: "a",
      repeat: 0,
      status: "error",
      text: "",
      error: { kind: "timeout", message: "slow" },
    }),
    resultRecord({ platform: "a", repeat: 1, text: "A dog.", createdAt: "2026-11-20T10:00:00Z" }),
    resultRecord({
      platform: "a",
      repeat: 2,
      text: "A tabby cat.",
      createdAt: "2026-11-20T10:01:00Z",
    }),
    resultRecord({
      platform: "b",
      status: "error",
      text: "",
      error: { kind: "rate_limit", message: "429" },
    }),
    resultRecord({ platform: "judge", preset: "judge:openai", text: "{}" }),
  ];
  const review = buildDescriptionReview(records, labels);
  assert.deepEqual(review.series.map((entry) => entry.series), ["a · model-a", "b · model-a"]);
  const [image] = review.images;
  assert.deepEqual(image.descriptions.map((d) => [d.series, d.status, d.text]), [
    ["a · model-a", "ok", "A tabby cat."],
    ["b · model-a", "error", ""],
  ]);
  assert.deepEqual(image.descriptions[1].error, { kind: "rate_limit", message: "429" });
  assert.deepEqual(image.descriptions[0].quality?.matched, ["cat", "tabby"]);
  assert.equal(image.descriptions[1].quality, undefined);
});

Deno.test("buildDescriptionReview() lists views with the original first, and prompts only when several", () => {
  const one = buildDescriptionReview([
    resultRecord({ variant: "512" }),
    resultRecord({ variant: "original" }),
  ], labels);
  assert.deepEqual(one.views.map((view) => [view.id, view.label]), [
    ["original", "original"],
    ["512", "512 px"],
  ]);
  const two = buildDescriptionReview([
    resultRecord({ variant: "512", promptId: "alt" }),
    resultRecord({ variant: "512", promptId: "tags" }),
  ], labels);
  assert.deepEqual(two.views.map((view) => view.label), ["512 px · alt", "512 px · tags"]);
});

Deno.test("buildDescriptionReview() gives each description its own cell's repeat summary: image, platform, model, size and prompt", () => {
  const cell = (overrides: Partial<RepeatSummary>): RepeatSummary => ({
    imageId: "o01_cat",
    platform: "alpha",
    model: "model-a",
    variant: "512",
    promptId: "default",
    records: 1,
    ok: 1,
    minLatencyMs: 900,
    p50LatencyMs: 900,
    maxLatencyMs: 900,
    ...overrides,
  });
  const repeats = [
    cell({ records: 3 }),
    cell({ variant: "original", records: 4 }),
    cell({ model: "model-b", records: 5 }),
    cell({ promptId: "alt", records: 6 }), // no record of it: unused
  ];
  const review = buildDescriptionReview(
    [
      resultRecord({}),
      resultRecord({ variant: "original" }),
      resultRecord({ model: "model-b" }),
      resultRecord({ platform: "beta" }), // no summary of it
    ],
    labels,
    { repeats },
  );
  assert.deepEqual(
    review.images[0].descriptions.map((d) => [d.series, d.view, d.repeats?.records]),
    [
      ["alpha · model-a", "512", 3],
      ["alpha · model-a", "original", 4],
      ["alpha · model-b", "512", 5],
      ["beta · model-a", "512", undefined],
    ],
  );
  assert.equal(
    buildDescriptionReview([resultRecord({})], labels).images[0].descriptions[0].repeats,
    undefined,
  );
});

Deno.test("recallSpread() is max − min over scored descriptions, null under two", () => {
  const review = buildDescriptionReview([
    resultRecord({ platform: "a", text: "A tabby cat with whiskers, green eyes, ears and fur." }),
    resultRecord({ platform: "b", text: "A cat." }),
    resultRecord({ platform: "c", status: "error", text: "" }),
    resultRecord({ platform: "d", imageId: "unlabelled-image", text: "A cat." }),
  ], labels);
  const cat = review.images.find((image) => image.imageId === "o01_cat")!;
  const recalls = cat.descriptions.map((d) => d.quality?.recall);
  assert.equal(recallSpread(cat.descriptions), recalls[0]! - recalls[1]!);
  const unlabelled = review.images.find((image) => image.imageId === "unlabelled-image")!;
  assert.equal(recallSpread(unlabelled.descriptions), null);
});

Deno.test("failureGallery() lists disagreement, hallucination and wrong venue answers, worst first", () => {
  const review = buildDescriptionReview([
    // o01_cat: the platforms disagree and one claims a dog.
    resultRecord({ platform: "a", text: "A tabby cat with whiskers, green eyes, ears and fur." }),
    resultRecord({ platform: "b", text: "A dog." }),
    // o04_pizza: they agree, but b says it is an event venue.
    resultRecord({ platform: "a", imageId: "o04_pizza", text: "A pizza." }),
    resultRecord({
      platform: "b",
      imageId: "o04_pizza",
      text: "",
      structured: { tags: ["pizza"], scene: "food", isEventVenue: true },
    }),
    // o03_espresso: nothing wrong.
    resultRecord({ platform: "a", imageId: "o03_espresso", text: "An espresso." }),
    resultRecord({ platform: "b", imageId: "o03_espresso", text: "An espresso." }),
  ], labels);
  const gallery = failureGallery(review, { disagreementThreshold: 0.5 });
  assert.deepEqual(gallery.map((entry) => entry.imageId), ["o01_cat", "o04_pizza"]);
  assert.deepEqual(gallery[0].reasons.map((reason) => reason.kind), [
    "disagreement",
    "hallucination",
  ]);
  assert.deepEqual(gallery[0].reasons[1], {
    kind: "hallucination",
    series: ["b · model-a"],
    terms: ["dog"],
  });
  assert.deepEqual(gallery[1].reasons, [{
    kind: "venue",
    series: ["b · model-a"],
    expected: false,
  }]);
  assert.deepEqual(
    failureGallery(review, { disagreementThreshold: 1 })[0].reasons[0].kind,
    "hallucination",
  );
});

Deno.test("readRatingsFolder() reads every .jsonl, oldest first, and names the file of a bad line", async () => {
  const folder = await Deno.makeTempDir({ prefix: "visionbench-ratings-folder-" });
  try {
    const record = resultRecord();
    await addRating({ record, rating: 4 }, {
      path: `${folder}/ratings.jsonl`,
      now: new Date("2026-12-01T10:00:00Z"),
    });
    await addRating({ record, rating: 8 }, {
      path: `${folder}/ratings-download.jsonl`,
      now: new Date("2026-11-30T10:00:00Z"),
    });
    await Deno.writeTextFile(`${folder}/ratings-download.jsonl`, "{not json\n", { append: true });
    await Deno.writeTextFile(`${folder}/notes.txt`, "ignored");
    const read = await readRatingsFolder(folder);
    assert.deepEqual(read.ratings.map((rating) => rating.rating), [8, 4]);
    assert.equal(read.files.length, 2);
    assert.equal(read.problems.length, 1);
    assert.equal(read.problems[0].file, `${folder}/ratings-download.jsonl`);
    assert.deepEqual(await readRatingsFolder(`${folder}/missing`), {
      ratings: [],
      files: [],
      problems: [],
    });
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
