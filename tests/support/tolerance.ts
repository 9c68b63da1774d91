/**
 * "Within N %" assertions, for billed versus estimated token counts.
 *
 * @module
 */
import assert from "node:assert/strict";

/** Options of {@link assertWithin}. */
export interface WithinOptions {
  /** Allowed relative difference to `expected`. @default 0.05 */
  relative?: number;
  /** What the numbers are, for the failure message. @default "" */
  label?: string;
}

/**
 * Asserts `|actual - expected| <= expected × relative`.
 *
 * @example
 * ```ts
 * assertWithin(billed, estimate, { relative: 0.05, label: "o01_cat.png" });
 * ```
 */
export function assertWithin(actual: number, expected: number, options: WithinOptions = {}): void {
  const relative = options.relative ?? 0.05;
  assert.ok(
    Math.abs(actual - expected) <= expected * relative,
    `${options.label ?? ""}: got ${actual}, expected ${expected} ± ${relative * 100}%`,
  );
}
