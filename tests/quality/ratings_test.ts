import assert from "node:assert/strict";
import { loadImageSet } from "../../lib/images/image-set.ts";
import { loadLabels } from "../../lib/quality/labels.ts";
import { addRating, nextUnrated, readRatings } from "../../lib/quality/ratings.ts";
import { pearson, ranks, ratingsCorrelation } from "../../lib/quality/rating-stats.ts";
import { ratingPrompt } from "../../lib/present/rating-prompt.ts";
import type { ResultRecord } from "../../lib/contract/record.ts";
import { resultRecord } from "../support/result-record.ts";

/** A record of the cat photo whose platform and model names must stay hidden when blind. */
function record(overrides: Partial<ResultRecord> = {}): ResultRecord {
  return resultRecord({
    platform: "secret-platform",
    model: "secret-model",
    preset: "secret-platform",
    ...overrides,
  });
}

async function withRatingsFile(body: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await body(`${dir}/results/ratings/ratings.jsonl`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("addRating() appends validated lines that readRatings() reads back", async () => {
  await withRatingsFile(async (path) => {
    assert.deepEqual(await readRatings(path), { ratings: [], problems: [] });
    const first = record();
    const saved = await addRating({ record: first, rating: 7, note: " misses the eyes " }, {
      path,
      now: new Date("2026-11-26T10:00:00Z"),
    });
    await addRating({ record: record(), rating: 3, blind: false }, { path });
    const { ratings, problems } = await readRatings(path);
    assert.deepEqual(problems, []);
    assert.equal(ratings.length, 2);
    assert.deepEqual(ratings[0], saved);
    assert.equal(ratings[0].recordId, first.recordId);
    assert.equal(ratings[0].note, "misses the eyes");
    assert.equal(ratings[0].blind, true);
    assert.equal(ratings[0].createdAt, "2026-11-26T10:00:00.000Z");
    assert.equal(ratings[1].blind, false);
    assert.equal((await Deno.readTextFile(path)).split("\n").length, 3);
    for (const bad of [0, 11, 7.5]) {
      await assert.rejects(addRating({ record: first, rating: bad }, { path }));
    }
    assert.equal((await readRatings(path)).ratings.length, 2, "a rejected rating was written");
  });
});

Deno.test("readRatings() skips a torn last line and addRating() keeps later lines readable", async () => {
  await withRatingsFile(async (path) => {
    await addRating({ record: record(), rating: 5 }, { path });
    await Deno.writeTextFile(path, '{"ratingId":"x","recordId":"torn', { append: true });
    const torn = await readRatings(path);
    assert.equal(torn.ratings.length, 1);
    assert.deepEqual(torn.problems, [{ line: 2, reason: "not JSON (torn last line)" }]);
    await addRating({ record: record(), rating: 9 }, { path });
    const after = await readRatings(path);
    assert.equal(after.ratings.length, 2);
    assert.equal(after.ratings[1].rating, 9);
    assert.equal(after.problems.length, 1);
    assert.equal(after.problems[0].line, 2);
  });
});

Deno.test("nextUnrated() returns the first ok, unrated, non-judge record", async () => {
  await withRatingsFile(async (path) => {
    const records = [
      record({ status: "error", text: "" }),
      record(),
      record({ preset: "judge:openai", promptId: "judge" }),
      record(),
    ];
    assert.equal(nextUnrated(records, [])?.recordId, records[1].recordId);
    await addRating({ record: records[1], rating: 6 }, { path });
    const { ratings } = await readRatings(path);
    assert.equal(nextUnrated(records, ratings)?.recordId, records[3].recordId);
    await addRating({ record: records[3], rating: 6 }, { path });
    assert.equal(nextUnrated(records, (await readRatings(path)).ratings), undefined);
  });
});

Deno.test("ratingPrompt() shows a thumbnail and the escaped description, hiding the platform when blind", async () => {
  const images = await loadImageSet("images", { limit: 1 });
  const hostile = record({ text: `<script>alert("x")</script> A cat.` });
  const blind = String(await ratingPrompt(hostile, { images, blind: true, thumbnailPx: 64 }));
  assert.match(blind, /<img src="data:image\/jpeg;base64,/);
  assert.ok(blind.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; A cat."));
  assert.ok(!blind.includes("<script>"));
  assert.ok(!blind.includes("secret-platform") && !blind.includes("secret-model"));
  const open = String(await ratingPrompt(hostile, { images, blind: false }));
  assert.ok(open.includes("secret-platform · secret-model"));
  const missing = String(await ratingPrompt(record({ imageId: "nope" }), { images }));
  assert.match(missing, /image nope not found/);
});

Deno.test("ratingsCorrelation() relates human ratings to automatic scores, null under 3 pairs", async () => {
  const labels = await loadLabels();
  const texts = [
    "A photo.",
    "A tabby cat.",
    "A tabby cat with green eyes and whiskers.",
    "A close-up of a tabby cat with green eyes, long whiskers, a pink nose, pointed ears and " +
    "soft fur against a blurred background.",
  ];
  const records = texts.map((text) => record({ text }));
  const ratings = records.map((item, index) => ({
    ratingId: `r${index}`,
    recordId: item.recordId,
    runId: item.runId,
    imageId: item.imageId,
    platform: item.platform,
    model: item.model,
    rating: [2, 4, 6, 9][index],
    blind: true,
    createdAt: "2026-11-26T10:00:00Z",
  }));
  const result = ratingsCorrelation(records, ratings, labels);
  assert.equal(result.pairs, 4);
  assert.equal(result.spearman, 1);
  assert.ok(result.pearson! > 0.9, `${result.pearson}`);
  // The latest rating of a record wins: reversing the best one breaks the perfect order.
  const later = { ...ratings[3], ratingId: "r9", rating: 1 };
  assert.ok(ratingsCorrelation(records, [...ratings, later], labels).spearman! < 1);
  const two = ratingsCorrelation(records.slice(0, 2), ratings, labels);
  assert.deepEqual(two, { pairs: 2, pearson: null, spearman: null });
  assert.equal(ratingsCorrelation(records, ratings, new Map()).pairs, 0);
  assert.deepEqual(ranks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  assert.equal(pearson([1, 1, 1], [1, 2, 3]), null);
});
