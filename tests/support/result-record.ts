/**
 * A valid `ResultRecord` for tests that build records by hand.
 *
 * @module
 */
import type { ResultRecord } from "../../lib/contract/record.ts";

let counter = 0;

/**
 * An ok record with every required field set and a fresh `recordId` / `caseKey`; `overrides`
 * win. Defaults: run `run-1`, platform/preset `alpha`, model `model-a`, image `o01_cat`,
 * variant `512`, prompt `default`, text "A tabby cat.".
 *
 * @example
 * ```ts
 * const failed = resultRecord({ status: "error", text: "", platform: "beta" });
 * ```
 */
export function resultRecord(overrides: Partial<ResultRecord> = {}): ResultRecord {
  counter++;
  return {
    runId: "run-1",
    recordId: `record-${counter}`,
    createdAt: "2026-11-25T19:40:12.000Z",
    caseKey: `case-${counter}`,
    platform: "alpha",
    model: "model-a",
    preset: "alpha",
    imageId: "o01_cat",
    imageSha256: "ab",
    variant: "512",
    promptId: "default",
    prompt: "Describe this image.",
    repeat: 0,
    status: "ok",
    text: "A tabby cat.",
    attempts: 1,
    cached: false,
    ...overrides,
  };
}
