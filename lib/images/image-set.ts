/**
 * The image set: list a folder (manifest optional), hash each file, and prepare what is sent for
 * one variant — validated, upright, 8-bit sRGB, resized, cached on disk by sha256 + variant.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { basename, join, resolve } from "node:path";
import type { ImagePayload } from "../contract/adapter.ts";
import { VisionBenchError } from "../contract/errors.ts";
import { hasImageExtension } from "./format.ts";
import { DEFAULT_MAX_INPUT_PIXELS, normalizeImage } from "./normalize.ts";
import { type ManifestEntry, readManifest } from "./manifest.ts";
import { DEFAULT_RESULTS_DIR } from "../util/paths.ts";
import {
  countEncode,
  parseVariant,
  readCachedVariant,
  variantLongestSide,
  writeCachedVariant,
} from "./variants.ts";

/** One image file of a set. */
export interface ImageEntry {
  /** File stem, e.g. `"v01_orchestra_concert_hall"`. */
  id: string;
  /** File name inside the folder. */
  file: string;
  /** Absolute path. */
  path: string;
  /** sha256 of the file bytes (hex). */
  sha256: string;
  /** File size. */
  bytes: number;
  /** What manifest.json says about the file, when it says anything. */
  manifest?: ManifestEntry;
  /** Non-fatal problems found while listing, e.g. a manifest sha256 that does not match. */
  warnings?: string[];
}

/** Options of {@link loadImageSet}. */
export interface LoadImageSetOptions {
  /** Only the first N images, by file name. @default all */
  limit?: number;
}

/** sha256 (hex) of some bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Lists a folder of images, sorted by file name, and hashes each file. `manifest.json` is
 * optional. Files without an image extension are skipped; files with one that are broken are
 * still listed (they fail in {@link prepareImage}, as a per-image error).
 *
 * @example
 * ```ts
 * const images = await loadImageSet("images", { limit: 3 });
 * console.log(images.map((image) => image.id)); // ["o01_cat", "o02_red_panda", "o03_espresso"]
 * ```
 */
export async function loadImageSet(
  dir: string,
  options: LoadImageSetOptions = {},
): Promise<ImageEntry[]> {
  const { limit } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new VisionBenchError("config", `limit must be a whole number ≥ 0, got ${limit}`);
  }
  const folder = resolve(dir);
  const files: string[] = [];
  try {
    for await (const item of Deno.readDir(folder)) {
      if ((item.isFile || item.isSymlink) && hasImageExtension(item.name)) files.push(item.name);
    }
  } catch (error) {
    throw new VisionBenchError("config", `image folder ${dir} cannot be read`, { cause: error });
  }
  // Code-unit order, not locale order: the same set is listed the same way on every machine.
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const manifest = await readManifest(folder);
  const chosen = limit === undefined ? files : files.slice(0, limit);
  const entries: ImageEntry[] = [];
  for (const file of chosen) {
    const path = join(folder, file);
    const bytes = await Deno.readFile(path);
    const sha256 = sha256Hex(bytes);
    const described = manifest.get(file);
    const entry: ImageEntry = {
      id: basename(file).replace(/\.[^.]+$/, ""),
      file,
      path,
      sha256,
      bytes: bytes.length,
    };
    if (described) {
      entry.manifest = described;
      if (described.sha256 && described.sha256.toLowerCase() !== sha256) {
        entry.warnings = [
          `${file}: sha256 ${sha256.slice(0, 12)}… differs from manifest.json (${
            described.sha256.slice(0, 12)
          }…): the file changed since the manifest was written`,
        ];
      }
    }
    entries.push(entry);
  }
  return entries;
}

/** What is sent for one image and one variant. */
export interface PreparedImage {
  payload: ImagePayload;
  /** `"original"` or the longest side in px. */
  variant: string;
  /** sha256 of the source file as read now. */
  sourceSha256: string;
  /** Size of `payload.bytes`. */
  bytes: number;
  /** True when the variant came from the on-disk cache (nothing was decoded). */
  fromCache: boolean;
  /** What had to change to make it sendable (e.g. `"cmyk → srgb"`); empty when sent as-is. */
  normalizations: string[];
}

/** Options of {@link prepareImage}. */
export interface PrepareImageOptions {
  /** `"original"` or a longest side in px, e.g. `"512"`. */
  variant: string;
  /** @default "results/cache/variants" (in the repository) */
  cacheDir?: string;
  /** Refuse images with more pixels than this, before decoding. @default 100 megapixels */
  maxInputPixels?: number;
}

/** Prepares in flight, so parallel cases on the same image and variant encode once. */
const inFlight = new Map<string, Promise<PreparedImage>>();

/**
 * Validates, normalizes and resizes one image for a variant. `"original"` sends the file as-is
 * when a platform can take it (8-bit sRGB JPEG/PNG/WebP, upright, one frame), else a full-size
 * re-encode; `"N"` fits the longest side in N px (never upscaled) as JPEG q85, PNG when there is
 * real transparency. Results are cached on disk by sha256 + variant.
 *
 * Throws `VisionBenchError` with kind `image_empty`, `image_not_image`, `image_unsupported`,
 * `image_too_large` or `image_corrupt`, naming the file.
 *
 * @example
 * ```ts
 * const [image] = await loadImageSet("images", { limit: 1 });
 * const prepared = await prepareImage(image, { variant: "512" });
 * console.log(prepared.payload.mimeType, prepared.payload.width, prepared.fromCache);
 * ```
 */
export async function prepareImage(
  entry: ImageEntry,
  options: PrepareImageOptions,
): Promise<PreparedImage> {
  const variant = parseVariant(options.variant);
  const cacheDir = options.cacheDir ?? `${DEFAULT_RESULTS_DIR}/cache/variants`;
  let sourceBytes: Uint8Array;
  try {
    sourceBytes = await Deno.readFile(entry.path);
  } catch (error) {
    throw new VisionBenchError("not_found", `${entry.file}: cannot be read`, { cause: error });
  }
  if (sourceBytes.length === 0) {
    throw new VisionBenchError("image_empty", `${entry.file}: the file is empty`);
  }
  // Hash what is read now: the file may have changed since loadImageSet listed it.
  const sourceSha256 = sha256Hex(sourceBytes);
  const key = `${cacheDir}\0${sourceSha256}\0${variant}`;
  const pending = inFlight.get(key);
  if (pending) return pending;
  const work = (async (): Promise<PreparedImage> => {
    const cached = await readCachedVariant(cacheDir, { sourceSha256, variant, sourceBytes });
    if (cached) {
      return {
        payload: cached.payload,
        variant,
        sourceSha256,
        bytes: cached.payload.bytes.length,
        fromCache: true,
        normalizations: cached.sidecar.normalizations,
      };
    }
    countEncode();
    const normalized = await normalizeImage(sourceBytes, {
      label: entry.file,
      longestSide: variantLongestSide(variant),
      maxInputPixels: options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS,
    });
    await writeCachedVariant(cacheDir, {
      sourceSha256,
      variant,
      payload: normalized.payload,
      passthrough: normalized.passthrough,
      normalizations: normalized.normalizations,
    }).catch((error) => {
      throw new VisionBenchError("config", `variant cache ${cacheDir} cannot be written`, {
        cause: error,
      });
    });
    return {
      payload: normalized.payload,
      variant,
      sourceSha256,
      bytes: normalized.payload.bytes.length,
      fromCache: false,
      normalizations: normalized.normalizations,
    };
  })();
  inFlight.set(key, work);
  try {
    return await work;
  } finally {
    inFlight.delete(key);
  }
}
