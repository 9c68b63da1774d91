/**
 * Today's cost of every row of a run frame, by column expressions: lib/price/cost.ts
 * `computeCost` on today's card of each row's `priceId` (with your volume and utilisation), the
 * same arithmetic in the same order, so the numbers are equal to `repriceRecord`'s to the last
 * bit. A row that cannot be priced (an error, a missing or bad count, no card today) gets null.
 *
 * @module
 */
import pl from "nodejs-polars";
import type { PriceCard } from "../contract/price-card.ts";
import { type PricingAssumptions, withAssumptions } from "../price/assumptions.ts";
import { MAX_BILLABLE_COUNT } from "../price/cost.ts";

const MILLION = 1_000_000;
const MS_PER_HOUR = 3_600_000;
/** Divisor columns (see {@link repriceFrame}). */
const DIVISOR = { million: "__million", hour: "__msPerHour", utilisation: "__utilisation" };

/** A count `computeCost` accepts: present, finite, ≥ 0, within the billable range. */
function count(column: string): pl.Expr {
  const value = pl.col(column);
  return value.isNotNull().and(value.isFinite()).and(value.gtEq(0)).and(
    value.ltEq(MAX_BILLABLE_COUNT),
  );
}

/**
 * The products of one card's formula, as columns of their own, summed in a later step: each
 * product is rounded on its own before the sum, as in JS.
 */
function productsOf(card: PriceCard, id: string): pl.Expr[] {
  if (card.basis !== "tokens") return [];
  const reasoning = pl.when(pl.col("reasoningTokens").isNull()).then(pl.lit(0))
    .otherwise(pl.col("reasoningTokens"));
  const input = card.imageInputPerMTok === undefined
    ? pl.col("inputTokens")
    : pl.col("inputTokens").sub(pl.col("imageTokens"));
  return [
    input.mul(card.inputPerMTok).alias(`${PART.input}${id}`),
    pl.col("outputTokens").add(reasoning).mul(card.outputPerMTok).alias(`${PART.output}${id}`),
    ...(card.imageInputPerMTok === undefined
      ? []
      : [pl.col("imageTokens").mul(card.imageInputPerMTok).alias(`${PART.image}${id}`)]),
  ];
}

const PART = { input: "__inputUsd", output: "__outputUsd", image: "__imageUsd" };

/** The columns {@link repriceFrame} reads. */
const INPUT_COLUMNS = [
  "ok",
  "priceId",
  "inputTokens",
  "outputTokens",
  "imageTokens",
  "reasoningTokens",
  "gpuSeconds",
  "latencyMs",
  "concurrency",
];

/** [cost expression, condition under which it is defined] of one card. */
function costOf(card: PriceCard, id: string): [pl.Expr, pl.Expr] {
  switch (card.basis) {
    case "tokens": {
      const reasoningOk = pl.col("reasoningTokens").isNull().or(count("reasoningTokens"));
      const ok = count("inputTokens").and(count("outputTokens")).and(reasoningOk);
      const [input, output] = [pl.col(`${PART.input}${id}`), pl.col(`${PART.output}${id}`)];
      if (card.imageInputPerMTok === undefined) {
        return [input.add(output).div(pl.col(DIVISOR.million)), ok];
      }
      return [
        input.add(pl.col(`${PART.image}${id}`)).add(output).div(pl.col(DIVISOR.million)),
        ok.and(count("imageTokens")).and(pl.col("imageTokens").ltEq(pl.col("inputTokens"))),
      ];
    }
    case "gpu_seconds":
      return [pl.col("gpuSeconds").mul(card.perGpuSecond), count("gpuSeconds")];
    case "hourly": {
      const concurrency = pl.when(pl.col("concurrency").isNull()).then(pl.lit(1))
        .otherwise(pl.col("concurrency"));
      return [
        pl.lit(card.perHour).mul(pl.col("latencyMs").div(pl.col(DIVISOR.hour))).div(concurrency)
          .div(pl.col(`${DIVISOR.utilisation}${id}`)),
        count("latencyMs").and(concurrency.gtEq(1)).and(concurrency.floor().eq(concurrency)),
      ];
    }
    case "subscription":
      return [pl.lit(card.perMonth / card.monthlyVolume), pl.lit(true)];
    case "per_image":
      return [pl.lit(card.perImage), pl.lit(true)];
    case "free":
      return [pl.lit(0), pl.lit(true)];
  }
}

/**
 * `frame` with `costUsdToday` and `batchCostUsdToday` (null when the card has no batch price).
 * Reads `ok`, `priceId` and the counts (`inputTokens`, `outputTokens`, `imageTokens`,
 * `reasoningTokens`, `gpuSeconds`, `latencyMs`, `concurrency`).
 *
 * @example
 * ```ts
 * import type pl from "nodejs-polars";
 * import { loadPriceCards } from "../price/cost.ts";
 * declare const frame: pl.DataFrame;
 * repriceFrame(frame, await loadPriceCards()).select("priceId", "costUsdToday");
 * ```
 */
export function repriceFrame(
  frame: pl.DataFrame,
  cards: ReadonlyMap<string, PriceCard>,
  pricing: PricingAssumptions = {},
): pl.DataFrame {
  let cost: pl.Expr = pl.lit(null).cast(pl.Float64);
  let batch: pl.Expr = pl.lit(null).cast(pl.Float64);
  const ids = new Set(frame.getColumn("priceId").cast(pl.Utf8).unique().toArray() as string[]);
  const used = [...cards].filter(([id]) => ids.has(id))
    .map(([id, current]) => [id, withAssumptions(current, pricing)] as const);
  // Full columns, not broadcast literals: Polars divides by a scalar as a multiplication by its
  // reciprocal, which differs from JS's division in the last bit.
  const filled = (name: string, value: number) =>
    pl.Series(name, new Float64Array(frame.height).fill(value), pl.Float64);
  // Costs are computed on the columns they read and added to the frame as two columns: the
  // divisor and product columns never sit beside every column of a large frame.
  const inputs = frame.select(...INPUT_COLUMNS.filter((column) => frame.columns.includes(column)));
  const divisors = inputs.withColumns(
    filled(DIVISOR.million, MILLION),
    filled(DIVISOR.hour, MS_PER_HOUR),
    ...used.flatMap(([id, card]) =>
      card.basis === "hourly" ? [filled(`${DIVISOR.utilisation}${id}`, card.utilisation ?? 1)] : []
    ),
  ).withColumns(...used.flatMap(([id, card]) => productsOf(card, id)));
  for (const [id, card] of used) {
    const [value, defined] = costOf(card, id);
    const valid = pl.col("ok").and(pl.col("priceId").cast(pl.Utf8).eq(pl.lit(id))).and(defined)
      .and(value.isFinite()).and(value.gtEq(0));
    cost = pl.when(valid).then(value).otherwise(cost);
    if (card.batchMultiplier !== undefined) {
      const scaled = value.mul(card.batchMultiplier);
      batch = pl.when(valid.and(scaled.isFinite())).then(scaled).otherwise(batch);
    }
  }
  const costs = divisors.select(
    cost.cast(pl.Float64).alias("costUsdToday"),
    batch.cast(pl.Float64).alias("batchCostUsdToday"),
  );
  return frame.withColumns(costs.getColumn("costUsdToday"), costs.getColumn("batchCostUsdToday"));
}
