/**
 * Structured output for OpenAI-compatible platforms: the zod schema as a `strict` JSON schema,
 * and the answer parsed back through the same zod schema.
 *
 * Strict mode wants every object closed (`additionalProperties: false`) and every property in
 * `required`; an optional property is therefore sent as required-but-nullable, and the `null`
 * the model puts there is dropped again before zod validates.
 *
 * @module
 */
import { z } from "zod";
import type { StructuredSchema } from "../lib/contract/adapter.ts";
import { VisionBenchError } from "../lib/contract/errors.ts";

type JsonSchema = { [key: string]: unknown };

function isRecord(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The JSON schema of `schema`, made acceptable to OpenAI's `strict: true`.
 *
 * @example
 * ```ts
 * strictJsonSchema(z.object({ tags: z.array(z.string()), note: z.string().optional() }));
 * // { type: "object", required: ["tags", "note"], additionalProperties: false, … }
 * ```
 */
export function strictJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema) as JsonSchema;
  return strictNode(json);
}

function strictNode(node: unknown): JsonSchema {
  if (!isRecord(node)) return node as JsonSchema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (Array.isArray(value)) {
      out[key] = value.map((item) => isRecord(item) ? strictNode(item) : item);
    } else if (isRecord(value) && key !== "properties") out[key] = strictNode(value);
    else out[key] = value;
  }
  if (isRecord(node.properties)) {
    const required = new Set(Array.isArray(node.required) ? node.required as string[] : []);
    const properties: JsonSchema = {};
    for (const [name, property] of Object.entries(node.properties)) {
      const strict = strictNode(property);
      properties[name] = required.has(name) ? strict : { anyOf: [strict, { type: "null" }] };
    }
    out.properties = properties;
    out.required = Object.keys(properties);
    out.additionalProperties = false;
  }
  return out;
}

/**
 * Parses the model's text as JSON and validates it with the request's zod schema. Invalid JSON
 * or a shape the schema rejects is an `invalid_response` (the model, not the call, failed).
 */
export function parseStructured(
  text: string,
  structured: StructuredSchema,
  platform?: string,
): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new VisionBenchError("invalid_response", `structured answer is not JSON`, {
      platform,
      cause,
    });
  }
  const first = structured.schema.safeParse(value);
  if (first.success) return first.data;
  const second = structured.schema.safeParse(withoutNulls(value));
  if (second.success) return second.data;
  throw new VisionBenchError(
    "invalid_response",
    `structured answer does not match schema ${structured.name}: ${first.error.message}`,
    { platform, cause: first.error },
  );
}

/** Drops `null` object properties (the optional fields strict mode forced to be present). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value).filter(([, item]) => item !== null).map((
      [key, item],
    ) => [key, withoutNulls(item)]),
  );
}
