/**
 * The pick: the cheapest option whose quality meets a floor and whose p50 latency meets a budget,
 * the runner-up, the one-line trade-off between them, and the thresholds that would change the
 * answer. Pure functions on plain summary rows, so the same rule runs on measured summaries and
 * on the study's published figures.
 *
 * @example
 * ```ts
 * declare const rows: DecisionRow[];
 * const decision = decide(rows, { minQuality: 6, maxP50Ms: 5000 });
 * decision.pick?.label; // "gemini · gemini-2.5-flash-lite · 512"
 * ```
 *
 * @module
 */
import { VisionBenchError } from "../contract/errors.ts";
import { formatDuration, formatScore, formatShare, formatUsd } from "../util/format.ts";

/** The study's stated quality ("6–7/10 description quality"): its floor. */
export const DEFAULT_MIN_QUALITY = 6;
/** The study's latency bar: its winner answered in 2.4 s; 5 s leaves room. */
export const DEFAULT_MAX_P50_MS = 5000;

/** One option the decision weighs (a summary row: platform · model · variant). */
export interface DecisionRow {
  platform: string;
  model: string;
  /** `"original"`, `"512"`, … ; absent for published figures. */
  variant?: string;
  /** Median latency per image, ms. `null`/absent: unknown. */
  p50LatencyMs?: number | null;
  /** USD per 1,000 images. `null`/absent: unknown. */
  costPer1k?: number | null;
  /** Mean quality score 0–10. `null`/absent: unknown. */
  meanScore?: number | null;
  /** Calls behind the row. */
  n?: number | null;
}

/** Options of {@link decide}. */
export interface DecideOptions {
  /** Lowest acceptable mean quality (0–10); rows of unknown quality pass only a floor of 0. @default 6 */
  minQuality?: number;
  /** Highest acceptable p50 latency in ms. @default 5000 */
  maxP50Ms?: number;
}

/** An option as the decision names it. */
export interface RankedOption<Row extends DecisionRow = DecisionRow> {
  row: Row;
  /** "platform · model" (· variant when the row has one). */
  label: string;
}

/** What {@link decide} found. */
export interface Decision<Row extends DecisionRow = DecisionRow> {
  minQuality: number;
  maxP50Ms: number;
  pick?: RankedOption<Row>;
  runnerUp?: RankedOption<Row>;
  /** Rows that met both the floor and the budget. */
  eligible: number;
  /** Rows left out: below the floor, over the budget, or missing a number. */
  belowFloor: number;
  overBudget: number;
  unknown: number;
  /** One line: the pick against the runner-up (or why there is no pick). */
  tradeOff: string;
  /** Sentences: the thresholds at which another row would win. */
  wouldChange: string[];
  /**
   * The pick's numbers as the sentences print them: with the digits that tell them apart from
   * every other row's, so the card never reads "7.0" where a sentence says "6.96".
   */
  pickFigures?: { p50: string; costPer1k: string; score?: string };
}

/** "platform · model · variant". */
export function optionLabel(row: DecisionRow): string {
  const size = row.variant && /^\d+$/.test(row.variant) ? `${row.variant} px` : row.variant;
  return [row.platform, row.model, size].filter((part) => part).join(" · ");
}

const known = (value: number | null | undefined): value is number =>
  typeof value === "number" && Number.isFinite(value);

/** Cheapest first; equal cost: better quality, then faster. */
function compareOptions(a: DecisionRow, b: DecisionRow): number {
  return (a.costPer1k as number) - (b.costPer1k as number) ||
    (b.meanScore ?? -1) - (a.meanScore ?? -1) ||
    (a.p50LatencyMs as number) - (b.p50LatencyMs as number) ||
    optionLabel(a).localeCompare(optionLabel(b));
}

function passes(row: DecisionRow, minQuality: number, maxP50Ms: number): boolean {
  if (!known(row.costPer1k) || !known(row.p50LatencyMs)) return false;
  if (row.p50LatencyMs > maxP50Ms) return false;
  return known(row.meanScore) ? row.meanScore >= minQuality : minQuality <= 0;
}

/**
 * The eligible rows, best first (cheapest; ties: better quality, then faster).
 *
 * @example
 * ```ts
 * declare const rows: DecisionRow[];
 * rankOptions(rows, { minQuality: 6, maxP50Ms: 5000 })[0]; // the pick
 * ```
 */
export function rankOptions<Row extends DecisionRow>(
  rows: readonly Row[],
  options: DecideOptions = {},
): Row[] {
  const { minQuality = DEFAULT_MIN_QUALITY, maxP50Ms = DEFAULT_MAX_P50_MS } = options;
  return rows.filter((row) => passes(row, minQuality, maxP50Ms)).sort(compareOptions);
}

/**
 * Picks the cheapest row with quality ≥ `minQuality` and p50 ≤ `maxP50Ms`; says who is next,
 * what separates them, and at which floor, budget or price another row would win.
 * Throws a `usage` error for a floor outside 0–10 or a negative budget.
 *
 * @example
 * ```ts
 * declare const rows: DecisionRow[];
 * const { pick, tradeOff, wouldChange } = decide(rows, { minQuality: 6 });
 * console.log(pick, tradeOff, wouldChange);
 * ```
 */
export function decide<Row extends DecisionRow>(
  rows: readonly Row[],
  options: DecideOptions = {},
): Decision<Row> {
  const { minQuality = DEFAULT_MIN_QUALITY, maxP50Ms = DEFAULT_MAX_P50_MS } = options;
  if (!(minQuality >= 0 && minQuality <= 10)) {
    throw new VisionBenchError("usage", `minQuality must be between 0 and 10, got ${minQuality}`);
  }
  if (!(maxP50Ms >= 0)) {
    throw new VisionBenchError("usage", `maxP50Ms must be ≥ 0, got ${maxP50Ms}`);
  }
  const ranked = rankOptions(rows, { minQuality, maxP50Ms });
  const option = (row: Row | undefined) => row && { row, label: optionLabel(row) };
  const pick = option(ranked[0]);
  // Another size of the same platform · model is an option of the pick, not a rival to it.
  const runnerUp = option(ranked[0] && rivalOf(ranked, ranked[0]));
  const complete = rows.filter((row) => known(row.costPer1k) && known(row.p50LatencyMs));
  const format = decisionFormats(rows, { minQuality, maxP50Ms });
  return {
    minQuality,
    maxP50Ms,
    pick,
    runnerUp,
    eligible: ranked.length,
    belowFloor: complete.filter((row) => known(row.meanScore) && row.meanScore < minQuality).length,
    overBudget: complete.filter((row) => (row.p50LatencyMs as number) > maxP50Ms).length,
    unknown: rows.length - complete.length +
      (minQuality > 0 ? complete.filter((row) => !known(row.meanScore)).length : 0),
    tradeOff: tradeOffLine(pick?.row, runnerUp?.row, { minQuality, maxP50Ms }, format),
    pickFigures: pick && {
      p50: format.duration(pick.row.p50LatencyMs as number),
      costPer1k: format.usd(pick.row.costPer1k as number),
      score: known(pick.row.meanScore) ? format.score(pick.row.meanScore) : undefined,
    },
    wouldChange: pick ? wouldChange(rows, pick.row, { minQuality, maxP50Ms }) : [],
  };
}

function tradeOffLine(
  pick: DecisionRow | undefined,
  next: DecisionRow | undefined,
  options: Required<DecideOptions>,
  format: DecisionFormats,
): string {
  if (!pick) {
    return `No option has quality ≥ ${formatScore(options.minQuality)}/10 and p50 ≤ ${
      formatDuration(options.maxP50Ms)
    } with a known cost.`;
  }
  if (!next) return `${optionLabel(pick)} is the only option that meets the floor and the budget.`;
  const pickCost = pick.costPer1k as number;
  const nextCost = next.costPer1k as number;
  const [nextUsd, pickUsd] = [format.usd(nextCost), format.usd(pickCost)];
  const costPart = pickCost > 0
    ? `costs ${formatRatio(nextCost / pickCost)} as much (${nextUsd} vs ${pickUsd} per 1,000)`
    : `costs ${nextUsd} per 1,000 where the pick is free`;
  const nextMs = next.p50LatencyMs as number;
  const pickMs = pick.p50LatencyMs as number;
  const [nextSeconds, pickSeconds] = [format.duration(nextMs), format.duration(pickMs)];
  const latencyPart = formatDuration(nextMs) === formatDuration(pickMs)
    ? `is about as fast (${nextSeconds} vs ${pickSeconds} p50)`
    : `${nextMs < pickMs ? "answers faster" : "is slower"} (${nextSeconds} vs ${pickSeconds} p50)`;
  const quality = known(next.meanScore) && known(pick.meanScore)
    ? `, quality ${format.score(next.meanScore)} vs ${format.score(pick.meanScore)}/10`
    : "";
  return `The runner-up, ${optionLabel(next)}, ${costPart} and ${latencyPart}${quality}.`;
}

/**
 * `value` formatted with the fewest extra digits that tell it apart from every other value it
 * is compared with in the same sentence: 6.963 beside 6.98 reads "6.96", not "7.0" (a rounded
 * number must never contradict the comparison made at full precision).
 */
export function formatDistinct(
  value: number,
  others: readonly number[],
  format: (value: number, extraDigits: number) => string,
): string {
  for (let extra = 0; extra < 6; extra++) {
    const text = format(value, extra);
    if (others.every((other) => other === value || format(other, extra) !== text)) return text;
  }
  return format(value, 6);
}

/** A score out of 10 with `extra` more decimals than the usual one. */
const scoreDigits = (value: number, extra: number) => value.toFixed(1 + extra);
/** Dollars per 1,000 with `extra` more significant digits than formatUsd's. */
const usdDigits = (value: number, extra: number) =>
  extra === 0 ? formatUsd(value) : `$${Number(value.toPrecision(2 + extra))}`;
/** A duration with `extra` more digits than formatDuration's (seconds). */
const durationDigits = (ms: number, extra: number) =>
  extra === 0 ? formatDuration(ms) : `${(ms / 1000).toFixed(1 + extra)} s`;

/** Formatters for one decision: each number distinct from every other of its kind it meets. */
interface DecisionFormats {
  score(value: number): string;
  usd(value: number): string;
  duration(value: number): string;
}

function decisionFormats(
  rows: readonly DecisionRow[],
  options: Required<DecideOptions>,
): DecisionFormats {
  const values = (field: "meanScore" | "costPer1k" | "p50LatencyMs") =>
    rows.flatMap((row) => known(row[field]) ? [row[field] as number] : []);
  const scores = [...values("meanScore"), options.minQuality];
  const costs = values("costPer1k");
  const latencies = [...values("p50LatencyMs"), options.maxP50Ms];
  return {
    score: (value) => formatDistinct(value, scores, scoreDigits),
    usd: (value) => formatDistinct(value, costs, usdDigits),
    duration: (value) => formatDistinct(value, latencies, durationDigits),
  };
}

/** The best eligible row of another platform · model: sizes are options of one platform. */
function rivalOf<Row extends DecisionRow>(ranked: readonly Row[], pick: Row): Row | undefined {
  return ranked.find((row) => row.platform !== pick.platform || row.model !== pick.model);
}

function wouldChange(
  rows: readonly DecisionRow[],
  pick: DecisionRow,
  options: Required<DecideOptions>,
): string[] {
  const { minQuality, maxP50Ms } = options;
  const sentences: string[] = [];
  const winner = (floor: number, budget: number) =>
    rankOptions(rows, { minQuality: floor, maxP50Ms: budget })[0];
  const { score, usd, duration } = decisionFormats(rows, options);
  // The price at which another platform wins: every size of the pick's platform · model moves
  // with its price card, so the rival is the cheapest eligible row of another one.
  const pickCost = pick.costPer1k as number;
  const rival = rivalOf(rankOptions(rows, { minQuality, maxP50Ms }), pick);
  if (rival) {
    const rivalCost = rival.costPer1k as number;
    if (pickCost > 0) {
      const ratio = rivalCost / pickCost;
      sentences.push(
        `${optionLabel(rival)} wins if ${pick.platform}'s price rises ${
          Number(ratio.toPrecision(3)).toLocaleString("en-US")
        }× (the pick above ${usd(rivalCost)} per 1,000), or if ${rival.platform}'s falls below ${
          usd(pickCost)
        } per 1,000 (${formatShare(pickCost / rivalCost)} of today's ${usd(rivalCost)}).`,
      );
    } else {
      sentences.push(
        `${optionLabel(pick)} costs nothing per call: no price of ${rival.platform} (next, ${
          usd(rivalCost)
        } per 1,000) beats it; only a cost put on the pick (a server's hours) would.`,
      );
    }
  }
  // A lower floor lets in cheaper rows: the first one enters at its own quality.
  const cheaperWithinBudget = rows.filter((row) =>
    known(row.costPer1k) && known(row.p50LatencyMs) && known(row.meanScore) &&
    row.p50LatencyMs <= maxP50Ms && compareOptions(row, pick) < 0 && row.meanScore < minQuality
  );
  if (cheaperWithinBudget.length > 0) {
    const floor = Math.max(...cheaperWithinBudget.map((row) => row.meanScore as number));
    const other = winner(floor, maxP50Ms);
    if (other && other !== pick) {
      sentences.push(
        `${optionLabel(other)} wins with a quality floor of ${score(floor)}/10 or lower.`,
      );
    }
  }
  // A larger budget lets in cheaper rows that are good enough but slow.
  const cheaperButSlow = rows.filter((row) =>
    known(row.costPer1k) && known(row.p50LatencyMs) && row.p50LatencyMs > maxP50Ms &&
    compareOptions(row, pick) < 0 &&
    (known(row.meanScore) ? row.meanScore >= minQuality : minQuality <= 0)
  );
  if (cheaperButSlow.length > 0) {
    const budget = Math.min(...cheaperButSlow.map((row) => row.p50LatencyMs as number));
    const other = winner(minQuality, budget);
    if (other && other !== pick) {
      sentences.push(
        `${optionLabel(other)} wins if a p50 of ${duration(budget)} is acceptable.`,
      );
    }
  }
  // A tighter budget or a higher floor rules the pick out.
  const pickLatency = pick.p50LatencyMs as number;
  const afterBudget = winner(minQuality, pickLatency - 1e-9);
  sentences.push(
    afterBudget
      ? `With a budget under ${duration(pickLatency)}, ${optionLabel(afterBudget)} wins (p50 ${
        duration(afterBudget.p50LatencyMs as number)
      }).`
      : `With a budget under ${duration(pickLatency)}, nothing qualifies.`,
  );
  if (known(pick.meanScore)) {
    const afterFloor = rankOptions(rows, { minQuality: pick.meanScore + 1e-9, maxP50Ms })[0];
    sentences.push(
      afterFloor
        ? `With a floor above ${score(pick.meanScore)}/10 (the pick's score), ${
          optionLabel(afterFloor)
        } wins (${score(afterFloor.meanScore as number)}/10).`
        : `With a floor above ${score(pick.meanScore)}/10 (the pick's score), nothing qualifies.`,
    );
  }
  return sentences;
}

function formatRatio(ratio: number): string {
  return ratio >= 10 ? `${Math.round(ratio)}×` : `${ratio.toFixed(1)}×`;
}
