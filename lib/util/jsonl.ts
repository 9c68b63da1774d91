/**
 * Reading append-only JSON-lines files (runs, ratings): every line validated with zod; a line
 * that is not JSON (a torn last line after a crash) or not valid is reported, never thrown, so
 * nothing already recorded is lost to one bad line.
 *
 * @module
 */
import type { z } from "zod";

/** A line that was skipped, and why (1-based line number). */
export interface LineProblem {
  line: number;
  reason: string;
}

/**
 * Parses JSON lines, keeping the valid ones.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * parseJsonLines('{"a":1}\n{"a":', z.object({ a: z.number() }), "row");
 * // { values: [{ a: 1 }], problems: [{ line: 2, reason: "not JSON (torn last line)" }] }
 * ```
 */
export function parseJsonLines<Schema extends z.ZodType>(
  text: string,
  schema: Schema,
  what: string,
): { values: z.infer<Schema>[]; problems: LineProblem[] } {
  const values: z.infer<Schema>[] = [];
  const problems: LineProblem[] = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      const torn = index === lines.length - 1 ? " (torn last line)" : "";
      problems.push({ line: index + 1, reason: `not JSON${torn}` });
      continue;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) values.push(parsed.data);
    else {
      const issue = parsed.error.issues[0];
      problems.push({
        line: index + 1,
        reason: `not a ${what}: ${issue?.path.join(".")} ${issue?.message}`,
      });
    }
  }
  return { values, problems };
}

/** Bytes read at a time by {@link forEachLine}. */
const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/**
 * Calls `onLine(text, lineNumber)` for every line of a file (1-based numbers, the trailing
 * newline removed), reading a chunk at a time: a file of any size — a 1 GB run is past V8's
 * longest string — costs one chunk and one line of memory. Returns the number of lines and
 * whether the last one ended with a newline (if not, a crash may have torn it).
 *
 * @example
 * ```ts
 * await forEachLine("results/run.jsonl", (line, number) => console.log(number, line.length));
 * ```
 */
export async function forEachLine(
  path: string,
  onLine: (line: string, lineNumber: number) => void,
): Promise<{ lines: number; endsWithNewline: boolean }> {
  using file = await Deno.open(path, { read: true });
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(CHUNK_BYTES);
  // Bytes of a line that started in an earlier chunk.
  let carry: Uint8Array[] = [];
  let lineNumber = 0;
  const emit = (bytes: Uint8Array) => {
    lineNumber++;
    onLine(decoder.decode(bytes), lineNumber);
  };
  while (true) {
    const read = await file.read(buffer);
    if (read === null) break;
    const chunk = buffer.subarray(0, read);
    let start = 0;
    let end = chunk.indexOf(NEWLINE, start);
    while (end !== -1) {
      if (carry.length > 0) {
        carry.push(chunk.slice(start, end));
        emit(concat(carry));
        carry = [];
      } else {
        emit(chunk.subarray(start, end));
      }
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    if (start < read) carry.push(chunk.slice(start, read));
  }
  const endsWithNewline = carry.length === 0;
  if (!endsWithNewline) emit(concat(carry));
  return { lines: lineNumber, endsWithNewline };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Reads a JSON-lines file a chunk at a time (see {@link forEachLine}), keeping the lines valid
 * against `schema` and reporting the others — the streaming twin of {@link parseJsonLines}.
 *
 * @example
 * ```ts
 * import { RatingSchema } from "../quality/ratings.ts";
 * const { values, problems } = await readJsonLines("results/ratings.jsonl", RatingSchema, "rating");
 * console.log(problems, values);
 * ```
 */
export async function readJsonLines<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
  what: string,
): Promise<{ values: z.infer<Schema>[]; problems: LineProblem[] }> {
  const values: z.infer<Schema>[] = [];
  const problems: LineProblem[] = [];
  let lastProblem: LineProblem | undefined;
  const read = await forEachLine(path, (text, line) => {
    const trimmed = text.trim();
    if (trimmed === "") return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      lastProblem = { line, reason: "not JSON" };
      problems.push(lastProblem);
      return;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) values.push(parsed.data);
    else {
      const issue = parsed.error.issues[0];
      problems.push({
        line,
        reason: `not a ${what}: ${issue?.path.join(".")} ${issue?.message}`,
      });
    }
  });
  // Same wording as parseJsonLines: a bad last line is what a crash mid-write leaves.
  if (lastProblem && lastProblem.line === read.lines && !read.endsWithNewline) {
    lastProblem.reason = "not JSON (torn last line)";
  }
  return { values, problems };
}
