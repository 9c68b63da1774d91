/**
 * What a platform answered, made safe to keep — once, in `lib/run`, before the answer reaches a
 * record, the response cache, a notebook, the report or the console:
 *
 * - every string it sent (text, structured output, warnings, raw finish reason and model) has
 *   the registered secrets, auth header values and URL credentials redacted — a platform that
 *   echoes the `Authorization` header must not publish the key;
 * - usage that is not a plausible count is left out with a warning (see `withSaneUsage`);
 * - a description longer than {@link MAX_DESCRIPTION_CHARS} is an `invalid_response`.
 *
 * @module
 */
import type { Description } from "../contract/adapter.ts";
import { VisionBenchError } from "../contract/errors.ts";
import { withSaneUsage } from "../contract/usage-sanity.ts";
import { redact, redactDeep } from "../util/secrets.ts";

/**
 * The longest description kept (characters): hundreds of times a 300-token answer, far below
 * what would bloat a JSONL line, the cache or the report.
 */
export const MAX_DESCRIPTION_CHARS = 1_000_000;

/**
 * `description`, redacted and sanity-checked; throws `invalid_response` (code
 * `response_too_large`, not retryable) when the text is longer than {@link MAX_DESCRIPTION_CHARS}.
 *
 * @example
 * ```ts
 * import { registerSecret } from "../util/secrets.ts";
 * registerSecret("sk-live-0123456789");
 * cleanDescription({ text: "echo: Bearer sk-live-0123456789", finishReason: "stop", usage: {} }).text;
 * // "echo: Bearer ***"
 * ```
 */
export function cleanDescription(description: Description, platform?: string): Description {
  const length = description.text.length;
  if (length > MAX_DESCRIPTION_CHARS) {
    throw new VisionBenchError(
      "invalid_response",
      `the answer is ${length} characters long, more than the ${MAX_DESCRIPTION_CHARS} a description may have`,
      { platform, code: "response_too_large", retryable: false },
    );
  }
  const sane = withSaneUsage(description);
  return {
    ...sane,
    text: redact(sane.text),
    structured: sane.structured === undefined ? undefined : redactDeep(sane.structured),
    warnings: sane.warnings?.map((warning) => redact(warning, { maxLength: 500 })),
    rawFinishReason: sane.rawFinishReason === undefined
      ? undefined
      : redact(sane.rawFinishReason, { maxLength: 200 }),
    responseModel: sane.responseModel === undefined
      ? undefined
      : redact(sane.responseModel, { maxLength: 200 }),
  };
}
