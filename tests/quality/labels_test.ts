import assert from "node:assert/strict";
import { VisionBenchError } from "../../lib/contract/errors.ts";
import { loadImageSet } from "../../lib/images/image-set.ts";
import { loadLabels, parseLabels } from "../../lib/quality/labels.ts";
import { mentions } from "../../lib/quality/score.ts";

const labels = await loadLabels();

Deno.test("data/labels.json labels every sample image with 4–10 mustMention items", async () => {
  const images = await loadImageSet("images");
  assert.equal(images.length, 33);
  for (const image of images) {
    const entry = labels.get(image.id);
    assert.ok(entry, `no labels for ${image.id}`);
    assert.ok(entry.mustMention.length >= 4 && entry.mustMention.length <= 10, image.id);
    assert.ok(entry.mustNotMention.length >= 1, `${image.id} has no plausible hallucinations`);
  }
  assert.equal(labels.size, 33, "labels for images that do not exist");
});

Deno.test("outliers are not event venues; the venue-like set is, except where the photo says otherwise", () => {
  for (const [id, entry] of labels) {
    if (id.startsWith("o")) assert.equal(entry.isEventVenue, false, id);
  }
  const venues = [...labels].filter(([id, entry]) => id.startsWith("v") && entry.isEventVenue);
  assert.ok(venues.length >= 18, `only ${venues.length} venues`);
  // The two exceptions say why.
  for (const id of ["v20_shack_field_bw", "v21_forest_stream"]) {
    assert.equal(labels.get(id)!.isEventVenue, false);
    assert.ok(labels.get(id)!.note);
  }
});

Deno.test("no image's mustMention text counts as one of its own hallucinations", () => {
  // A term and a hallucination that overlap would penalize every correct description.
  for (const [id, entry] of labels) {
    for (const wanted of entry.mustMention) {
      for (const phrase of [wanted.term, ...wanted.synonyms]) {
        for (const unwanted of entry.mustNotMention) {
          assert.ok(!mentions(phrase, unwanted), `${id}: "${phrase}" counts as "${unwanted.term}"`);
        }
      }
    }
  }
});

Deno.test("loadLabels() of a folder without labels returns an empty map", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const empty = await loadLabels(`${dir}/labels.json`);
    assert.equal(empty.size, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseLabels() rejects bad entries with a config error naming the field", () => {
  const good = {
    scene: "concert hall",
    isEventVenue: true,
    mustMention: ["a", "b", "c", "d"].map((term) => ({ term, synonyms: [] })),
    mustNotMention: [],
  };
  const bad: [string, unknown][] = [
    ["too few mustMention", { ...good, mustMention: good.mustMention.slice(0, 3) }],
    ["too many mustMention", {
      ...good,
      mustMention: Array.from({ length: 11 }, (_, i) => ({ term: `t${i}`, synonyms: [] })),
    }],
    ["empty term", { ...good, mustMention: [...good.mustMention, { term: " ", synonyms: [] }] }],
    ["isEventVenue not boolean", { ...good, isEventVenue: "yes" }],
    ["unknown field", { ...good, mustMentoin: [] }],
    ["duplicate term", { ...good, mustMention: [...good.mustMention, { term: "A" }] }],
  ];
  for (const [why, entry] of bad) {
    assert.throws(
      () => parseLabels({ version: 1, images: { v01: entry } }),
      (error: unknown) =>
        error instanceof VisionBenchError && error.kind === "config" &&
        error.message.includes("v01"),
      why,
    );
  }
  assert.equal(
    parseLabels({ version: 1, images: { v01: good } }).get("v01")?.scene,
    "concert hall",
  );
  assert.throws(() => parseLabels({ version: 2, images: {} }), VisionBenchError);
});

Deno.test("loadLabels() reports a file that is not JSON as a config error", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, "{ not json");
    await assert.rejects(
      loadLabels(path),
      (error: unknown) => error instanceof VisionBenchError && error.kind === "config",
    );
  } finally {
    await Deno.remove(path);
  }
});
