/**
 * The predicate tests give `assert.throws` / `assert.rejects` for a bad argument: a
 * `VisionBenchError` of kind `usage` (visionbench throws no RangeError or TypeError).
 *
 * @module
 */
import { isVisionBenchError } from "../../lib/contract/errors.ts";

/** True for a `usage` {@link VisionBenchError}; anything else fails the assertion. */
export function isUsageError(error: unknown): boolean {
  return isVisionBenchError(error, "usage");
}
