import { isUsageError } from "../support/usage-error.ts";
import assert from "node:assert/strict";
import { createShardPacker } from "../../lib/run/batch/shard.ts";

Deno.test("createShardPacker: fills to the request count and the byte limit, refuses an item no batch can hold", () => {
  const packer = createShardPacker<string>({ maxRequests: 3, maxBytes: 100 });
  const full: string[][] = [];
  for (
    const [item, bytes] of [["a", 40], ["b", 40], ["c", 40], ["d", 10], ["e", 10], [
      "f",
      10,
    ]] as const
  ) {
    const added = packer.add(item, bytes);
    if (added.full) full.push(added.full);
  }
  assert.deepEqual(full, [["a", "b"], ["c", "d", "e"]]);
  assert.deepEqual(packer.add("huge", 101), { tooLarge: true });
  assert.deepEqual(packer.rest(), ["f"]);
  assert.deepEqual(packer.rest(), []);
});

Deno.test("createShardPacker: limits that cannot hold anything are a usage error", () => {
  assert.throws(() => createShardPacker({ maxRequests: 0, maxBytes: 10 }), isUsageError);
  assert.throws(() => createShardPacker({ maxRequests: 1, maxBytes: 0 }), isUsageError);
});
