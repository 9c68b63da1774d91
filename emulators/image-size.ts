/**
 * Reads the size of an image a client sent as base64 (inline data or a `data:` URL), with sharp,
 * as the platforms do before billing image tokens.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import sharp from "sharp";

/** What sharp read from the image. */
export interface ImageSize {
  width: number;
  height: number;
  /** sharp's format name: "jpeg", "png", "webp", … */
  format: string | undefined;
}

/**
 * Decodes base64 image bytes and reads their size; rejects when sharp cannot read the image
 * (each emulator answers that with its platform's 400).
 *
 * @example
 * ```ts
 * const { width, height } = await imageSizeOfBase64(block.source.data);
 * ```
 */
export async function imageSizeOfBase64(data: string): Promise<ImageSize> {
  const known = sizes.get(data);
  if (known) return known;
  const metadata = await sharp(Buffer.from(data, "base64")).metadata();
  const size = {
    width: metadata.width ?? 0,
    height: metadata.height ?? 0,
    format: metadata.format,
  };
  // Benchmarks send the same few images thousands of times; decoding each again would make the
  // emulator, not the client, the bottleneck.
  if (sizes.size >= 64) sizes.delete(sizes.keys().next().value!);
  sizes.set(data, size);
  return size;
}

const sizes = new Map<string, ImageSize>();

/**
 * The base64 part of a `data:image/…;base64,…` URL, or undefined for any other URL.
 *
 * @example
 * ```ts
 * base64OfDataUrl("data:image/png;base64,iVBOR…"); // "iVBOR…"
 * ```
 */
export function base64OfDataUrl(url: string): string | undefined {
  return url.match(/^data:image\/[a-z+]+;base64,(.+)$/)?.[1];
}
