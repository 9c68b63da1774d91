import assert from "node:assert/strict";
import { loadConfig } from "../../lib/platforms/config.ts";
import { recordsToFrame } from "../../lib/analysis/frames.ts";
import { loadImageSet } from "../../lib/images/image-set.ts";
import { loadLabels } from "../../lib/quality/labels.ts";
import { repoPath } from "../../lib/util/paths.ts";
import { joinQuality, qualitySummary } from "../../lib/quality/quality-frame.ts";
import { agreementTable, qualityNote, ratingsSummary } from "../../lib/present/quality-sections.ts";
import { judgeSection, judgeTarget } from "../../lib/app/judge-section.ts";
import { ratingsByGroup } from "../../lib/quality/rating-stats.ts";
import { addRating, readRatings } from "../../lib/quality/ratings.ts";
import type { ResultRecord } from "../../lib/contract/record.ts";
import { readRun, readRuns } from "../../lib/run/run-store.ts";
import { summarize } from "../../lib/analysis/summary.ts";
import { EMULATOR_OPENAI_KEY, startOpenAIEmulator } from "../../emulators/openai.ts";
import { FIXTURE_RATINGS, writeRatedRun } from "../app/report-fixture.ts";

/** A results folder holding the fixture's three rated descriptions; removed after `body`. */
async function withRatedRun(
  body: (outDir: string, records: ResultRecord[]) => Promise<void>,
): Promise<void> {
  const outDir = await Deno.makeTempDir({ prefix: "visionbench-quality-report-" });
  try {
    await body(outDir, await writeRatedRun(outDir));
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
}

Deno.test("ratingsSummary() says there are not enough ratings under 3, and correlates from 3", async () => {
  await withRatedRun(async (outDir, records) => {
    const labels = await loadLabels();
    const { ratings } = await readRatings(`${outDir}/ratings/ratings.jsonl`);
    const two = ratingsSummary(records, ratings.slice(0, 2), labels).html;
    assert.match(two, /2 rated descriptions · mean rating 7\.5 \/ 10 · not enough ratings yet/);
    assert.doesNotMatch(two, /Pearson/);
    const three = ratingsSummary(records, ratings, labels).html;
    assert.match(three, /Pearson 1\.00, Spearman 1\.00 \(3 pairs\)/);
    assert.match(ratingsSummary(records, [], labels).html, /No ratings yet/);
  });
});

Deno.test("ratingsSummary() counts only the latest rating of a description rated twice", async () => {
  await withRatedRun(async (outDir, records) => {
    await addRating({ record: records[2], rating: 10 }, {
      path: `${outDir}/ratings/ratings.jsonl`,
    });
    const { ratings } = await readRatings(`${outDir}/ratings/ratings.jsonl`);
    const html = ratingsSummary(records, ratings, await loadLabels()).html;
    // 9, 6, 10 (not 2): the best-scored description is no longer the best rated.
    assert.match(html, /3 rated descriptions · mean rating 8\.3 \/ 10/);
    assert.doesNotMatch(html, /Spearman 1\.00/);
  });
});

Deno.test("ratingsByGroup() joins mean ratings onto a summary, null where nothing is rated", async () => {
  await withRatedRun(async (outDir, records) => {
    const { ratings } = await readRatings(`${outDir}/ratings/ratings.jsonl`);
    const other = { ...records[0], recordId: "unrated", platform: "other", caseKey: "x" };
    const all = [...records, other];
    const summary = joinQuality(summarize(recordsToFrame(all)), ratingsByGroup(all, ratings));
    const rows = summary.toRecords() as Record<string, unknown>[];
    const rated = rows.find((row) => row.platform === "human-check")!;
    assert.equal(rated.ratings, 3);
    assert.equal(rated.meanRating, (9 + 6 + 2) / 3);
    assert.equal(rows.find((row) => row.platform === "other")!.meanRating, null);
    // Also with no ratings at all: the columns exist and are null.
    const empty = joinQuality(summarize(recordsToFrame(all)), ratingsByGroup(all, []));
    assert.ok(empty.columns.includes("meanRating"));
    assert.equal(empty.getColumn("meanRating").nullCount(), empty.height);
  });
});

Deno.test("qualityNote() states the score, recall and hallucination rate of a summary row", async () => {
  await withRatedRun(async (_outDir, records) => {
    const by = ["platform", "model", "variant"];
    const frame = recordsToFrame(records);
    const [row] = joinQuality(
      summarize(frame, { by }),
      qualitySummary(frame, { labels: await loadLabels(), by }),
      { by },
    ).toRecords() as Record<string, unknown>[];
    assert.equal(
      qualityNote(row),
      "mean quality 5.0 / 10 (recall 0.50, hallucinations in 0 % of 3 scored descriptions)",
    );
    assert.match(qualityNote({ meanScore: null }), /no quality score/);
  });
});

Deno.test("agreementTable() has one row per image described by two platforms, else says so", async () => {
  await withRatedRun(async (_outDir, records) => {
    const labels = await loadLabels();
    assert.match(agreementTable(records, labels).html, /No image was described by two or more/);
    const copy = records.map((record) => ({ ...record, platform: "copycat", recordId: "c" }));
    const html = agreementTable([...records, ...copy], labels).html;
    assert.equal(html.match(/<tr>/g)?.length, 1 + records.length); // header + one per image
    // Identical descriptions agree fully on the named items and on the words.
    assert.match(html, /<td>o01_cat<\/td><td[^>]*>2<\/td><td[^>]*>1<\/td><td[^>]*>1<\/td>/);
  });
});

Deno.test("judgeSection() without a judge is one line saying how to enable it, and calls nothing", async () => {
  const html = (await judgeSection({
    records: [],
    images: [],
    labels: new Map(),
    outDir: "/nonexistent",
    runId: "x.judge",
  })).html;
  assert.match(html, /No judge configured: set <code>VB_JUDGE=openai<\/code>/);
});

Deno.test("judgeSection() records judge calls in their own folder and shows rubric beside the automatic score", async () => {
  const emulator = startOpenAIEmulator();
  try {
    await withRatedRun(async (outDir, records) => {
      const config = loadConfig({
        env: { OPENAI_API_KEY: EMULATOR_OPENAI_KEY, OPENAI_BASE_URL: `${emulator.url}/v1` },
        envFile: null,
      });
      assert.equal((await judgeTarget("openai", config)).preset, "openai");
      const html = (await judgeSection({
        judge: "openai",
        records,
        images: await loadImageSet(repoPath("images"), { limit: 3 }),
        labels: await loadLabels(),
        outDir: `${outDir}/judge`,
        runId: "rated.judge",
        config,
      })).html;
      const judged = await readRun(`${outDir}/judge/rated.judge.jsonl`);
      assert.equal(judged.records.length, 3);
      assert.ok(judged.records.every((record) => record.preset === "judge:openai"));
      assert.equal((await readRuns(outDir)).records.length, 3, "judge records leaked");
      assert.match(html, /3 judge calls by <code>openai<\/code>/);
      assert.match(html, /3 descriptions graded · correlation with the automatic score/);
      assert.match(html, /<th>judgeOverall<\/th>.*<th>meanScore<\/th>/);
      assert.ok(!html.includes(EMULATOR_OPENAI_KEY));
    });
  } finally {
    await emulator.close();
  }
});

Deno.test("judgeTarget() names the missing key of an unconfigured judge", async () => {
  await assert.rejects(
    judgeTarget("anthropic", loadConfig({ env: {}, envFile: null })),
    /platform anthropic needs ANTHROPIC_API_KEY/,
  );
});

Deno.test("the fixture's ratings are the ones it documents", async () => {
  await withRatedRun(async (outDir) => {
    const { ratings } = await readRatings(`${outDir}/ratings/ratings.jsonl`);
    assert.deepEqual(ratings.map((rating) => rating.rating), [...FIXTURE_RATINGS]);
  });
});
