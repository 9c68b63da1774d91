/**
 * Real sample photos from `images/`, prepared by the real `prepareImage` — what the runner sends.
 *
 * @module
 */
import type { ImagePayload } from "../../lib/contract/adapter.ts";
import { loadImageSet, prepareImage } from "../../lib/images/image-set.ts";
import { repoPath } from "../../lib/util/paths.ts";

/** The sample photo folder of the repository. */
export const SAMPLE_IMAGES = repoPath("images");

/**
 * The payload of `file` (a name in `images/`) for `variant`: `"original"` is the file's own bytes
 * (every sample is already sendable), `"512"` a JPEG whose longest side is 512 px. Prepared in a
 * throw-away cache folder, so tests never touch `results/`.
 *
 * @example
 * ```ts
 * const image = await samplePayload("o01_cat.png");        // PNG bytes as on disk, 451×300
 * const small = await samplePayload("o01_cat.png", "256"); // JPEG, 256×170
 * ```
 */
export async function samplePayload(file: string, variant = "original"): Promise<ImagePayload> {
  const entry = (await loadImageSet(SAMPLE_IMAGES)).find((image) => image.file === file);
  if (!entry) throw new Error(`no sample image ${file} in ${SAMPLE_IMAGES}`);
  const cacheDir = await Deno.makeTempDir();
  try {
    return (await prepareImage(entry, { variant, cacheDir })).payload;
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
}
