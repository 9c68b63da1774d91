import assert from "node:assert/strict";
import {
  formatCount,
  formatDuration,
  formatScore,
  formatSeconds,
  formatShare,
  formatUsd,
  orDash,
} from "../../lib/util/format.ts";

Deno.test("formatUsd() reads like a person writes dollars, cheap platforms told apart", () => {
  assert.deepEqual([0.04, 1.868, 0.0031, 0, 0.5, 123.4, 9035].map(formatUsd), [
    "$0.04",
    "$1.87",
    "$0.0031",
    "$0",
    "$0.50",
    "$123",
    "$9,035",
  ]);
});

Deno.test("formatDuration() reads as ms, seconds, minutes or hours", () => {
  assert.deepEqual(
    [20, 850, 2400, 49_300, 184_000, 3_720_000].map(formatDuration),
    ["20 ms", "850 ms", "2.4 s", "49 s", "3.1 min", "1.0 h"],
  );
});

Deno.test("formatSeconds() is a bare number of seconds, two significant digits", () => {
  assert.deepEqual([12, 2400, 49_300, 1_234_000].map(formatSeconds), [
    "0.012",
    "2.4",
    "49",
    "1,234",
  ]);
});

Deno.test("formatCount(), formatScore() and formatShare() round to what a reader needs", () => {
  assert.equal(formatCount(1234.4), "1,234");
  assert.equal(formatScore(6.54), "6.5");
  assert.equal(formatScore(7), "7.0");
  assert.equal(formatShare(0.637), "64 %");
});

Deno.test("orDash() writes a missing or non-finite value as a dash", () => {
  const usd = orDash(formatUsd);
  assert.deepEqual([undefined, null, NaN, Infinity, 2].map(usd), ["—", "—", "—", "—", "$2.00"]);
});
