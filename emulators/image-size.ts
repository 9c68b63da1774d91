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

/** The image in a request body: a data URL, a long base64 string, or a byte array (Workers AI). */
export function imageBytes(body: unknown): Uint8Array | undefined {
  if (typeof body === "string") {
    const match = /^data:image\/[\w.+-]+;base64,(.+)$/s.exec(body);
    if (match) return decodeBase64(match[1]);
    if (body.length > 2000 && /^[A-Za-z0-9+/]+=*$/.test(body.slice(0, 200))) {
      return decodeBase64(body);
    }
    return undefined;
  }
  if (Array.isArray(body)) {
    if (body.length > 100 && body.every((value) => typeof value === "number")) {
      return Uint8Array.from(body as number[]);
    }
    for (const item of body) {
      const found = imageBytes(item);
      if (found) return found;
    }
    return undefined;
  }
  if (body && typeof body === "object") {
    for (const value of Object.values(body)) {
      const found = imageBytes(value);
      if (found) return found;
    }
  }
  return undefined;
}

function decodeBase64(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/**
 * The size of the image a request body carries (see {@link imageBytes}), or undefined when it
 * carries none sharp can read.
 *
 * @example
 * ```ts
 * const size = await imageSizeOfBody({ image: [137, 80, 78, 71] }); // undefined: not an image
 * ```
 */
export async function imageSizeOfBody(body: unknown): Promise<ImageSize | undefined> {
  const bytes = imageBytes(body);
  if (!bytes) return undefined;
  const key = `${bytes.length}|${bytes.subarray(0, 64).join(",")}|${bytes.subarray(-64).join(",")}`;
  const known = sizes.get(key);
  if (known) return known;
  try {
    const metadata = await sharp(bytes).metadata();
    const size = {
      width: metadata.width ?? 0,
      height: metadata.height ?? 0,
      format: metadata.format,
    };
    if (sizes.size >= 64) sizes.delete(sizes.keys().next().value!);
    sizes.set(key, size);
    return size;
  } catch {
    return undefined;
  }
}
