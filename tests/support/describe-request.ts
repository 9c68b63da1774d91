/**
 * `DescribeRequest` builders for the adapter tests.
 *
 * @module
 */
import type { DescribeRequest, ImagePayload } from "../../lib/contract/adapter.ts";

/** The benchmark's default prompt. */
export const DESCRIBE_PROMPT = "Describe everything you see in this image in detail.";

/**
 * A `request(overrides)` function for one test file: `image`, {@link DESCRIBE_PROMPT},
 * `maxOutputTokens` 300 and no streaming, unless `defaults` or `overrides` say otherwise.
 *
 * @example
 * ```ts
 * const request = describeRequests(await samplePayload("o01_cat.png"));
 * await adapter.describe(request({ stream: true }));
 * ```
 */
export function describeRequests(
  image: ImagePayload,
  defaults: Partial<DescribeRequest> = {},
): (overrides?: Partial<DescribeRequest>) => DescribeRequest {
  return (overrides = {}) => ({
    image,
    prompt: DESCRIBE_PROMPT,
    maxOutputTokens: 300,
    stream: false,
    ...defaults,
    ...overrides,
  });
}
