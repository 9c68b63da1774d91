/**
 * The compiled record check gives zod's verdict: every field of the record (and of its nested
 * objects: price card, timing, raw, error) is set to each of a range of values, and the
 * predicate must agree with `ResultRecordSchema.safeParse` every time.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { compileCheck } from "../../lib/contract/compiled-check.ts";
import { isValidRecord, ResultRecordSchema } from "../../lib/contract/record.ts";
import { loadPriceCards } from "../../lib/price/cost.ts";
import { resultRecord } from "../support/result-record.ts";

/** A real price card (data/prices.json): the nested object every ok record carries. */
const price = (await loadPriceCards()).get("openai/gpt-4o-mini")!;

/** Values every field is tried with: right and wrong types, bounds, non-finite numbers. */
const PROBES: unknown[] = [
  undefined,
  null,
  "",
  "x",
  "ok",
  "error",
  "live",
  "tokens",
  "network",
  "2026-11-30",
  "2026-11-30T00:00:00Z",
  "26-11-30",
  -1,
  -0.5,
  0,
  0.5,
  1,
  3,
  2 ** 53,
  NaN,
  Infinity,
  -Infinity,
  true,
  false,
  [],
  ["a"],
  [1],
  [undefined],
  {},
  { finishReason: "stop" },
  { finishReason: 1 },
];

const fullRecord = () =>
  resultRecord({
    width: 512,
    height: 384,
    bytes: 1000,
    mimeType: "image/jpeg",
    maxOutputTokens: 300,
    latencyMs: 812.5,
    ttftMs: 300,
    inputTokens: 8509,
    outputTokens: 20,
    raw: { finishReason: "stop", model: "m" },
    timing: { queueMs: 1, serverMs: 2, coldStart: false },
    costUsd: 0.001,
    costBasis: "tokens",
    price,
    concurrency: 64,
    warnings: ["w"],
    error: { kind: "network", message: "m", status: 500, code: "x" },
  });

function agree(value: unknown, label: string): void {
  assert.equal(
    isValidRecord(value),
    ResultRecordSchema.safeParse(value).success,
    `verdicts differ for ${label}`,
  );
}

Deno.test("isValidRecord agrees with the schema on every field set to every probe", () => {
  const base = fullRecord();
  agree(base, "the full record");
  assert.equal(isValidRecord(base), true);
  let rejected = 0;
  for (const key of Object.keys(ResultRecordSchema.shape)) {
    for (const probe of PROBES) {
      const record = { ...base, [key]: probe };
      agree(record, `${key} = ${String(probe)}`);
      if (!isValidRecord(record)) rejected++;
    }
  }
  // The probes reach both verdicts (a check that accepted everything would fail above, too).
  assert.ok(rejected > 100, `only ${rejected} probes were rejected`);
});

Deno.test("isValidRecord agrees with the schema inside nested objects", () => {
  const base = fullRecord();
  for (const field of ["price", "timing", "raw", "error"] as const) {
    const nested = base[field] as Record<string, unknown>;
    for (const key of [...Object.keys(nested), "extra"]) {
      for (const probe of PROBES) {
        agree({ ...base, [field]: { ...nested, [key]: probe } }, `${field}.${key} = ${probe}`);
      }
    }
  }
  for (const basis of ["per_image", "gpu_seconds", "hourly", "subscription", "free", "other"]) {
    agree({ ...base, price: { ...base.price, basis } }, `price.basis = ${basis}`);
  }
  for (const value of [null, "record", 1, [], [base]]) agree(value, `the record as ${value}`);
});

Deno.test("compileCheck tests a regex as zod does, without zod, also with a global or sticky flag", () => {
  for (const pattern of [/^a+$/, /a+/g, /a/y]) {
    const schema = z.string().regex(pattern);
    const check = compileCheck(schema);
    let parsed = 0;
    const parse = schema.safeParse.bind(schema);
    schema.safeParse = (value: unknown) => {
      parsed++;
      return parse(value);
    };
    // Twice each: a global or sticky pattern keeps `lastIndex` between calls unless it is reset.
    for (const value of ["aaa", "aaa", "ba", "ba", "", "b"]) {
      assert.equal(check(value), parse(value).success, `${pattern} on "${value}"`);
    }
    assert.equal(parsed, 0, "the compiled check asked zod");
  }
});

Deno.test("compileCheck leaves what it does not know to zod", () => {
  const even = compileCheck(z.number().refine((value) => value % 2 === 0));
  assert.equal(even(4), true);
  assert.equal(even(3), false);
  const email = compileCheck(z.object({ to: z.email() }));
  assert.equal(email({ to: "a@b.org" }), true);
  assert.equal(email({ to: "nobody" }), false);
  const strict = compileCheck(z.object({ a: z.string() }).catchall(z.number()));
  assert.equal(strict({ a: "x", b: 1 }), true);
  assert.equal(strict({ a: "x", b: "y" }), false);
  const date = compileCheck(z.string().regex(/^\d{4}-\d{2}-\d{2}$/));
  assert.equal(date("2026-11-30"), true);
  assert.equal(date("2026-11-3"), false);
  const bounded = compileCheck(z.array(z.string()).max(1));
  assert.equal(bounded(["a"]), true);
  assert.equal(bounded(["a", "b"]), false);
});
