/**
 * What the batch adapters share: reading a results file line by line without losing the rest of
 * it to one bad line. (The typed errors of items a batch did not finish are in the batch
 * contract, lib/contract/batch-adapter.ts: the batch runner makes them too.)
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { z } from "zod";
import type { BatchItemResult, BatchResultEntry } from "../lib/contract/batch-adapter.ts";
import { VisionBenchError } from "../lib/contract/errors.ts";
import { redact } from "../lib/util/secrets.ts";

/** A results line that parsed, or the reason it did not. */
export type ResultLine = { line: number; value: unknown } | { line: number; problem: string };

/**
 * The longest results line read (one answer; far above any description). Longer lines are
 * problems, skipped without being held: the cap is per line, never on the whole file.
 */
export const MAX_RESULT_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Splits a JSONL body into parsed lines as it streams, a chunk's lines at a time: memory holds
 * one chunk and one line, whatever the file's size. A malformed or over-long line becomes a
 * `problem` naming its line number (the SDKs' own JSONL decoders stop at the first bad line and
 * lose the rest).
 *
 * @example
 * ```ts
 * for await (const lines of readResultLines(new Response('{"a":1}\n{oops\n').body!)) {
 *   console.log(lines); // [{line: 1, value: {a: 1}}, {line: 2, problem: "…"}]
 * }
 * ```
 */
export async function* readResultLines(
  body: ReadableStream<Uint8Array>,
  maxLineBytes = MAX_RESULT_LINE_BYTES,
): AsyncGenerator<ResultLine[]> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let pending = ""; // the start of the line being read
  let oversized = false; // the line being read is over the cap: skipped to its end
  let line = 0;
  // Lines go out about 256 KiB at a time: few enough writes (each may be fsync'd by the run
  // store), little enough held.
  let lines: ResultLine[] = [];
  let held = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      held += value?.byteLength ?? 0;
      const parts = (done ? decoder.decode() : decoder.decode(value, { stream: true })).split("\n");
      for (const [index, part] of parts.entries()) {
        const ends = index < parts.length - 1 || done;
        if (!oversized) pending += part;
        if (!oversized && pending.length > maxLineBytes) {
          oversized = true;
          pending = "";
          lines.push({
            line: line + 1,
            problem: `line ${line + 1} is longer than ${maxLineBytes} bytes; not read`,
          });
        }
        if (!ends) continue;
        if (index === parts.length - 1 && pending === "" && !oversized) break;
        line++;
        const parsed = oversized ? undefined : parseLine(pending, line);
        if (parsed) lines.push(parsed);
        pending = "";
        oversized = false;
      }
      if (lines.length > 0 && (done || held >= 256 * 1024)) {
        yield lines;
        lines = [];
        held = 0;
      }
      if (done) return;
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => {});
  }
}

function parseLine(raw: string, line: number): ResultLine | undefined {
  if (raw.trim() === "") return undefined;
  try {
    return { line, value: JSON.parse(raw) };
  } catch (error) {
    // Redacted before the cut: a key straddling the cut would otherwise leave its start.
    const excerpt = redact(raw, { maxLength: 80 });
    return { line, problem: `line ${line} is not JSON (${(error as Error).message}): ${excerpt}` };
  }
}

/**
 * The entries of results files, streamed: each line read by `item` (a result, or what is wrong
 * with it); lines that are not JSON or not a result become problems naming their line.
 */
export async function* resultsOf(
  bodies: AsyncIterable<ReadableStream<Uint8Array>>,
  item: (value: unknown) => BatchItemResult | string,
): AsyncGenerator<BatchResultEntry[]> {
  for await (const body of bodies) {
    for await (const lines of readResultLines(body)) {
      yield lines.map((parsed) => {
        if ("problem" in parsed) return { problem: parsed.problem };
        const read = item(parsed.value);
        return typeof read === "string" ? { problem: `line ${parsed.line}: ${read}` } : read;
      });
    }
  }
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
