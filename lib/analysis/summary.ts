/**
 * Summaries of a run frame (see {@link recordsToFrame}): counts, errors by kind, latency
 * statistics, tokens and cost per 1,000 images with projections at scale.
 *
 * Latency statistics use only rows that are ok and NOT cached: a cache hit keeps the latency of
 * the original call, so counting it again would weight that call twice. Percentiles interpolate
 * linearly between ranks (like numpy's default), so p50 of [100, 200] is 150.
 *
 * @module
 */
import pl from "nodejs-polars";

/** Options of {@link summarize}. */
export interface SummarizeOptions {
  /** Columns to group by. @default ["platform", "model", "variant", "promptId"] */
  by?: string[];
}

/** One row of {@link summarize} (grouping columns are also present, as strings). */
export interface SummaryRow {
  [column: string]: unknown;
  /** Records in the group. */
  n: number;
  ok: number;
  errors: number;
  /** e.g. `"rate_limit:2, timeout:1"`; empty when there were no errors. */
  errorKinds: string;
  cached: number;
  /** ok, non-cached rows with a latency: what latency statistics are computed from. */
  timedCalls: number;
  meanLatencyMs: number | null;
  minLatencyMs: number | null;
  p50LatencyMs: number | null;
  p90LatencyMs: number | null;
  p50TtftMs: number | null;
  meanInputTokens: number | null;
  meanOutputTokens: number | null;
  /** Mean `costUsd` × 1000 over ok rows that have a cost. */
  costPer1k: number | null;
  /**
   * Every recorded cost (billed failures too: a cancelled prediction, an unreadable but billed
   * job) per successful image × 1000: what 1,000 good descriptions cost. Equals `costPer1k`
   * when no failure was billed; null without a success.
   */
  costPerSuccess1k: number | null;
  batchCostPer1k: number | null;
  costAt10k: number | null;
  costAt1M: number | null;
  batchCostAt10k: number | null;
  batchCostAt1M: number | null;
}

/** @internal default grouping */
export const DEFAULT_BY = ["platform", "model", "variant", "promptId"];

const ok = pl.col("ok");
const timed = ok.and(pl.col("cached").not()).and(pl.col("latencyMs").isNotNull());

/**
 * Summarizes a frame per group.
 *
 * @example
 * ```ts
 * import type { ResultRecord } from "../contract/record.ts";
 * import { recordsToFrame } from "./frames.ts";
 * declare const records: ResultRecord[];
 * const summary = summarize(recordsToFrame(records), { by: ["platform", "model"] });
 * summary.select("platform", "p50LatencyMs", "costPer1k");
 * ```
 */
export function summarize(frame: pl.DataFrame, options: SummarizeOptions = {}): pl.DataFrame {
  const by = options.by ?? DEFAULT_BY;
  const latency = pl.col("latencyMs").filter(timed);
  const summary = frame.groupBy(by).agg(
    pl.len().cast(pl.Float64).alias("n"),
    ok.sum().cast(pl.Float64).alias("ok"),
    ok.not().sum().cast(pl.Float64).alias("errors"),
    pl.col("cached").sum().cast(pl.Float64).alias("cached"),
    latency.count().cast(pl.Float64).alias("timedCalls"),
    latency.mean().alias("meanLatencyMs"),
    latency.min().alias("minLatencyMs"),
    latency.quantile(0.5, "linear").alias("p50LatencyMs"),
    latency.quantile(0.9, "linear").alias("p90LatencyMs"),
    pl.col("ttftMs").filter(timed).quantile(0.5, "linear").alias("p50TtftMs"),
    // mean() skips nulls: a platform that reports no usage gets null, not 0.
    pl.col("inputTokens").filter(ok).mean().alias("meanInputTokens"),
    pl.col("outputTokens").filter(ok).mean().alias("meanOutputTokens"),
    pl.col("costUsd").filter(ok).mean().mul(1000).alias("costPer1k"),
    pl.col("batchCostUsd").filter(ok).mean().mul(1000).alias("batchCostPer1k"),
    pl.when(ok.sum().gt(0).and(pl.col("costUsd").filter(ok).count().gt(0)))
      .then(pl.col("costUsd").sum().div(ok.sum()).mul(1000))
      .otherwise(pl.lit(null)).alias("costPerSuccess1k"),
  ).withColumns(
    // Keys read from Parquet are categoricals: strings again, so the order is alphabetical and
    // the summary is the same whichever file it came from.
    ...by.filter((column) => frame.getColumn(column).dtype.equals(pl.Categorical))
      .map((column) => pl.col(column).cast(pl.Utf8)),
    pl.col("costPer1k").mul(10).alias("costAt10k"),
    pl.col("costPer1k").mul(1000).alias("costAt1M"),
    pl.col("batchCostPer1k").mul(10).alias("batchCostAt10k"),
    pl.col("batchCostPer1k").mul(1000).alias("batchCostAt1M"),
  ).sort(by);
  const kinds = errorKindLabels(frame, by);
  const labels = summary.select(...by).toRecords().map((row) => kinds.get(groupKey(row, by)) ?? "");
  const columns = summary.columns;
  return summary.withColumn(pl.Series("errorKinds", labels, pl.Utf8)).select(
    ...columns.slice(0, by.length + 3),
    "errorKinds",
    ...columns.slice(by.length + 3),
  );
}

/** Options of {@link errorsByKind}. */
export interface ErrorsByKindOptions {
  /** @default ["platform"] */
  by?: string[];
}

/**
 * Error rows counted per group and kind (columns: `...by, errorKind, count`), most frequent first
 * inside each group.
 *
 * @example
 * ```ts
 * import type pl from "nodejs-polars";
 * declare const frame: pl.DataFrame;
 * errorsByKind(frame, { by: ["platform", "model"] });
 * ```
 */
export function errorsByKind(frame: pl.DataFrame, options: ErrorsByKindOptions = {}): pl.DataFrame {
  const by = options.by ?? ["platform"];
  // The columns it reads first: a filter copies every column it keeps.
  return frame.select(...by, "ok", "errorKind").filter(ok.not())
    .withColumns(pl.col("errorKind").fillNull(pl.lit("unknown")))
    .groupBy([...by, "errorKind"])
    .agg(pl.len().cast(pl.Float64).alias("count"))
    .sort([...by, "count", "errorKind"], [...by.map(() => false), true, false]);
}

function groupKey(row: Record<string, unknown>, by: string[]): string {
  return JSON.stringify(by.map((column) => row[column] ?? null));
}

function errorKindLabels(frame: pl.DataFrame, by: string[]): Map<string, string> {
  const labels = new Map<string, string[]>();
  for (const row of errorsByKind(frame, { by }).toRecords()) {
    const key = groupKey(row, by);
    labels.set(key, [...labels.get(key) ?? [], `${row.errorKind}:${row.count}`]);
  }
  return new Map([...labels].map(([key, parts]) => [key, parts.join(", ")]));
}
