import assert from "node:assert/strict";
import { isVisionBenchError } from "../../lib/contract/errors.ts";
import { parseNumber, parsePositiveInteger } from "../../lib/util/parse-values.ts";

Deno.test("parsePositiveInteger() reads whole numbers ≥ 1 and names the flag otherwise", () => {
  assert.equal(parsePositiveInteger("3", "--limit"), 3);
  assert.equal(parsePositiveInteger(undefined, "--limit"), undefined);
  for (const bad of ["0", "-2", "1.5", "three", ""]) {
    assert.throws(() => parsePositiveInteger(bad, "--limit"), (error) => {
      assert.ok(isVisionBenchError(error, "config"));
      assert.equal(error.message, `--limit must be a positive integer, got "${bad}"`);
      return true;
    });
  }
});

Deno.test("parseNumber() enforces its minimum and rejects what is not a number", () => {
  assert.equal(parseNumber("0.5", "--timeout", { min: 0.001 }), 0.5);
  assert.equal(parseNumber("0", "--temperature", { min: 0 }), 0);
  assert.throws(
    () => parseNumber("0", "--timeout", { min: 0.001 }),
    /--timeout must be a number ≥ 0.001/,
  );
  assert.throws(() => parseNumber("fast", "--timeout", { min: 0.001 }), /got "fast"/);
});
