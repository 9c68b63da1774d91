/**
 * Reading the JSON files of `data/` (and the user's own copies): parse, validate with zod, and
 * turn any failure into one `config` error that names the file and what it was meant to be.
 *
 * @module
 */
import { z } from "zod";
import { VisionBenchError } from "../contract/errors.ts";

/**
 * Reads `path` as JSON and validates it with `schema`.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * const schema = z.object({ presets: z.array(z.unknown()) });
 * (await readDataFile("data/presets.json", schema, "presets")).presets.length;
 * ```
 */
export async function readDataFile<Schema extends z.ZodType>(
  path: string | URL,
  schema: Schema,
  what: string,
): Promise<z.infer<Schema>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new VisionBenchError(
      "config",
      `cannot read ${what} ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new VisionBenchError(
      "config",
      `invalid ${what} ${path}: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}
