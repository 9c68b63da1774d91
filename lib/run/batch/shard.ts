/**
 * Sharding: fills batches up to a platform's request-count and byte limits, in case order.
 *
 * @module
 */
import { VisionBenchError } from "../../contract/errors.ts";
import type { BatchLimits } from "../../contract/batch-adapter.ts";

/** A batch being filled. */
export interface OpenShard<Item> {
  items: Item[];
  bytes: number;
}

/**
 * Packs items into shards as they come: `add` says whether the item starts a new shard (the
 * current one is then full and returned as `full`). An item larger than `maxBytes` on its own
 * is refused (`tooLarge`): no batch could hold it.
 *
 * @example
 * ```ts
 * const packer = createShardPacker<string>({ maxRequests: 2, maxBytes: 100 });
 * packer.add("a", 10); packer.add("b", 10);
 * packer.add("c", 10).full; // ["a", "b"]
 * ```
 */
export function createShardPacker<Item>(limits: BatchLimits) {
  if (!Number.isInteger(limits.maxRequests) || limits.maxRequests < 1) {
    throw new VisionBenchError(
      "usage",
      `maxRequests must be an integer >= 1, got ${limits.maxRequests}`,
    );
  }
  if (!(limits.maxBytes > 0)) {
    throw new VisionBenchError("usage", `maxBytes must be > 0, got ${limits.maxBytes}`);
  }
  let current: OpenShard<Item> = { items: [], bytes: 0 };
  return {
    add(item: Item, bytes: number): { full?: Item[]; tooLarge?: boolean } {
      if (bytes > limits.maxBytes) return { tooLarge: true };
      let full: Item[] | undefined;
      if (
        current.items.length >= limits.maxRequests || current.bytes + bytes > limits.maxBytes
      ) {
        full = current.items;
        current = { items: [], bytes: 0 };
      }
      current.items.push(item);
      current.bytes += bytes;
      return { full };
    },
    /** The last, partly filled shard (empty when nothing is left). */
    rest(): Item[] {
      const rest = current.items;
      current = { items: [], bytes: 0 };
      return rest;
    },
  };
}
