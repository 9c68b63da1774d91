/**
 * Analysis of run records with Polars: the flat frame, summaries, the effect of resizing, the
 * cost/latency frontier and the cheapest pick within a latency budget.
 *
 * @example
 * ```ts
 * import { readRuns } from "../run/run-store.ts";
 * import { recordsToFrame } from "./frames.ts";
 * import { summarize } from "./summary.ts";
 * const frame = recordsToFrame((await readRuns("results")).records);
 * const summary = summarize(frame, { by: ["platform", "model"] });
 * cheapestWithin(summary, { maxP50LatencyMs: 3000 }).reason;
 * ```
 *
 * @module
 */
import pl from "nodejs-polars";
import { summarize, type SummaryRow } from "./summary.ts";
import { VisionBenchError } from "../contract/errors.ts";
import { formatUsd } from "../util/format.ts";

/** Options of {@link resizeEffect}. */
export interface ResizeEffectOptions {
  /** @default "original" */
  base?: string;
  /** @default "512" */
  compare?: string;
  /** @default ["platform", "model", "promptId"] */
  by?: string[];
}

const EFFECT_METRICS = [
  ["p50LatencyMs", "P50LatencyMs"],
  ["meanInputTokens", "InputTokens"],
  ["costPer1k", "CostPer1k"],
] as const;

/**
 * Compares two variants of the same images per platform × model × prompt. Columns: `...by`,
 * `baseP50LatencyMs`, `compareP50LatencyMs`, `deltaP50LatencyMs` (compare − base),
 * `deltaP50LatencyPct`, and the same for `InputTokens` and `CostPer1k`. A percentage is null
 * when the base is 0 or null (a free platform has no relative cost change).
 *
 * @example
 * ```ts
 * import type pl from "nodejs-polars";
 * declare const frame: pl.DataFrame;
 * resizeEffect(frame).select("platform", "deltaCostPer1kPct");
 * ```
 */
export function resizeEffect(frame: pl.DataFrame, options: ResizeEffectOptions = {}): pl.DataFrame {
  const { base = "original", compare = "512", by = ["platform", "model", "promptId"] } = options;
  const summary = summarize(frame, { by: [...by, "variant"] });
  const side = (variant: string, prefix: string) =>
    summary.filter(pl.col("variant").eq(pl.lit(variant))).select(
      ...by,
      ...EFFECT_METRICS.map(([column, suffix]) => pl.col(column).alias(`${prefix}${suffix}`)),
    );
  const joined = side(base, "base").join(side(compare, "compare"), { on: by, how: "inner" });
  return joined.withColumns(
    ...EFFECT_METRICS.flatMap(([, suffix]) => {
      const before = pl.col(`base${suffix}`);
      const delta = pl.col(`compare${suffix}`).sub(before);
      return [
        delta.alias(`delta${suffix}`),
        pl.when(before.eq(0).or(before.isNull())).then(pl.lit(null)).otherwise(
          delta.div(before).mul(100),
        ).alias(`delta${suffix}Pct`),
      ];
    }),
  ).sort(by);
}

/** Options of {@link pareto}. */
export interface ParetoOptions {
  /** Column to minimize. @default "p50LatencyMs" */
  x?: string;
  /** Column to minimize. @default "costPer1k" */
  y?: string;
  /** Optional third column to MAXIMIZE (e.g. a quality score). */
  extra?: string;
}

/**
 * Marks the rows no other row beats: a row is on the frontier unless another row is at least as
 * good on every axis and strictly better on one. Rows missing a value on an axis are never on it.
 * Returns the summary with a boolean `onFrontier` column.
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * declare const summary: pl.DataFrame;
 * pareto(summary).filter(pl.col("onFrontier"));
 * ```
 */
export function pareto(summary: pl.DataFrame, options: ParetoOptions = {}): pl.DataFrame {
  const { x = "p50LatencyMs", y = "costPer1k", extra } = options;
  // Minimize x and y; maximize extra by minimizing its negative.
  const points = summary.toRecords().map((row) => {
    const values = [row[x], row[y], ...(extra ? [row[extra]] : [])];
    if (!values.every((value) => typeof value === "number" && Number.isFinite(value))) {
      return undefined;
    }
    const numbers = values as number[];
    return extra ? [numbers[0], numbers[1], -numbers[2]] : numbers;
  });
  const dominates = (a: number[], b: number[]) =>
    a.every((value, index) => value <= b[index]) && a.some((value, index) => value < b[index]);
  const flags = points.map((point) =>
    point !== undefined && !points.some((other) => other !== undefined && dominates(other, point))
  );
  return summary.withColumn(pl.Series("onFrontier", flags, pl.Bool));
}

/** Options of {@link cheapestWithin}. */
export interface CheapestWithinOptions {
  /** Latency budget (inclusive) on the p50 latency column. */
  maxP50LatencyMs: number;
  /** @default "p50LatencyMs" */
  latency?: string;
  /** @default "costPer1k" */
  cost?: string;
}

/** The answer of {@link cheapestWithin}: the row (when any fits) and a sentence saying why. */
export interface CheapestPick {
  pick?: SummaryRow;
  reason: string;
  /** Rows that met the budget. */
  candidates: number;
}

/**
 * The cheapest row whose p50 latency is within the budget (ties: the faster one). Rows without a
 * latency or a cost cannot be judged and are skipped.
 *
 * @example
 * ```ts
 * import type pl from "nodejs-polars";
 * declare const summary: pl.DataFrame;
 * const { pick, reason } = cheapestWithin(summary, { maxP50LatencyMs: 3000 });
 * console.log(pick, reason);
 * ```
 */
export function cheapestWithin(
  summary: pl.DataFrame,
  options: CheapestWithinOptions,
): CheapestPick {
  const { maxP50LatencyMs, latency = "p50LatencyMs", cost = "costPer1k" } = options;
  if (!Number.isFinite(maxP50LatencyMs) || maxP50LatencyMs < 0) {
    throw new VisionBenchError(
      "usage",
      `maxP50LatencyMs must be a non-negative number, got ${maxP50LatencyMs}`,
    );
  }
  const rows = summary.toRecords() as SummaryRow[];
  const judged = rows.filter((row) =>
    typeof row[latency] === "number" && typeof row[cost] === "number"
  );
  const fitting = judged.filter((row) => (row[latency] as number) <= maxP50LatencyMs);
  if (judged.length === 0) {
    return { candidates: 0, reason: `no row has both ${latency} and ${cost}` };
  }
  if (fitting.length === 0) {
    const fastest = judged.reduce((a, b) =>
      (a[latency] as number) <= (b[latency] as number) ? a : b
    );
    return {
      candidates: 0,
      reason: `no row has ${latency} ≤ ${maxP50LatencyMs} ms; the fastest is ${label(fastest)} at ${
        Math.round(fastest[latency] as number)
      } ms`,
    };
  }
  const pick = fitting.reduce((a, b) => {
    const byCost = (a[cost] as number) - (b[cost] as number);
    return byCost < 0 || (byCost === 0 && (a[latency] as number) <= (b[latency] as number)) ? a : b;
  });
  return {
    pick,
    candidates: fitting.length,
    reason: `${label(pick)} is the cheapest of ${fitting.length} within ${maxP50LatencyMs} ms: ${
      formatUsd(pick[cost] as number)
    } per 1,000 images at ${Math.round(pick[latency] as number)} ms p50`,
  };
}

function label(row: SummaryRow): string {
  return ["platform", "model", "variant"].filter((key) => typeof row[key] === "string")
    .map((key) => row[key]).join(" / ");
}
