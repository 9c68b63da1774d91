/**
 * Re-pricing: what a recorded call would cost at today's prices. The record keeps the card it
 * was priced with (so its recorded cost never changes); re-pricing applies the card with the
 * same id from the current `data/prices.json` to the record's own usage.
 *
 * @example
 * ```ts
 * import { loadPriceCards } from "./cost.ts";
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const record: ResultRecord;
 * const today = await loadPriceCards();
 * repriceRecord(record, today)?.costUsd; // at today's prices
 * ```
 *
 * @module
 */
import type { PriceCard } from "../contract/price-card.ts";
import type { ResultRecord } from "../contract/record.ts";
import { computeCost, costInputOf } from "./cost.ts";
import { type PricingAssumptions, withAssumptions } from "./assumptions.ts";

/** A record priced with today's card. */
export interface Repriced {
  /** USD at today's card; undefined when the call cannot be priced (error, no usage, no card). */
  costUsd?: number;
  /** USD through the platform's batch API at today's card, when the card has a batch price. */
  batchCostUsd?: number;
  /** The card used today (same id as the recorded one), when there is one. */
  card?: PriceCard;
}

/**
 * Prices one record with the current card of the same id, under your `assumptions` (monthly
 * volume of subscriptions, utilisation of hourly servers) when given. Error rows, rows without a
 * recorded card, and rows the current card cannot price (a count it needs is missing) give no
 * cost.
 *
 * @example
 * ```ts
 * import { loadPriceCards } from "./cost.ts";
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const record: ResultRecord;
 * repriceRecord(record, await loadPriceCards()).costUsd;
 * ```
 */
export function repriceRecord(
  record: ResultRecord,
  cards: ReadonlyMap<string, PriceCard>,
  assumptions: PricingAssumptions = {},
): Repriced {
  const current = record.price ? cards.get(record.price.id) : undefined;
  const card = current && withAssumptions(current, assumptions);
  if (record.status !== "ok" || !card) return { card };
  try {
    const { costUsd, batchCostUsd } = computeCost(card, costInputOf(record));
    return batchCostUsd === undefined ? { costUsd, card } : { costUsd, batchCostUsd, card };
  } catch {
    return { card };
  }
}

/** A price card as recorded in runs and as it reads today. */
export interface PriceCardChange {
  id: string;
  recordedAsOf: string[];
  /** Undefined when the card is gone from today's file. */
  todayAsOf?: string;
  /** The recorded and today's cards differ in a price. */
  changed: boolean;
}

/**
 * Every card the records were priced with, beside today's card of the same id.
 *
 * @example
 * ```ts
 * import { loadPriceCards } from "./cost.ts";
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const records: ResultRecord[];
 * priceCardChanges(records, await loadPriceCards()).filter((card) => card.changed);
 * ```
 */
export function priceCardChanges(
  records: readonly Pick<ResultRecord, "price">[],
  cards: ReadonlyMap<string, PriceCard>,
): PriceCardChange[] {
  const recorded = new Map<string, PriceCard[]>();
  for (const record of records) {
    if (!record.price) continue;
    const list = recorded.get(record.price.id) ?? [];
    if (!list.some((card) => JSON.stringify(card) === JSON.stringify(record.price))) {
      list.push(record.price);
    }
    recorded.set(record.price.id, list);
  }
  return [...recorded].sort(([a], [b]) => a.localeCompare(b)).map(([id, list]) => {
    const today = cards.get(id);
    const prices = (card: PriceCard) =>
      JSON.stringify(
        Object.entries(card).filter(([key]) =>
          !["asOf", "source", "note", "caveats"].includes(key)
        ),
      );
    return {
      id,
      recordedAsOf: [...new Set(list.map((card) => card.asOf))].sort(),
      todayAsOf: today?.asOf,
      changed: today === undefined || list.some((card) => prices(card) !== prices(today)),
    };
  });
}
