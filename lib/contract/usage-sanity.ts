/**
 * What a platform reports as usage is data from outside: an SDK types `prompt_tokens` as a
 * number, but a proxy or a broken server can send -5, "12" or 1e308. A count that is not a
 * plausible non-negative number is left out (`undefined`, as "not reported") with a warning that
 * names the field, so the record stays readable and its cost is computed from what is sane — or
 * not at all — never from garbage.
 *
 * @module
 */
import type { Description, PlatformTiming, Usage } from "./adapter.ts";

/** More tokens than any single vision call bills (the largest context windows are ~2M). */
export const MAX_PLAUSIBLE_TOKENS = 100_000_000;
/** More seconds than any single call runs (a day). */
export const MAX_PLAUSIBLE_SECONDS = 86_400;

const TOKEN_FIELDS = [
  "inputTokens",
  "outputTokens",
  "imageTokens",
  "reasoningTokens",
  "cachedInputTokens",
  "totalTokens",
] as const satisfies readonly (keyof Usage)[];

/** Timing fields in milliseconds, and the billed seconds. */
const MS_FIELDS = [
  "queueMs",
  "serverMs",
  "loadMs",
  "promptEvalMs",
  "evalMs",
] as const satisfies readonly (keyof PlatformTiming)[];

/**
 * `description` with every implausible usage count and timing left out, and one warning per
 * field left out.
 *
 * @example
 * ```ts
 * const sane = withSaneUsage({ text: "a cat", finishReason: "stop", usage: { inputTokens: -5 } });
 * sane.usage.inputTokens; // undefined
 * sane.warnings; // ["usage: inputTokens = -5 is not a plausible count; left out"]
 * ```
 */
export function withSaneUsage(description: Description): Description {
  const warnings: string[] = [];
  const check = (field: string, value: unknown, max: number): number | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= max) {
      return value;
    }
    const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : String(value);
    warnings.push(`usage: ${field} = ${shown} is not a plausible count; left out`);
    return undefined;
  };
  const usage: Usage = { ...description.usage };
  for (const field of TOKEN_FIELDS) {
    if (field in usage) usage[field] = check(field, usage[field], MAX_PLAUSIBLE_TOKENS);
  }
  let timing = description.timing;
  if (timing) {
    timing = { ...timing };
    if ("gpuSeconds" in timing) {
      timing.gpuSeconds = check("gpuSeconds", timing.gpuSeconds, MAX_PLAUSIBLE_SECONDS);
    }
    for (const field of MS_FIELDS) {
      if (field in timing) {
        timing[field] = check(field, timing[field], MAX_PLAUSIBLE_SECONDS * 1000);
      }
    }
  }
  if (warnings.length === 0) return description;
  return {
    ...description,
    usage,
    timing,
    warnings: [...(description.warnings ?? []), ...warnings],
  };
}
