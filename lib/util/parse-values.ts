/**
 * Reading numbers typed by a user (CLI flags, `VB_*` variables): one place, one error — a
 * `config` error that names the flag and repeats what was typed.
 *
 * @module
 */
import { VisionBenchError } from "../contract/errors.ts";

/**
 * A number ≥ `min` (and ≤ `max` when given), or `undefined` when `value` is unset.
 *
 * @example
 * ```ts
 * parseNumber("0.5", "--timeout", { min: 0.001, max: 2_147_483 }); // 0.5
 * ```
 */
export function parseNumber(
  value: string | undefined,
  name: string,
  range: { min: number; max?: number },
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed < range.min) {
    throw new VisionBenchError("config", `${name} must be a number ≥ ${range.min}, got "${value}"`);
  }
  if (range.max !== undefined && parsed > range.max) {
    throw new VisionBenchError("config", `${name} must be at most ${range.max}, got "${value}"`);
  }
  return parsed;
}

/**
 * A whole number ≥ 1 (and ≤ `max` when given), or `undefined` when `value` is unset.
 *
 * @example
 * ```ts
 * parsePositiveInteger("3", "--limit"); // 3
 * parsePositiveInteger("1e6", "--repeat", { max: 1_000_000 }); // 1000000
 * ```
 */
export function parsePositiveInteger(
  value: string | undefined,
  name: string,
  range: { max?: number } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isInteger(parsed) || parsed < 1) {
    throw new VisionBenchError("config", `${name} must be a positive integer, got "${value}"`);
  }
  if (range.max !== undefined && parsed > range.max) {
    throw new VisionBenchError("config", `${name} must be at most ${range.max}, got "${value}"`);
  }
  return parsed;
}
