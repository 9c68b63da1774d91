/**
 * Encoding an image for transport, once: every platform sends base64 (raw, or in a data URL),
 * and the same prepared image goes to many platforms and repeats, so both encodings are memoized
 * per byte buffer.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { ImagePayload } from "./adapter.ts";

const encoded = new WeakMap<Uint8Array, string>();
const dataUrls = new WeakMap<Uint8Array, { mimeType: string; url: string }>();

/**
 * The image bytes as base64 (native encoder; computed once per buffer).
 *
 * @example
 * ```ts
 * imageBase64({ bytes: new Uint8Array([1, 2, 3]) }); // "AQID"
 * ```
 */
export function imageBase64(image: Pick<ImagePayload, "bytes">): string {
  let base64 = encoded.get(image.bytes);
  if (base64 === undefined) {
    base64 = Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength)
      .toString("base64");
    encoded.set(image.bytes, base64);
  }
  return base64;
}

/**
 * The image as a `data:<mime>;base64,…` URL: one string per buffer, shared by every call.
 *
 * @example
 * ```ts
 * imageDataUrl({ bytes: new Uint8Array([1, 2, 3]), mimeType: "image/png" }); // "data:image/png;base64,AQID"
 * ```
 */
export function imageDataUrl(image: Pick<ImagePayload, "bytes" | "mimeType">): string {
  const known = dataUrls.get(image.bytes);
  if (known?.mimeType === image.mimeType) return known.url;
  const url = `data:${image.mimeType};base64,${imageBase64(image)}`;
  dataUrls.set(image.bytes, { mimeType: image.mimeType, url });
  return url;
}
