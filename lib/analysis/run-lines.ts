/**
 * The slow path of reading a run with Polars, taken only when its reader cannot parse the file:
 * find the lines that are not JSON (a torn line after a crash, a hand edit), copy the others to
 * a temporary file, and map row numbers back to file lines.
 *
 * @module
 */
import { basename } from "node:path";
import { forEachLine } from "../util/jsonl.ts";

/** A line of a run file that was left out, and why. */
export interface FrameProblem {
  path: string;
  /** 1-based line number in the JSONL file. */
  line: number;
  reason: string;
}

/**
 * Copies the lines of `path` that parse as JSON to a temporary file, listing the others. Only
 * runs when Polars could not read the file, so its cost is paid by broken files alone.
 */
export async function withoutBrokenLines(path: string): Promise<{
  path?: string;
  lines: number[];
  problems: FrameProblem[];
}> {
  const problems: FrameProblem[] = [];
  const lines: number[] = [];
  const temporary = await Deno.makeTempFile({ prefix: `${basename(path)}-`, suffix: ".jsonl" });
  const encoder = new TextEncoder();
  {
    using file = await Deno.open(temporary, { write: true });
    let pending: string[] = [];
    const flush = () => {
      const bytes = encoder.encode(pending.join("\n") + "\n");
      let offset = 0;
      while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
      pending = [];
    };
    const read = await forEachLine(path, (line, number) => {
      const trimmed = line.trim();
      if (trimmed === "") return;
      try {
        JSON.parse(trimmed);
      } catch {
        problems.push({ path, line: number, reason: "not JSON" });
        return;
      }
      lines.push(number);
      pending.push(trimmed);
      if (pending.length >= 10_000) flush();
    });
    if (pending.length > 0) flush();
    const last = problems.at(-1);
    if (last && last.line === read.lines && !read.endsWithNewline) {
      last.reason = "not JSON (torn last line)";
    }
  }
  if (lines.length === 0) {
    await Deno.remove(temporary);
    return { lines, problems };
  }
  return { path: temporary, lines, problems };
}

/** Whether the file has an empty line (Polars skips them, shifting row numbers). */
export async function hasBlankLines(path: string): Promise<boolean> {
  let blank = false;
  await forEachLine(path, (line) => {
    if (line.trim() === "") blank = true;
  });
  return blank;
}

/** Polars skips blank lines: map its row numbers back to file lines. */
export async function nonBlankLines(path: string): Promise<(row: number) => number> {
  const lines: number[] = [];
  await forEachLine(path, (line, number) => {
    if (line.trim() !== "") lines.push(number);
  });
  return (row) => lines[row];
}
