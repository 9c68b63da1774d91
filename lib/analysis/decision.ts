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
import { formatDuration, formatScore, formatUsd } from "../util/format.ts";

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
  const runnerUp = option(ranked[1]);
  const complete = rows.filter((row) => known(row.costPer1k) && known(row.p50LatencyMs));
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
    tradeOff: tradeOffLine(pick?.row, runnerUp?.row, { minQuality, maxP50Ms }),
    wouldChange: pick ? wouldChange(rows, pick.row, { minQuality, maxP50Ms }) : [],
  };
}

function tradeOffLine(
  pick: DecisionRow | undefined,
  next: DecisionRow | undefined,
  options: Required<DecideOptions>,
): string {
  if (!pick) {
    return `No option has quality ≥ ${formatScore(options.minQuality)}/10 and p50 ≤ ${
      formatDuration(options.maxP50Ms)
    } with a known cost.`;
  }
  if (!next) return `${optionLabel(pick)} is the only option that meets the floor and the budget.`;
  const pickCost = pick.costPer1k as number;
  const nextCost = next.costPer1k as number;
  const costPart = pickCost > 0
    ? `costs ${formatRatio(nextCost / pickCost)} as much (${formatUsd(nextCost)} vs ${
      formatUsd(pickCost)
    } per 1,000)`
    : `costs ${formatUsd(nextCost)} per 1,000 where the pick is free`;
  const nextSeconds = formatDuration(next.p50LatencyMs as number);
  const pickSeconds = formatDuration(pick.p50LatencyMs as number);
  const faster = (next.p50LatencyMs as number) < (pick.p50LatencyMs as number);
  const latencyPart = nextSeconds === pickSeconds
    ? `is about as fast (${nextSeconds} p50)`
    : `${faster ? "answers faster" : "is slower"} (${nextSeconds} vs ${pickSeconds} p50)`;
  const quality = known(next.meanScore) && known(pick.meanScore)
    ? `, quality ${formatScore(next.meanScore)} vs ${formatScore(pick.meanScore)}/10`
    : "";
  return `The runner-up, ${optionLabel(next)}, ${costPart} and ${latencyPart}${quality}.`;
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
        `${optionLabel(other)} wins with a quality floor of ${formatScore(floor)}/10 or lower.`,
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
        `${optionLabel(other)} wins if a p50 of ${formatDuration(budget)} is acceptable.`,
      );
    }
  }
  // A tighter budget or a higher floor rules the pick out.
  const afterBudget = winner(minQuality, (pick.p50LatencyMs as number) - 1e-9);
  sentences.push(
    afterBudget
      ? `With a budget under ${formatDuration(pick.p50LatencyMs as number)}, ${
        optionLabel(afterBudget)
      } wins.`
      : `With a budget under ${formatDuration(pick.p50LatencyMs as number)}, nothing qualifies.`,
  );
  if (known(pick.meanScore)) {
    const afterFloor = rankOptions(rows, { minQuality: pick.meanScore + 1e-9, maxP50Ms })[0];
    sentences.push(
      afterFloor
        ? `With a floor above ${formatScore(pick.meanScore)}/10, ${optionLabel(afterFloor)} wins.`
        : `With a floor above ${formatScore(pick.meanScore)}/10, nothing qualifies.`,
    );
  }
  return sentences;
}

function formatRatio(ratio: number): string {
  return ratio >= 10 ? `${Math.round(ratio)}×` : `${ratio.toFixed(1)}×`;
}
