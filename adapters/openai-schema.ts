/**
 * Structured output for OpenAI-compatible platforms: the zod schema as a `strict` JSON schema.
 * The answer is parsed back by `lib/contract/structured-output.ts`, like every platform's.
 *
 * Strict mode wants every object closed (`additionalProperties: false`) and every property in
 * `required`; an optional property is therefore sent as required-but-nullable, and the `null`
 * the model puts there is dropped again by the shared parser before zod validates.
 *
 * @module
 */
import { z } from "zod";

type JsonSchema = { [key: string]: unknown };

function isRecord(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The JSON schema of `schema`, made acceptable to OpenAI's `strict: true`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
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
