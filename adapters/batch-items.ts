/**
 * What the batch adapters share: reading a results file line by line without losing the rest of
 * it to one bad line. (The typed errors of items a batch did not finish are in the batch
 * contract, lib/contract/batch-adapter.ts: the batch runner makes them too.)
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { z } from "zod";
import type { BatchItemResult, BatchResults } from "../lib/contract/batch-adapter.ts";
import { VisionBenchError } from "../lib/contract/errors.ts";
import { redact } from "../lib/util/secrets.ts";

/** A results line that parsed, or the reason it did not. */
export type ResultLine = { line: number; value: unknown } | { line: number; problem: string };

/**
 * Splits a JSONL text into parsed lines. A malformed line becomes a `problem` naming its line
 * number (the SDKs' own JSONL decoders stop at the first bad line and lose the rest).
 *
 * @example
 * ```ts
 * parseResultLines('{"a":1}\n{oops\n'); // [{line: 1, value: {a: 1}}, {line: 2, problem: "…"}]
 * ```
 */
export function parseResultLines(text: string): ResultLine[] {
  const lines: ResultLine[] = [];
  text.split("\n").forEach((raw, index) => {
    if (raw.trim() === "") return;
    try {
      lines.push({ line: index + 1, value: JSON.parse(raw) });
    } catch (error) {
      lines.push({
        line: index + 1,
        // Redacted before the cut: a key straddling the cut would otherwise leave its start.
        problem: `line ${index + 1} is not JSON (${(error as Error).message}): ${
          redact(raw, { maxLength: 80 })
        }`,
      });
    }
  });
  return lines;
}

/**
 * The items of results files: each line read by `item` (a result, or what is wrong with it);
 * lines that are not JSON or not a result become `problems` naming their line.
 */
export function resultsOf(
  texts: readonly string[],
  item: (value: unknown) => BatchItemResult | string,
): BatchResults {
  const results: BatchResults = { items: [], problems: [] };
  for (const text of texts) {
    for (const parsed of parseResultLines(text)) {
      if ("problem" in parsed) {
        results.problems.push(parsed.problem);
        continue;
      }
      const read = item(parsed.value);
      if (typeof read === "string") results.problems.push(`line ${parsed.line}: ${read}`);
      else results.items.push(read);
    }
  }
  return results;
}

/** Byte length of a string as UTF-8 (what a platform's size limit counts). */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/**
 * The fields of a batch answer that are read, checked by `schema` (numbers are numbers, dates
 * are dates, an id is not empty): a typed `invalid_response` naming the field otherwise, before
 * anything unchecked reaches the manifest.
 */
export function readBatchAnswer<T>(schema: z.ZodType<T>, value: unknown, platform: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new VisionBenchError(
    "invalid_response",
    redact(
      `${platform}: the batch answer's ${issue.path.join(".") || "body"} is unreadable ` +
        `(${issue.message})`,
    ),
    { platform, code: "batch_answer_unreadable", retryable: false },
  );
}
