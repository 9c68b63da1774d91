/**
 * A zod schema turned into a plain predicate, for checks that run on every call. `safeParse`
 * builds a result, an issue list and a copy of every object it walks; a record checked per call
 * pays for all of it though it almost always passes. The predicate is built from the schema
 * itself, so the schema stays the one statement of what is valid: the predicate only answers
 * yes or no, and a no goes back to zod for the reason.
 *
 * The predicate accepts only what the schema accepts. Any part of a schema it does not know
 * (a refinement, a transform, a check kind it has no rule for) is handed to zod's own
 * `safeParse` for that part alone.
 *
 * @module
 */
import type { z } from "zod";

/** A yes/no check of an unknown value. */
export type Check = (value: unknown) => boolean;

interface CheckDef {
  check: string;
  value?: number | bigint;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
  format?: string;
  pattern?: RegExp;
}

/** What zod keeps about a schema (`_zod.def`): the parts read here. */
interface SchemaDef {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  innerType?: ZodLike;
  shape?: Record<string, ZodLike>;
  discriminator?: string;
  inclusive?: boolean;
  element?: ZodLike;
  options?: ZodLike[];
  entries?: Record<string, string | number>;
  values?: unknown[];
}

interface ZodLike {
  _zod: { def: SchemaDef };
  safeParse(value: unknown): { success: boolean };
}

/**
 * A predicate that is true exactly when `schema.safeParse(value).success` is.
 *
 * @example
 * ```ts
 * const isCount = compileCheck(z.number().int().nonnegative());
 * isCount(3); // true
 * isCount(-1); // false
 * ```
 */
export function compileCheck(schema: z.ZodType): Check {
  return compile(schema as unknown as ZodLike);
}

/**
 * The def keys each schema type may have for the predicate to know it whole. Anything else (a
 * string `format`, `coerce`, a catchall, an exclusive union…) sends that part to zod.
 */
const KNOWN_KEYS: Record<string, readonly string[]> = {
  string: ["type", "checks"],
  number: ["type", "checks"],
  boolean: ["type"],
  unknown: ["type"],
  any: ["type"],
  enum: ["type", "entries"],
  literal: ["type", "values"],
  optional: ["type", "innerType"],
  array: ["type", "element", "checks"],
  // A discriminated union picks the one option whose tag matches; as the tags differ, that is
  // "some option passes". An exclusive union without a tag (`inclusive: false`) is not.
  union: ["type", "options", "discriminator", "inclusive"],
  object: ["type", "shape"],
};

function compile(schema: ZodLike): Check {
  const def = schema._zod.def;
  const byZod: Check = (value) => schema.safeParse(value).success;
  const known = KNOWN_KEYS[def.type];
  if (!known || Object.keys(def).some((key) => !known.includes(key))) return byZod;
  if (def.type === "union" && def.inclusive === false && def.discriminator === undefined) {
    return byZod;
  }
  const rules = (def.checks ?? []).map((check) => ruleOf(check._zod.def));
  if (rules.some((rule) => rule === undefined)) return byZod;
  const passes = rules as Check[];
  const withRules = (base: Check): Check =>
    passes.length === 0 ? base : (value) => {
      if (!base(value)) return false;
      // A loop, not `every` with an arrow: no closure allocated per check of every record.
      for (const rule of passes) if (!rule(value)) return false;
      return true;
    };
  switch (def.type) {
    case "string":
      return withRules((value) => typeof value === "string");
    case "number":
      return withRules((value) => typeof value === "number" && Number.isFinite(value));
    case "boolean":
      return (value) => typeof value === "boolean";
    case "unknown":
    case "any":
      return () => true;
    case "enum": {
      const allowed = new Set<unknown>(Object.values(def.entries!));
      return (value) => allowed.has(value);
    }
    case "literal": {
      const allowed = new Set(def.values!);
      return (value) => allowed.has(value);
    }
    case "optional": {
      const inner = compile(def.innerType!);
      return (value) => value === undefined || inner(value);
    }
    case "array": {
      const element = compile(def.element!);
      return withRules((value) => Array.isArray(value) && value.every(element));
    }
    case "union": {
      const options = def.options!.map(compile);
      return (value) => options.some((option) => option(value));
    }
    case "object": {
      const fields = Object.entries(def.shape!).map(([key, field]) =>
        [key, compile(field)] as const
      );
      return (value) => {
        if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
        const object = value as Record<string, unknown>;
        for (const [key, check] of fields) if (!check(object[key])) return false;
        return true;
      };
    }
    default:
      return byZod;
  }
}

/** The rule of one zod check on a string, array or number; undefined when not known here. */
function ruleOf(check: CheckDef): Check | undefined {
  switch (check.check) {
    case "min_length":
      return (value) => (value as { length: number }).length >= check.minimum!;
    case "max_length":
      return (value) => (value as { length: number }).length <= check.maximum!;
    case "greater_than": {
      const bound = check.value;
      if (typeof bound !== "number") return undefined;
      return check.inclusive
        ? (value) => (value as number) >= bound
        : (value) => (value as number) > bound;
    }
    case "less_than": {
      const bound = check.value;
      if (typeof bound !== "number") return undefined;
      return check.inclusive
        ? (value) => (value as number) <= bound
        : (value) => (value as number) < bound;
    }
    case "number_format":
      return check.format === "safeint"
        ? (value) => Number.isSafeInteger(value as number)
        : undefined;
    case "string_format": {
      // `.regex()` (the price card's `asOf`), tested as zod tests it: from the start each time.
      const pattern = check.pattern;
      if (check.format !== "regex" || !(pattern instanceof RegExp)) return undefined;
      return (value) => {
        pattern.lastIndex = 0;
        return pattern.test(value as string);
      };
    }
    default:
      return undefined;
  }
}
