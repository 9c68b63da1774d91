/**
 * Emulators answer structured-output requests with a value that conforms to the schema the
 * client sent (JSON Schema, or Gemini's OpenAPI-style `Schema` with upper-case types): the
 * adapter under test must then validate it with its own zod schema.
 *
 * @module
 */

type Schema = { [key: string]: unknown };

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A value conforming to `schema`, strings taken from `text` so answers read like descriptions.
 *
 * @example
 * ```ts
 * sampleFromSchema({ type: "object", properties: { tags: { type: "array", items: { type: "string" } } } }, "a red car");
 * // { tags: ["a", "red"] }
 * ```
 */
export function sampleFromSchema(schema: unknown, text: string): unknown {
  const words = text.split(/\s+/).filter(Boolean);
  return sample(schema, words, 0);
}

function sample(schema: unknown, words: string[], depth: number): unknown {
  if (!isSchema(schema) || depth > 8) return null;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ("const" in schema) return schema.const;
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const options = schema[key];
    if (Array.isArray(options)) {
      const first = options.find((option) => !(isSchema(option) && option.type === "null"));
      return sample(first, words, depth + 1);
    }
  }
  const rawType = Array.isArray(schema.type)
    ? schema.type.find((type) => String(type).toLowerCase() !== "null")
    : schema.type;
  const type = typeof rawType === "string"
    ? rawType.toLowerCase()
    : isSchema(schema.properties)
    ? "object"
    : "string";
  switch (type) {
    case "object": {
      const properties = isSchema(schema.properties) ? schema.properties : {};
      return Object.fromEntries(
        Object.entries(properties).map((
          [name, property],
        ) => [name, sample(property, words, depth + 1)]),
      );
    }
    case "array": {
      const minimum = typeof schema.minItems === "number" ? schema.minItems : 2;
      const maximum = typeof schema.maxItems === "number" ? schema.maxItems : Math.max(minimum, 2);
      const count = Math.max(minimum, Math.min(2, maximum));
      return Array.from(
        { length: count },
        (_, index) => sample(schema.items, words.slice(index), depth + 1),
      );
    }
    case "integer":
      return typeof schema.minimum === "number" ? Math.ceil(schema.minimum) : 3;
    case "number":
      return typeof schema.minimum === "number" ? schema.minimum : 0.9;
    case "boolean":
      return true;
    case "null":
      return null;
    default: {
      const minLength = typeof schema.minLength === "number" ? schema.minLength : 1;
      const maxLength = typeof schema.maxLength === "number" ? schema.maxLength : Infinity;
      let value = words.slice(0, depth === 1 ? words.length : 1).join(" ") || "thing";
      while (value.length < minLength) value += " thing";
      return value.slice(0, maxLength);
    }
  }
}
