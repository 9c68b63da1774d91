/**
 * `manifest.json` of an image folder: where each image came from, its licence, its sha256.
 * Optional — any folder of images works without one. Validated with zod here, at the edge.
 *
 * @module
 */
import { z } from "zod";
import { VisionBenchError } from "../contract/errors.ts";

/** One image as `manifest.json` describes it; unknown fields are kept. */
export interface ManifestEntry {
  file: string;
  group?: string;
  shows?: string;
  sha256?: string;
  creator?: string;
  license?: string;
  source?: string;
  [key: string]: unknown;
}

const ManifestEntrySchema = z.looseObject({
  file: z.string().min(1),
  group: z.string().optional(),
  shows: z.string().optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/i, "a sha256 is 64 hex digits").optional(),
  creator: z.string().optional(),
  license: z.string().optional(),
  source: z.string().optional(),
});

/** `{ "images": [...] }`, what fetch.sh writes (a bare array of entries is accepted too). */
const ManifestSchema = z.looseObject({ images: z.array(ManifestEntrySchema) });

/**
 * Reads `<dir>/manifest.json` into a map by file name; an empty map when there is none.
 * Throws `VisionBenchError("config")` naming the file when it exists but is not valid.
 *
 * @example
 * ```ts
 * const manifest = await readImageManifest("images");
 * console.log(manifest.get("o01_cat.png")?.license); // "CC0-1.0"
 * ```
 */
export async function readImageManifest(dir: string): Promise<Map<string, ManifestEntry>> {
  const path = `${dir}/manifest.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return new Map();
    throw new VisionBenchError("config", `${path}: cannot be read`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new VisionBenchError("config", `${path}: not valid JSON`, { cause: error });
  }
  const parsed = ManifestSchema.safeParse(Array.isArray(json) ? { images: json } : json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new VisionBenchError(
      "config",
      `${path}: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
      { cause: parsed.error },
    );
  }
  return new Map(parsed.data.images.map((entry) => [entry.file, entry as ManifestEntry]));
}
