/**
 * Encoding an image for transport, once: every platform sends base64 (raw, or in a data URL),
 * and the same prepared image goes to many platforms and repeats, so both encodings are memoized
 * per byte buffer. The data URL matters as much as the base64: a fresh template string per call
 * is a rope that `JSON.stringify` flattens into a new copy of the whole image on every request.
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
 * imageBase64({ bytes: new Uint8Array([1, 2, 3]), mimeType: "image/png", width: 1, height: 1 }); // "AQID"
 * ```
 */
export function imageBase64(image: Pick<ImagePayload, "bytes">): string {
  let base64 = encoded.get(image.bytes);
  if (base64 === undefined) {
    base64 = Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength)
      .toString("base64");
    encoded.set(image.bytes, base64);
    remember(base64);
  }
  return base64;
}

/**
 * The image as a `data:<mime>;base64,…` URL: one flat string per buffer, shared by every call.
 *
 * @example
 * ```ts
 * imageDataUrl({ bytes: new Uint8Array([1, 2, 3]), mimeType: "image/png" }); // "data:image/png;base64,AQID"
 * ```
 */
export function imageDataUrl(image: Pick<ImagePayload, "bytes" | "mimeType">): string {
  const known = dataUrls.get(image.bytes);
  if (known?.mimeType === image.mimeType) return known.url;
  // Flattened now, once: later JSON.stringify calls copy nothing but the request.
  const url = flat(`data:${image.mimeType};base64,${imageBase64(image)}`);
  dataUrls.set(image.bytes, { mimeType: image.mimeType, url });
  remember(url);
  return url;
}

/** A flat (non-rope) copy of a string: V8 flattens a string the first time it is indexed. */
function flat(text: string): string {
  // Reading one char forces V8 to flatten the concatenation in place.
  text.charCodeAt(0);
  return text;
}

/**
 * The latest image strings (base64 or data URL) handed out: the images in flight and those about
 * to be reused. {@link jsonText} recognises them inside a request body.
 */
const recent = new Set<string>();
const MAX_RECENT = 16;
/** Shorter strings are not looked for: a body is only worth keeping for a large image string. */
const MIN_IMAGE = 1024;
/**
 * Longer bodies are not kept: past V8's regular object size (128 KiB) a string is allocated as a
 * large object, which young collections never copy, and an original photo would hold megabytes.
 */
const MAX_KEPT_TEXT = 2 ** 20;

function remember(text: string): void {
  if (text.length < MIN_IMAGE || text.length > MAX_KEPT_TEXT) return;
  recent.delete(text);
  recent.add(text);
  if (recent.size > MAX_RECENT) recent.delete(recent.values().next().value!);
}

/** Stands for an image string in a body's key: a NUL cannot come out of JSON raw. */
const SLOT = "\u0000vb-image\u0000";

/**
 * `JSON.stringify(value)`, made once for a body that carries an image and handed back the same
 * for the same body again: a run sends each case `--repeat` times, the very same request. A body
 * with an image is as large as the image's base64; serialized per call it is a new string that
 * size every time, which the SDK holds until the answer's headers arrive, long enough for V8 to
 * copy it into the old generation when the SDK's request object is allocated there (README
 * "Performance"). A kept body is serialized once and stays where it is. The text is exactly
 * `JSON.stringify(value)`; at most 16 bodies of at most 1 MiB each are kept, and the 16 latest
 * image strings to know them by.
 *
 * @example
 * ```ts
 * const url = imageDataUrl(payload);
 * jsonText({ model: "m", image: url }) === JSON.stringify({ model: "m", image: url }); // true
 * ```
 */
export function jsonText(value: unknown): string {
  const images: string[] = [];
  let marked = false;
  // The body without its images: what tells one body from another apart from the image.
  const key = JSON.stringify(value, (_key, item: unknown) => {
    if (item === SLOT) marked = true;
    if (typeof item !== "string" || item.length < MIN_IMAGE || !recent.has(item)) return item;
    images.push(item);
    return SLOT;
  });
  if (images.length === 0) return key;
  // A caller's own text holding the marker could make two bodies one key: not kept.
  if (marked) return JSON.stringify(value);
  const known = texts.get(key);
  // `===` on the same string object is a pointer check; a different image of the same length
  // compares its characters, and differs.
  if (known && known.images.every((image, index) => image === images[index])) {
    texts.delete(key);
    texts.set(key, known);
    return known.text;
  }
  const text = JSON.stringify(value);
  if (text.length <= MAX_KEPT_TEXT) {
    texts.set(key, { images, text });
    if (texts.size > MAX_KEPT_TEXTS) texts.delete(texts.keys().next().value!);
  }
  return text;
}

const texts = new Map<string, { images: string[]; text: string }>();
const MAX_KEPT_TEXTS = 16;
