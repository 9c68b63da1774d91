/**
 * Decoding and re-encoding with sharp: the one place that knows what platforms accept
 * (8-bit sRGB JPEG, PNG or WebP, upright, one frame) and how to get there from anything sharp
 * can read. Failures become typed `image_*` errors that name the file.
 *
 * @module
 */
import sharp from "sharp";
import type { ImagePayload } from "../contract/adapter.ts";
import { VisionBenchError } from "../contract/errors.ts";
import {
  DECODABLE_FORMATS,
  kindFromSharpError,
  shortSharpMessage,
  sniffImageFormat,
} from "./format.ts";

/** Input pixels above which an image is refused before decoding. @default 100 megapixels */
export const DEFAULT_MAX_INPUT_PIXELS = 100_000_000;
/** JPEG quality of resized variants. */
export const RESIZE_JPEG_QUALITY = 85;
/** JPEG quality of full-size re-encodes ("original" that could not be sent as-is). */
export const ORIGINAL_JPEG_QUALITY = 90;

/** Options of {@link normalizeImage}. */
export interface NormalizeOptions {
  /** Names the image in error messages (file name). */
  label: string;
  /** Longest side in px; omitted means full size ("original"). Never upscales. */
  longestSide?: number;
  /** @default {@link DEFAULT_MAX_INPUT_PIXELS} */
  maxInputPixels?: number;
}

/** What {@link normalizeImage} made. */
export interface NormalizedImage {
  payload: ImagePayload;
  /** True when `payload.bytes` are the input bytes, untouched. */
  passthrough: boolean;
  /** What had to change, e.g. `"cmyk → srgb"`; empty for a pass-through. */
  normalizations: string[];
}

/**
 * libvips keeps one error buffer per process: when two decodes fail at once, one of them may get
 * "Unknown error" instead of its message. Such a failure is re-run once, one retry at a time,
 * so the message (and the error kind read from it) is the real one.
 */
let exclusive: Promise<unknown> = Promise.resolve();
async function attempt<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const message = error instanceof Error ? error.message.trim() : "";
    if (message !== "" && !/^unknown error$/i.test(message)) throw error;
    const retry = exclusive.then(operation, operation);
    exclusive = retry.catch(() => undefined);
    return await retry;
  }
}

/** Prebuilt sharp has libheif for AVIF only; HEVC needs a build with libde265. */
function canDecodeHevc(): boolean {
  const suffixes: string[] = sharp.format.heif?.input.fileSuffix ?? [];
  return suffixes.includes(".heic");
}

/** Formats a platform takes as they are (GIF is re-encoded: some platforms refuse it). */
const SENDABLE_AS_IS = new Map<string, ImagePayload["mimeType"]>([
  ["jpeg", "image/jpeg"],
  ["png", "image/png"],
  ["webp", "image/webp"],
]);

/**
 * Validates `bytes` and returns what to send: the input itself when a platform can take it
 * as-is and no resize is asked, else an upright 8-bit sRGB JPEG (PNG when there is real
 * transparency), resized to fit `longestSide` if given.
 *
 * @example
 * ```ts
 * const bytes = await Deno.readFile("images/o01_cat.png");
 * const { payload } = await normalizeImage(bytes, { label: "o01_cat.png", longestSide: 256 });
 * console.log(payload.mimeType, payload.width, payload.height); // image/jpeg 256 170
 * ```
 */
export async function normalizeImage(
  bytes: Uint8Array,
  options: NormalizeOptions,
): Promise<NormalizedImage> {
  const { label } = options;
  if (bytes.length === 0) throw new VisionBenchError("image_empty", `${label}: the file is empty`);
  const sniffed = sniffImageFormat(bytes);
  // libjpeg reports a cut-off file as a warning, and libvips did not always turn it into an error
  // (seen under load); a JPEG without its end-of-image marker is refused here, deterministically.
  if (sniffed === "jpeg" && !hasJpegEnd(bytes)) {
    throw new VisionBenchError(
      "image_corrupt",
      `${label}: corrupt or truncated (no JPEG end marker)`,
    );
  }
  const maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  // failOn "error": truncated or corrupt data fails, benign libjpeg warnings (extra bytes) do not.
  // pages 1 (sharp's default, said here on purpose): animations give their first frame.
  const input = () =>
    sharp(bytes, { limitInputPixels: maxInputPixels, failOn: "error", pages: 1, page: 0 });
  const fail = (error: unknown): never => {
    if (error instanceof VisionBenchError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const kind = kindFromSharpError(message, sniffed);
    const what = kind === "image_not_image"
      ? "not an image"
      : kind === "image_unsupported"
      ? `format ${sniffed ?? "unknown"} cannot be decoded`
      : kind === "image_too_large"
      ? `more than ${maxInputPixels} pixels`
      : "corrupt or truncated";
    throw new VisionBenchError(kind, `${label}: ${what} (${shortSharpMessage(message)})`, {
      cause: error,
    });
  };

  // Header only, no pixel limit: the size check below is ours, so it does not depend on
  // libvips' message text.
  const metadata = await attempt(() => sharp(bytes, { limitInputPixels: false }).metadata())
    .catch(fail);
  const format = metadata.format ?? "unknown";
  if (!DECODABLE_FORMATS.has(format)) {
    throw new VisionBenchError("image_unsupported", `${label}: format ${format} is not supported`);
  }
  if (format === "heif" && metadata.compression === "hevc" && !canDecodeHevc()) {
    throw new VisionBenchError(
      "image_unsupported",
      `${label}: HEIC (HEVC) cannot be decoded by this sharp build; convert it to JPEG first`,
    );
  }
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  if (width * height > maxInputPixels) {
    throw new VisionBenchError(
      "image_too_large",
      `${label}: ${width}×${height} is more than ${maxInputPixels} pixels`,
    );
  }

  const normalizations: string[] = [];
  const orientation = metadata.orientation ?? 1;
  if (orientation !== 1) normalizations.push(`exif orientation ${orientation}`);
  if (metadata.space !== "srgb" && metadata.space !== "b-w") {
    normalizations.push(`${metadata.space} → srgb`);
  }
  if (metadata.depth !== undefined && metadata.depth !== "uchar") {
    normalizations.push(`${metadata.depth} → 8-bit`);
  }
  if ((metadata.pages ?? 1) > 1) normalizations.push(`first frame of ${metadata.pages}`);
  const asIsMime = SENDABLE_AS_IS.get(format);
  if (asIsMime === undefined) normalizations.push(`${format} → re-encoded`);

  // A full decode is the only way to find truncation, and tells real transparency from an
  // opaque alpha channel. Needed only when we might send the input as-is or it has alpha.
  const sendAsIs = options.longestSide === undefined && normalizations.length === 0;
  let transparent = false;
  if (sendAsIs || metadata.hasAlpha) {
    const stats = await attempt(() => input().stats()).catch(fail);
    transparent = metadata.hasAlpha === true && !stats.isOpaque;
  }
  if (sendAsIs && asIsMime !== undefined) {
    return {
      payload: { bytes, mimeType: asIsMime, width, height },
      passthrough: true,
      normalizations,
    };
  }

  let pipeline = input().rotate();
  if (options.longestSide !== undefined) {
    pipeline = pipeline.resize({
      width: options.longestSide,
      height: options.longestSide,
      fit: "inside",
      withoutEnlargement: true,
    });
  }
  pipeline = pipeline.toColourspace("srgb");
  pipeline = transparent ? pipeline.png() : pipeline.flatten({ background: "#ffffff" }).jpeg({
    quality: options.longestSide === undefined ? ORIGINAL_JPEG_QUALITY : RESIZE_JPEG_QUALITY,
  });
  const { data, info } = await attempt(() => pipeline.toBuffer({ resolveWithObject: true }))
    .catch(fail);
  return {
    payload: {
      bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      mimeType: transparent ? "image/png" : "image/jpeg",
      width: info.width,
      height: info.height,
    },
    passthrough: false,
    normalizations,
  };
}

/**
 * False when a JPEG's marker segments run out before its end-of-image marker (FF D9): the file was
 * cut off. Walks the segments (an EXIF thumbnail's own FF D9 sits inside APP1 and is skipped) and
 * each scan's entropy-coded data; anything it cannot follow is left to libvips (true).
 */
function hasJpegEnd(bytes: Uint8Array): boolean {
  const isRestart = (marker: number) => marker >= 0xd0 && marker <= 0xd7;
  let index = 2;
  while (index + 1 < bytes.length) {
    if (bytes[index] !== 0xff) return true;
    const marker = bytes[index + 1];
    if (marker === 0xd9) return true;
    if (marker === 0xff || marker === 0x01 || isRestart(marker)) {
      index += marker === 0xff ? 1 : 2;
      continue;
    }
    if (index + 3 >= bytes.length) return false;
    index += 2 + ((bytes[index + 2] << 8) | bytes[index + 3]);
    if (marker !== 0xda) continue;
    while (
      index + 1 < bytes.length &&
      !(bytes[index] === 0xff && bytes[index + 1] !== 0 && !isRestart(bytes[index + 1]))
    ) index++;
  }
  return false;
}
