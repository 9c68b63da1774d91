/**
 * The assumptions a cost rests on, named and settable: a subscription's cost per image is its
 * monthly price ÷ the images it is used for (`monthlyImages`), an hourly server's is its price ×
 * the time per image ÷ how busy it is kept (`utilisation`). Cards also state caveats of their own
 * (`caveats` in data/prices.json: a provisional or implied price, billing the card leaves out).
 * The report prints every one beside the rows it affects.
 *
 * @module
 */
import { VisionBenchError } from "../contract/errors.ts";
import type { PriceCard } from "../contract/price-card.ts";
import { formatCount, formatShare } from "../util/format.ts";

/** Your volume and your server's load, instead of the cards' own. */
export interface PricingAssumptions {
  /** Images a month a subscription is used for (replaces the card's `monthlyVolume`). */
  monthlyImages?: number;
  /**
   * Share of an hourly server's time spent answering (0–1]: at 0.5 it idles half the time and
   * each image costs twice as much. @default the card's own, else 1
   */
  utilisation?: number;
}

/** One assumption a card's cost rests on. */
export interface CardAssumption {
  kind: "volume" | "utilisation" | "excludes" | "provisional" | "implied" | "retired";
  /** One sentence for the reader. */
  text: string;
}

/**
 * Checks the assumptions: `monthlyImages` a positive integer, `utilisation` in (0, 1].
 * Throws a `usage` error naming the bad one.
 *
 * @example
 * ```ts
 * checkAssumptions({ monthlyImages: 100_000, utilisation: 0.5 }); // returns them
 * ```
 */
export function checkAssumptions(assumptions: PricingAssumptions): PricingAssumptions {
  const { monthlyImages, utilisation } = assumptions;
  if (monthlyImages !== undefined && !(Number.isInteger(monthlyImages) && monthlyImages > 0)) {
    throw new VisionBenchError(
      "usage",
      `monthlyImages must be a positive whole number, got ${monthlyImages}`,
    );
  }
  if (utilisation !== undefined && !(utilisation > 0 && utilisation <= 1)) {
    throw new VisionBenchError(
      "usage",
      `utilisation must be above 0 and at most 1, got ${utilisation}`,
    );
  }
  return assumptions;
}

/**
 * The card with your assumptions in place of its own: a subscription's `monthlyVolume` becomes
 * `monthlyImages`, an hourly card's `utilisation` becomes yours. Other cards come back unchanged.
 *
 * @example
 * ```ts
 * import type { PriceCard } from "../contract/price-card.ts";
 * declare const card: PriceCard; // ollama-cloud: $20 / 60,000 images
 * withAssumptions(card, { monthlyImages: 20_000 }); // $20 / 20,000 images
 * ```
 */
export function withAssumptions(card: PriceCard, assumptions: PricingAssumptions = {}): PriceCard {
  checkAssumptions(assumptions);
  if (card.basis === "subscription" && assumptions.monthlyImages !== undefined) {
    return { ...card, monthlyVolume: assumptions.monthlyImages };
  }
  if (card.basis === "hourly" && assumptions.utilisation !== undefined) {
    return { ...card, utilisation: assumptions.utilisation };
  }
  return card;
}

/**
 * Every assumption the cost of a card rests on: the volume of a subscription, the utilisation of
 * an hourly server, then the card's own caveats.
 *
 * @example
 * ```ts
 * import type { PriceCard } from "../contract/price-card.ts";
 * declare const card: PriceCard; // ollama-cloud
 * cardAssumptions(card)[0].text; // "$20 a month ÷ 60,000 images a month (assumed; …)"
 * ```
 */
export function cardAssumptions(card: PriceCard): CardAssumption[] {
  const own: CardAssumption[] = [];
  if (card.basis === "subscription") {
    own.push({
      kind: "volume",
      text: `$${card.perMonth} a month ÷ ${formatCount(card.monthlyVolume)} images a month: ` +
        "an assumed volume, not a quota (set monthlyImages, --monthly-images or " +
        "VB_MONTHLY_IMAGES to yours).",
    });
  }
  if (card.basis === "hourly") {
    own.push({
      kind: "utilisation",
      text: `$${card.perHour}/h × seconds per image, with the server busy ` +
        `${formatShare(card.utilisation ?? 1)} of the time and as many calls in flight as the ` +
        "run had (set utilisation, --utilisation or VB_UTILISATION to yours).",
    });
  }
  return [...own, ...(card.caveats ?? [])];
}
