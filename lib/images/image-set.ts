/**
 * The image set: list a folder (manifest optional), hash each file, and prepare what is sent for
 * one variant — validated, upright, 8-bit sRGB, resized, cached on disk by sha256 + variant.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { basename, join, resolve } from "node:path";
import type { ImagePayload } from "../contract/adapter.ts";
import { type ErrorKind, VisionBenchError } from "../contract/errors.ts";
import { hasImageExtension, IMAGE_EXTENSIONS } from "./format.ts";
import { DEFAULT_MAX_IMAGE_BYTES, readImageFile, readImageFileWithTime } from "./image-file.ts";
import { DEFAULT_MAX_INPUT_PIXELS, normalizeImage } from "./normalize.ts";
import { type ManifestEntry, readImageManifest } from "./manifest.ts";
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
  /** sha256 of the file bytes (hex); `""` when the entry could not be read (see `error`). */
  sha256: string;
  /** File size; 0 when the entry could not be read. */
  bytes: number;
  /**
   * Modification time (ms) when listed. With `bytes`, it tells {@link prepareImage} the file is
   * unchanged, so `sha256` still holds and a cached variant needs no second read of the file.
   */
  mtimeMs?: number;
  /** Byte cap the entry was listed under; {@link prepareImage} reads it under the same cap. */
  maxBytes?: number;
  /**
   * Why the entry cannot be read (a symlink loop, a FIFO, a file over the byte cap, …): its cases
   * become error rows of this kind, the other images still run.
   */
  error?: { kind: ErrorKind; message: string };
  /** What manifest.json says about the file, when it says anything. */
  manifest?: ManifestEntry;
  /** Non-fatal problems found while listing, e.g. a manifest sha256 that does not match. */
  warnings?: string[];
}

/** Options of {@link loadImageSet}. */
export interface LoadImageSetOptions {
  /** Only the first N images, by file name. @default all */
  limit?: number;
  /** Larger image files are refused, before reading, as `image_too_large`. @default 50 MB */
  maxFileBytes?: number;
}

/** sha256 (hex) of some bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Lists a folder of images, sorted by file name, and hashes each file. `manifest.json` is
 * optional. Files without an image extension are skipped; entries with one that are broken are
 * still listed and fail in {@link prepareImage}, as a per-image error: an entry that is not a
 * readable regular file within `maxFileBytes` (a symlink loop, a dangling symlink, a directory,
 * a FIFO, a device, a huge file) is listed with its `error` and never opened for reading.
 *
 * Throws `VisionBenchError("config")` when the folder cannot be read or holds no entry with an
 * image extension.
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
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_IMAGE_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < 1) {
    throw new VisionBenchError(
      "config",
      `maxFileBytes must be a whole number ≥ 1, got ${maxBytes}`,
    );
  }
  const folder = resolve(dir);
  const files: string[] = [];
  try {
    // Whatever the entry is: what it really is gets checked (and reported) per image below.
    for await (const item of Deno.readDir(folder)) {
      if (hasImageExtension(item.name)) files.push(item.name);
    }
  } catch (error) {
    throw new VisionBenchError("config", `image folder ${dir} cannot be read`, { cause: error });
  }
  if (files.length === 0) {
    throw new VisionBenchError(
      "config",
      `no images in ${dir}: no file there ends in an image extension (${
        [...IMAGE_EXTENSIONS].join(", ")
      })`,
    );
  }
  // Code-unit order, not locale order: the same set is listed the same way on every machine.
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const manifest = await readImageManifest(folder);
  const chosen = limit === undefined ? files : files.slice(0, limit);
  // A few files at a time: reading one waits on the disk while hashing another uses the CPU.
  const entries: ImageEntry[] = new Array(chosen.length);
  let next = 0;
  const lister = async () => {
    while (next < chosen.length) {
      const index = next++;
      entries[index] = await listEntry(folder, chosen[index], { manifest, maxBytes });
    }
  };
  await Promise.all(Array.from({ length: Math.min(LISTING_CONCURRENCY, chosen.length) }, lister));
  return entries;
}

/** Files read at once in {@link loadImageSet} (each up to the byte cap, 50 MB by default). */
const LISTING_CONCURRENCY = 4;

/** One file of a listing: read under the cap, hashed, with what the manifest says. */
async function listEntry(
  folder: string,
  file: string,
  { manifest, maxBytes }: { manifest: Map<string, ManifestEntry>; maxBytes: number },
): Promise<ImageEntry> {
  const path = join(folder, file);
  const id = basename(file).replace(/\.[^.]+$/, "");
  let bytes: Uint8Array;
  let mtimeMs: number | undefined;
  try {
    ({ bytes, mtimeMs } = await readImageFileWithTime(path, { label: file, maxBytes }));
  } catch (error) {
    if (!(error instanceof VisionBenchError)) throw error;
    const failed: ImageEntry = { id, file, path, sha256: "", bytes: 0, maxBytes };
    failed.error = { kind: error.kind, message: error.message };
    return failed;
  }
  const sha256 = sha256Hex(bytes);
  const described = manifest.get(file);
  const entry: ImageEntry = { id, file, path, sha256, bytes: bytes.length, maxBytes, mtimeMs };
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
  return entry;
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
  /** Refuse larger files before reading them. @default the entry's `maxBytes`, else 50 MB */
  maxFileBytes?: number;
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
 * `image_too_large`, `image_corrupt`, `image_not_file` or `image_unreadable`, naming the file.
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
  if (entry.error) throw new VisionBenchError(entry.error.kind, entry.error.message);
  const readSource = async () => {
    // Read again under the same checks: the entry may have been swapped since it was listed.
    const bytes = await readImageFile(entry.path, {
      label: entry.file,
      maxBytes: options.maxFileBytes ?? entry.maxBytes,
    });
    if (bytes.length === 0) {
      throw new VisionBenchError("image_empty", `${entry.file}: the file is empty`);
    }
    return bytes;
  };
  // A file whose size and modification time are those it was listed with keeps the hash it was
  // listed with: a cached variant is then served without reading (and hashing) the source again.
  // Anything else is read and hashed now: the file may have changed since loadImageSet saw it.
  let sourceBytes = await listedUnchanged(entry, options) ? undefined : await readSource();
  const sourceSha256 = sourceBytes ? sha256Hex(sourceBytes) : entry.sha256;
  const source = async (): Promise<Uint8Array | undefined> => {
    if (sourceBytes) return sourceBytes;
    const bytes = await readSource();
    // Changed between the check and the read: this hash keys nothing that is in these bytes.
    if (sha256Hex(bytes) !== sourceSha256) return undefined;
    return sourceBytes = bytes;
  };
  const key = `${cacheDir}\0${sourceSha256}\0${variant}`;
  const pending = inFlight.get(key);
  if (pending) return pending;
  const work = (async (): Promise<PreparedImage> => {
    const cached = await readCachedVariant(cacheDir, {
      sourceSha256,
      variant,
      sourceBytes: source,
    });
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
    const bytes = await source();
    // The file changed after the size and time check: prepare it as it is now.
    if (!bytes) return prepareImage({ ...entry, mtimeMs: undefined }, options);
    countEncode();
    const normalized = await normalizeImage(bytes, {
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

/** Whether `entry`'s file still has the size and modification time it was listed with. */
async function listedUnchanged(entry: ImageEntry, options: PrepareImageOptions): Promise<boolean> {
  if (entry.mtimeMs === undefined || entry.bytes === 0 || !entry.sha256) return false;
  if (options.maxFileBytes !== undefined && entry.bytes > options.maxFileBytes) return false;
  try {
    const info = await Deno.stat(entry.path);
    return info.isFile && info.size === entry.bytes && info.mtime?.getTime() === entry.mtimeMs;
  } catch {
    return false;
  }
}
