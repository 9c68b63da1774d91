/**
 * Structural comparison of JSON values for the emulator fidelity check: what keys an answer has
 * (recursively) and what JSON type each holds, never the values. Arrays contribute the union of
 * their elements' shapes, so `[{a}, {b}]` has items with keys `a` and `b`. `null` matches any
 * type (it is a value of a nullable field), so only two different non-null types differ.
 *
 * @module
 */

/** The JSON type names a shape records. */
export type JsonType = "string" | "number" | "boolean" | "null" | "object" | "array";

/** The structure of a JSON value (or the union of several). */
export interface Shape {
  types: Set<JsonType>;
  /** Keys of the object(s), when one of `types` is "object". */
  keys: Map<string, Shape>;
  /** Union of the elements, when one of `types` is "array" and some array was not empty. */
  items?: Shape;
}

/** One structural difference, at a path like `choices[].message.refusal`. */
export interface ShapeDifference {
  path: string;
  problem: string;
}

/** A difference the fixture accepts on purpose, with why. */
export interface Allowed {
  /** The difference's path, or a prefix of it ending at a key (`output` allows `output.text`). */
  path: string;
  reason: string;
}

function typeOf(value: unknown): JsonType {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  const type = typeof value;
  if (type === "string" || type === "number" || type === "boolean") return type;
  return "object";
}

function empty(): Shape {
  return { types: new Set(), keys: new Map() };
}

/** Adds `value`'s structure to `into` (a union). */
function addValue(into: Shape, value: unknown): Shape {
  const type = typeOf(value);
  into.types.add(type);
  if (type === "object") {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      into.keys.set(key, addValue(into.keys.get(key) ?? empty(), child));
    }
  }
  if (type === "array") {
    for (const element of value as unknown[]) into.items = addValue(into.items ?? empty(), element);
  }
  return into;
}

/**
 * The shape of one or more JSON values (their union).
 *
 * @example
 * ```ts
 * const shape = shapeOf({ usage: { input_tokens: 3 } });
 * shape.keys.get("usage")?.keys.has("input_tokens"); // true
 * ```
 */
export function shapeOf(...values: unknown[]): Shape {
  const shape = empty();
  for (const value of values) addValue(shape, value);
  return shape;
}

/**
 * A shape as canonical text (sorted keys, items included), to tell shapes apart.
 *
 * @example
 * ```ts
 * shapeText(shapeOf({ b: [1], a: null })); // "object{a:null,b:array[number]}"
 * ```
 */
export function shapeText(shape: Shape): string {
  const keys = [...shape.keys.keys()].sort()
    .map((key) => `${key}:${shapeText(shape.keys.get(key)!)}`);
  return `${[...shape.types].sort().join("|")}${keys.length ? `{${keys.join(",")}}` : ""}${
    shape.items ? `[${shapeText(shape.items)}]` : ""
  }`;
}

/** The non-null types, as text: `null` is a value of a nullable field, not a structure. */
function typesText(types: Set<JsonType>): string {
  return [...types].filter((type) => type !== "null").sort().join("|");
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function compare(
  recorded: Shape,
  emulated: Shape,
  path: string,
  out: ShapeDifference[],
): void {
  const want = typesText(recorded.types);
  const got = typesText(emulated.types);
  // A field null on one side (`usage: null` mid-stream, `started_at: null` while queued) says
  // nothing about its structure; two different non-null types do.
  if (want && got && want !== got) {
    out.push({ path: path || "(root)", problem: `type: recorded ${want}, emulator ${got}` });
  }
  if (!recorded.types.has("object") || !emulated.types.has("object")) {
    if (recorded.items && emulated.items) compare(recorded.items, emulated.items, `${path}[]`, out);
    return;
  }
  for (const [key, child] of recorded.keys) {
    const other = emulated.keys.get(key);
    if (!other) out.push({ path: join(path, key), problem: "in the recording, not the emulator" });
    else compare(child, other, join(path, key), out);
  }
  for (const key of emulated.keys.keys()) {
    if (!recorded.keys.has(key)) {
      out.push({ path: join(path, key), problem: "in the emulator, not the recording" });
    }
  }
  // An empty array on either side says nothing about its elements.
  if (recorded.items && emulated.items) compare(recorded.items, emulated.items, `${path}[]`, out);
}

/**
 * Every structural difference between a recorded value and an emulated one, each with its path.
 *
 * @example
 * ```ts
 * diffShapes({ a: { b: 1 } }, { a: { c: 1 } });
 * // [{ path: "a.b", problem: "in the recording, not the emulator" },
 * //  { path: "a.c", problem: "in the emulator, not the recording" }]
 * ```
 */
export function diffShapes(recorded: unknown, emulated: unknown): ShapeDifference[] {
  const out: ShapeDifference[] = [];
  compare(shapeOf(recorded), shapeOf(emulated), "", out);
  return out;
}

/** Whether `allowed` covers a difference at `path` (the same path, or a key path under it). */
function covers(allowed: string, path: string): boolean {
  return path === allowed || path.startsWith(`${allowed}.`) || path.startsWith(`${allowed}[]`);
}

/**
 * The differences no allow-list entry covers, and the entries that covered nothing (a stale
 * entry is itself a finding: the emulator or the recording changed).
 *
 * @example
 * ```ts
 * const { unexpected, unused } = applyAllowList(diffShapes(recorded, emulated), [
 *   { path: "obfuscation", reason: "stream padding no SDK reads" },
 * ]);
 * ```
 */
export function applyAllowList(
  differences: ShapeDifference[],
  allowList: readonly Allowed[],
): { unexpected: ShapeDifference[]; unused: Allowed[] } {
  const used = new Set<Allowed>();
  const unexpected = differences.filter((difference) => {
    const entry = allowList.find((allowed) => covers(allowed.path, difference.path));
    if (entry) used.add(entry);
    return !entry;
  });
  return { unexpected, unused: allowList.filter((entry) => !used.has(entry)) };
}

/** Differences as lines for an assertion message. */
export function formatDifferences(differences: ShapeDifference[]): string {
  return differences.map((difference) => `  ${difference.path}: ${difference.problem}`).join("\n");
}
