/**
 * The quality parts of the report that are more than one call: the optional judge section, the
 * human ratings summary, agreement per image, and a sentence on the quality of one summary row.
 * They keep notebooks/05-quality.ipynb (and 03's pick) to a line or two per cell. Text from
 * records and judges is escaped: only our own markup reaches the page.
 *
 * @module
 */
import { agreementByImage } from "../quality/agreement.ts";
import { formatScore, formatShare, formatUsd } from "../util/format.ts";
import { type HtmlFragment, safeHtml } from "../util/html.ts";
import type { Judgement, JudgeRun } from "../quality/judge.ts";
import type { LabelSet } from "../quality/labels.ts";
import { recordDescription, scoreDescription } from "../quality/score.ts";
import { latestRatings, type Rating } from "../quality/ratings.ts";
import { pearson, ranks, ratingsCorrelation } from "../quality/rating-stats.ts";
import type { ResultRecord } from "../contract/record.ts";
import { summaryTable } from "./tables.ts";

/** Options of {@link judgeSummary}. */
export interface JudgeSummaryOptions {
  /** `preset` or `preset:model` of the judge, as the user named it. */
  judge: string;
  /** What `runJudge` returned. */
  judged: JudgeRun;
  /** The benchmark records that were judged. */
  records: readonly ResultRecord[];
  labels: LabelSet;
}

/** One line on how to enable the optional judge, for reports run without one. */
export function judgeHint(): HtmlFragment {
  return safeHtml`${[
    safeHtml`<p class="visionbench-judge">No judge configured: set <code>VB_JUDGE=openai</code> `,
    safeHtml`(any configured vision preset, e.g. <code>anthropic</code> or `,
    safeHtml`<code>gemini:gemini-2.5-flash</code>) to have it grade each description.</p>`,
  ]}`;
}

/**
 * The judge's rubric beside the automatic score: mean grades per platform, the judge's cost (kept
 * apart from the platforms'), and the correlation of the judge's overall grade with the automatic
 * score. Running the judge is the app's job (lib/app/judge-section.ts); this only shows it.
 *
 * @example
 * ```ts
 * import type { JudgeRun } from "../quality/judge.ts";
 * declare const judged: JudgeRun;
 * declare const records: JudgeSummaryOptions["records"];
 * declare const labels: JudgeSummaryOptions["labels"];
 * judgeSummary({ judge: "openai", judged, records, labels });
 * ```
 */
export function judgeSummary(options: JudgeSummaryOptions): HtmlFragment {
  const { judged } = options;
  const byId = new Map(options.records.map((record) => [record.recordId, record]));
  const graded = judged.judgements.filter((judgement) => judgement.rubric !== null);
  const automatic = graded.map((judgement) =>
    automaticScore(byId.get(judgement.recordId), options.labels)
  );
  const pairs = graded.flatMap((judgement, index) =>
    automatic[index] === null ? [] : [[judgement.rubric!.overall, automatic[index]!]]
  );
  const cost = judged.records.reduce((sum, record) => sum + (record.costUsd ?? 0), 0);
  const failed = judged.judgements.length - graded.length;
  const line = safeHtml`${[
    safeHtml`${judged.records.length} judge calls by <code>${options.judge}</code> `,
    safeHtml`(run <code>${judged.runId}</code>, ${formatUsd(cost)}, kept apart from the `,
    safeHtml`platforms' cost) · ${graded.length} descriptions graded`,
    failed > 0 && safeHtml`, ${failed} not graded`,
    safeHtml` · ${correlationText(pairs)}`,
  ]}`;
  const columns = ["platform", "model", "variant", "judged", "judgeOverall", "judgeCoverage"]
    .concat(["judgeAccuracy", "judgeHallucinations", "meanScore"]);
  const table = summaryTable(judgeRows(graded, automatic), { columns });
  return safeHtml`<div class="visionbench-judge"><p>${line}</p>${table}</div>`;
}

function automaticScore(record: ResultRecord | undefined, labels: LabelSet): number | null {
  const imageLabels = record && labels.get(record.imageId);
  const description = record && recordDescription(record);
  if (!imageLabels || description === undefined) return null;
  return scoreDescription(description, imageLabels).score;
}

function mean(values: readonly (number | null)[]): number | null {
  const present = values.filter((value): value is number => value !== null);
  return present.length ? present.reduce((a, b) => a + b, 0) / present.length : null;
}

/** Mean rubric per platform · model · variant, beside the mean automatic score. */
function judgeRows(graded: Judgement[], automatic: (number | null)[]) {
  const groups = new Map<string, { judgement: Judgement; score: number | null }[]>();
  graded.forEach((judgement, index) => {
    const key = JSON.stringify([judgement.platform, judgement.model, judgement.variant]);
    groups.set(key, [...groups.get(key) ?? [], { judgement, score: automatic[index] }]);
  });
  return [...groups.values()].map((members) => {
    const rubric = (pick: (judgement: Judgement) => number) =>
      mean(members.map((member) => pick(member.judgement)));
    const { platform, model, variant } = members[0].judgement;
    return {
      platform,
      model,
      variant,
      judged: members.length,
      judgeOverall: rubric((judgement) => judgement.rubric!.overall),
      judgeCoverage: rubric((judgement) => judgement.rubric!.coverage),
      judgeAccuracy: rubric((judgement) => judgement.rubric!.accuracy),
      judgeHallucinations: rubric((judgement) => judgement.rubric!.hallucinations.length),
      meanScore: mean(members.map((member) => member.score)),
    };
  }).sort((a, b) =>
    a.platform.localeCompare(b.platform) || a.model.localeCompare(b.model) ||
    a.variant.localeCompare(b.variant)
  );
}

/** "correlation with the automatic score: Pearson …, Spearman … (n pairs)". */
function correlationText(pairs: number[][]): string {
  if (pairs.length < 3) {
    return `not enough pairs yet for a correlation with the automatic score (${pairs.length} of 3)`;
  }
  const first = pairs.map((pair) => pair[0]);
  const second = pairs.map((pair) => pair[1]);
  return formatCorrelation(
    pearson(first, second),
    pearson(ranks(first), ranks(second)),
    pairs.length,
  );
}

function formatCorrelation(
  pearsonR: number | null,
  spearman: number | null,
  pairs: number,
): string {
  const value = (number: number | null) => number === null ? "— (constant)" : number.toFixed(2);
  return `correlation with the automatic score: Pearson ${value(pearsonR)}, ` +
    `Spearman ${value(spearman)} (${pairs} pairs)`;
}

/**
 * The human ratings so far: how many, their mean, their correlation with the automatic score
 * ("not enough ratings yet" under 3 pairs), and per platform the mean rating beside the mean
 * automatic score of the same descriptions.
 *
 * @example
 * ```ts
 * import type { LabelSet } from "../quality/labels.ts";
 * import { readRatings } from "../quality/ratings.ts";
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const labels: LabelSet;
 * declare const records: ResultRecord[];
 * ratingsSummary(records, (await readRatings("results/ratings/ratings.jsonl")).ratings, labels);
 * ```
 */
export function ratingsSummary(
  records: readonly ResultRecord[],
  ratings: readonly Rating[],
  labels: LabelSet,
): HtmlFragment {
  const latest = latestRatings(ratings);
  const rated = records.filter((record) => latest.has(record.recordId));
  if (rated.length === 0) {
    return safeHtml`${[
      safeHtml`<p class="visionbench-ratings">No ratings yet for these descriptions: not enough `,
      safeHtml`ratings yet for a correlation with the automatic score.</p>`,
    ]}`;
  }
  const correlation = ratingsCorrelation(rated, ratings, labels);
  const meanRating = mean(rated.map((record) => latest.get(record.recordId)!.rating))!;
  const correlationText = correlation.pairs < 3
    ? `not enough ratings yet for a correlation with the automatic score (${correlation.pairs} of 3)`
    : formatCorrelation(correlation.pearson, correlation.spearman, correlation.pairs);
  const groups = new Map<string, ResultRecord[]>();
  for (const record of rated) {
    const key = JSON.stringify([record.platform, record.model]);
    groups.set(key, [...groups.get(key) ?? [], record]);
  }
  const rows = [...groups.values()].map((members) => ({
    platform: members[0].platform,
    model: members[0].model,
    ratings: members.length,
    meanRating: mean(members.map((record) => latest.get(record.recordId)!.rating)),
    meanScore: mean(members.map((record) => automaticScore(record, labels))),
  })).sort((a, b) => a.platform.localeCompare(b.platform) || a.model.localeCompare(b.model));
  return safeHtml`${[
    safeHtml`<div class="visionbench-ratings"><p>${rated.length} rated descriptions · mean rating `,
    safeHtml`${formatScore(meanRating)} / 10 · ${correlationText}</p>${summaryTable(rows)}</div>`,
  ]}`;
}

/**
 * Agreement per image, compact: how many platforms described it, the mean matched-term and
 * keyword agreement over them, and the mean recall — high agreement with low recall means the
 * platforms miss the same things. Images only one platform described are left out.
 *
 * @example
 * ```ts
 * import { loadLabels } from "../quality/labels.ts";
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const records: ResultRecord[];
 * agreementTable(records, await loadLabels());
 * ```
 */
export function agreementTable(records: readonly ResultRecord[], labels: LabelSet): HtmlFragment {
  const rows = agreementByImage(records, { labels }).filter((row) => row.peers > 0);
  if (rows.length === 0) {
    return safeHtml`${[
      safeHtml`<p class="visionbench-agreement">No image was described by two or more platforms: `,
      safeHtml`nothing to compare.</p>`,
    ]}`;
  }
  const byImage = new Map<string, typeof rows>();
  for (const row of rows) byImage.set(row.imageId, [...byImage.get(row.imageId) ?? [], row]);
  const table = [...byImage.entries()].map(([imageId, members]) => ({
    imageId,
    platforms: new Set(members.map((row) => `${row.platform}\u0000${row.model}`)).size,
    matchedAgreement: mean(members.map((row) => row.matchedAgreement)),
    keywordAgreement: mean(members.map((row) => row.keywordAgreement)),
    meanRecall: mean(
      records.filter((record) => record.imageId === imageId && record.status === "ok")
        .map((record) => recallOf(record, labels)),
    ),
  })).sort((a, b) => a.imageId.localeCompare(b.imageId));
  return summaryTable(table);
}

function recallOf(record: ResultRecord, labels: LabelSet): number | null {
  const imageLabels = labels.get(record.imageId);
  const description = recordDescription(record);
  if (!imageLabels || description === undefined) return null;
  return scoreDescription(description, imageLabels).recall;
}

/**
 * One clause on the quality of a summary row (from `joinQuality`), for a pick's sentence.
 *
 * @example
 * ```ts
 * qualityNote({ meanScore: 6.2, meanRecall: 0.64, hallucinationRate: 0.1, scored: 33 });
 * // "mean quality 6.2 / 10 (recall 0.64, hallucinations in 10 % of 33 scored descriptions)"
 * ```
 */
export function qualityNote(row: Record<string, unknown> | undefined): string {
  const number = (value: unknown) => typeof value === "number" && Number.isFinite(value);
  if (!row || !number(row.meanScore)) {
    return "no quality score (no labels for these images, or no ok answers)";
  }
  const recall = number(row.meanRecall) ? `recall ${(row.meanRecall as number).toFixed(2)}` : "";
  const hallucinations = number(row.hallucinationRate)
    ? `hallucinations in ${formatShare(row.hallucinationRate as number)}` +
      (number(row.scored) ? ` of ${row.scored} scored descriptions` : "")
    : "";
  const details = [recall, hallucinations].filter(Boolean).join(", ");
  return `mean quality ${formatScore(row.meanScore as number)} / 10${
    details ? ` (${details})` : ""
  }`;
}
