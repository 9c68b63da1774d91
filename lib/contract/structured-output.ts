/**
 * The one structured-output parser every adapter uses. Whatever mechanism a platform has
 * (json_schema, responseJsonSchema, a forced tool, Ollama `format`, Workers AI JSON mode), the
 * answer comes back as JSON text or as an already-parsed value, and is validated here by the
 * request's zod schema. A bad answer is an `invalid_response`: the model failed, not the call.
 *
 * @module
 */
import { z } from "zod";
import type { StructuredSchema } from "./adapter.ts";
import { VisionBenchError } from "./errors.ts";

/** The answer to validate: JSON text the model wrote, or a value the platform already parsed. */
export type StructuredAnswer = { json: string } | { value: unknown };

/**
 * Parses and validates a structured answer. OpenAI's strict mode makes optional fields
 * required-but-nullable, so when the value fails as sent it is tried once more with its `null`
 * properties dropped.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * const venue = { name: "venue", schema: z.object({ tags: z.array(z.string()) }) };
 * parseStructuredOutput({ json: '{"tags":["stage"]}' }, venue, "openai"); // { tags: ["stage"] }
 * parseStructuredOutput({ value: { tags: "stage" } }, venue, "anthropic"); // throws invalid_response
 * ```
 */
export function parseStructuredOutput(
  answer: StructuredAnswer,
  structured: StructuredSchema,
  platform: string,
): unknown {
  let value: unknown;
  if ("json" in answer) {
    try {
      value = JSON.parse(answer.json);
    } catch (cause) {
      throw new VisionBenchError(
        "invalid_response",
        `${platform}: asked for JSON (${structured.name}), the structured answer is not JSON`,
        { platform, cause },
      );
    }
  } else {
    value = answer.value;
  }
  const first = structured.schema.safeParse(value);
  if (first.success) return first.data;
  const second = structured.schema.safeParse(withoutNulls(value));
  if (second.success) return second.data;
  throw new VisionBenchError(
    "invalid_response",
    `${platform}: structured answer does not match schema ${structured.name}: ${
      z.prettifyError(first.error)
    }`.slice(0, 1000),
    { platform, cause: first.error },
  );
}

/** Drops `null` object properties (the optional fields strict mode forced to be present). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).filter(([, item]) => item !== null)
      .map(([key, item]) => [key, withoutNulls(item)]),
  );
}
