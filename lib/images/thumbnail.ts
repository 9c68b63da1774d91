/**
 * Small previews of images for tables, the description browser and rating views.
 *
 * @module
 */
import sharp from "sharp";
import { readImageFile } from "./image-file.ts";

const thumbnails = new Map<string, Promise<string>>();

/**
 * A small JPEG of an image (longest side `px`, EXIF orientation applied, transparency on white)
 * as a data URL. Cached in memory per path and size.
 *
 * @example
 * ```ts
 * `<img src="${await thumbnail("images/o01_cat.png", 96)}">`;
 * ```
 */
export function thumbnail(path: string, px = 96): Promise<string> {
  const key = `${px}|${path}`;
  let cached = thumbnails.get(key);
  if (!cached) {
    // Read through the image-file checks: sharp opening a FIFO by path blocks the report forever.
    cached = readImageFile(path, { label: path })
      .then((bytes) =>
        sharp(bytes, { limitInputPixels: 268_402_689 })
          .rotate()
          .resize(px, px, { fit: "inside", withoutEnlargement: true })
          .flatten({ background: "#ffffff" })
          .jpeg({ quality: 70 })
          .toBuffer()
      )
      .then((buffer) => `data:image/jpeg;base64,${buffer.toString("base64")}`);
    // A failure is not cached: the file may be fixed and asked for again.
    cached.catch(() => thumbnails.delete(key));
    thumbnails.set(key, cached);
  }
  return cached;
}
