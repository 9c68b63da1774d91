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
