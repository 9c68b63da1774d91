/**
 * What kind of file an image is, from its name and its first bytes, and what a sharp failure
 * means. Kept apart from decoding so the rules are readable in one place.
 *
 * @module
 */
import type { ErrorKind } from "../contract/errors.ts";

/** File extensions listed as images (lower case, with the dot). Anything else is skipped. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  ".jpg",
  ".jpeg",
  ".jpe",
  ".jfif",
  ".png",
  ".webp",
  ".gif",
  ".avif",
  ".heic",
  ".heif",
  ".tif",
  ".tiff",
  ".bmp",
  ".jxl",
]);

/** True when `file` has an image extension (case-insensitive). */
export function hasImageExtension(file: string): boolean {
  const dot = file.lastIndexOf(".");
  return dot > 0 && IMAGE_EXTENSIONS.has(file.slice(dot).toLowerCase());
}

/** Raster formats (sharp's names) we decode. Others sharp can open (svg, pdf, …) are refused. */
export const DECODABLE_FORMATS: ReadonlySet<string> = new Set([
  "jpeg",
  "png",
  "webp",
  "gif",
  "tiff",
  "heif",
  "jxl",
  "jp2k",
]);

/**
 * Names the image format from magic bytes, or `undefined` when the bytes do not start like any
 * image format we know. Tells "not an image" (a text file named .jpg) from "an image sharp
 * cannot read" (HEIC without a decoder, BMP).
 */
export function sniffImageFormat(bytes: Uint8Array): string | undefined {
  const starts = (signature: number[], offset = 0) =>
    bytes.length >= offset + signature.length &&
    signature.every((byte, index) => bytes[offset + index] === byte);
  const ascii = (offset: number, length: number) =>
    String.fromCharCode(...bytes.subarray(offset, offset + length));
  if (starts([0xff, 0xd8, 0xff])) return "jpeg";
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (ascii(0, 4) === "GIF8") return "gif";
  if (ascii(0, 4) === "RIFF" && ascii(8, 4) === "WEBP") return "webp";
  if (ascii(4, 4) === "ftyp") {
    const brand = ascii(8, 4);
    if (brand.startsWith("avi")) return "avif";
    if (["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"].includes(brand)) {
      return "heif";
    }
  }
  if (starts([0x49, 0x49, 0x2a, 0x00]) || starts([0x4d, 0x4d, 0x00, 0x2a])) return "tiff";
  if (ascii(0, 2) === "BM") return "bmp";
  if (starts([0xff, 0x0a]) || starts([0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return "jxl";
  if (starts([0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20])) return "jp2k";
  if (ascii(0, 4) === "8BPS") return "psd";
  return undefined;
}

/**
 * Maps a sharp/libvips failure to an image error kind. `sniffed` is the format the magic bytes
 * name, if any: "unsupported image format" on bytes that are no image at all is `image_not_image`.
 */
export function kindFromSharpError(message: string, sniffed: string | undefined): ErrorKind {
  if (/exceeds pixel limit/i.test(message)) return "image_too_large";
  if (/unsupported image format/i.test(message)) {
    return sniffed === undefined ? "image_not_image" : "image_unsupported";
  }
  if (
    /not been built in|no decoder|decoder plugin|unsupported (codec|compression)/i.test(message)
  ) {
    return "image_unsupported";
  }
  return "image_corrupt";
}

/** The first line of a libvips message, without the repeated file path noise. */
export function shortSharpMessage(message: string): string {
  const lines = message.split("\n").map((line) => line.trim()).filter(Boolean);
  const meaningful = lines.find((line) => /not been built in|pixel limit/i.test(line)) ??
    lines[0] ?? message;
  return meaningful.length > 200 ? `${meaningful.slice(0, 200)}…` : meaningful;
}
