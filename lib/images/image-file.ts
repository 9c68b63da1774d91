/**
 * Reading one image file without trusting the folder it is in: a symlink loop, a dangling
 * symlink, a symlink to a directory, a FIFO (reading it blocks forever), `/dev/zero` (never
 * ends) or a huge file must become a typed error for that image, never a hang, never unbounded
 * memory, never the end of the run.
 *
 * @module
 */
import { VisionBenchError } from "../contract/errors.ts";

/**
 * Bytes above which an image file is refused before it is read: 50 MB, well above any photo a
 * platform takes (Anthropic 5 MB, Gemini inline 20 MB per request) and than what a resize
 * usually starts from, yet far below what would strain memory when several are prepared at once.
 */
export const DEFAULT_MAX_IMAGE_BYTES = 50_000_000;

/** Options of {@link readImageFile}. */
export interface ReadImageFileOptions {
  /** Names the image in error messages (file name). */
  label: string;
  /** @default {@link DEFAULT_MAX_IMAGE_BYTES} */
  maxBytes?: number;
}

/**
 * Reads an image file (following symlinks) when it is a regular file of at most `maxBytes`.
 * The type and size are checked before the file is opened, and the read stops one byte past
 * the cap, so a file that grows meanwhile cannot take more memory than the cap either.
 *
 * Throws `VisionBenchError` of kind `image_unreadable` (missing, dangling or looping symlink, no
 * permission), `image_not_file` (directory, FIFO, device, socket) or `image_too_large`, naming
 * the file.
 *
 * @example
 * ```ts
 * const bytes = await readImageFile("images/o01_cat.png", { label: "o01_cat.png" });
 * console.log(bytes);
 * ```
 */
export async function readImageFile(
  path: string,
  options: ReadImageFileOptions,
): Promise<Uint8Array> {
  return (await readImageFileWithTime(path, options)).bytes;
}

/**
 * {@link readImageFile}, with the modification time (ms) of the file that was read.
 *
 * @example
 * ```ts
 * const { bytes, mtimeMs } = await readImageFileWithTime("images/o01_cat.png", { label: "o01_cat.png" });
 * console.log(bytes, mtimeMs);
 * ```
 */
export async function readImageFileWithTime(
  path: string,
  options: ReadImageFileOptions,
): Promise<{ bytes: Uint8Array; mtimeMs: number | undefined }> {
  const { label } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_IMAGE_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < 1) {
    throw new VisionBenchError("usage", `maxBytes must be a whole number >= 1, got ${maxBytes}`);
  }
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    throw unreadable(label, error);
  }
  checkRegularFile(label, info, maxBytes);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    throw unreadable(label, error);
  }
  try {
    // The path may have been swapped since the stat: check what was actually opened.
    const opened = await file.stat();
    checkRegularFile(label, opened, maxBytes);
    const bytes = await readCapped(file, { label, maxBytes, expected: opened.size });
    return { bytes, mtimeMs: opened.mtime?.getTime() };
  } catch (error) {
    if (error instanceof VisionBenchError) throw error;
    throw unreadable(label, error);
  } finally {
    file.close();
  }
}

function checkRegularFile(label: string, info: Deno.FileInfo, maxBytes: number): void {
  if (!info.isFile) {
    throw new VisionBenchError(
      "image_not_file",
      `${label}: is ${entryKind(info)}, not a regular file`,
    );
  }
  if (info.size > maxBytes) throw tooLarge(label, info.size, maxBytes);
}

async function readCapped(
  file: Deno.FsFile,
  options: { label: string; maxBytes: number; expected: number },
): Promise<Uint8Array> {
  const { maxBytes } = options;
  // One byte more than expected, so the end of the file is seen without growing the buffer.
  let buffer = new Uint8Array(Math.min(options.expected, maxBytes) + 1);
  let length = 0;
  while (true) {
    if (length === buffer.length) {
      if (length > maxBytes) throw tooLarge(options.label, length, maxBytes, "at least ");
      const grown = new Uint8Array(Math.min(buffer.length * 2, maxBytes + 1));
      grown.set(buffer);
      buffer = grown;
    }
    const read = await file.read(buffer.subarray(length));
    if (read === null) break;
    length += read;
  }
  return buffer.subarray(0, length);
}

function entryKind(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a FIFO (named pipe)";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSocket) return "a socket";
  return "not a regular file";
}

function tooLarge(label: string, size: number, maxBytes: number, prefix = ""): VisionBenchError {
  return new VisionBenchError(
    "image_too_large",
    `${label}: ${prefix}${size} bytes, more than the ${maxBytes}-byte limit per image file`,
  );
}

function unreadable(label: string, error: unknown): VisionBenchError {
  const reason = error instanceof Deno.errors.NotFound
    ? "no such file (or a symlink to nothing)"
    : error instanceof Deno.errors.FilesystemLoop
    ? "a symlink loop"
    : error instanceof Deno.errors.PermissionDenied
    ? "permission denied"
    : error instanceof Error
    ? error.message
    : String(error);
  return new VisionBenchError("image_unreadable", `${label}: cannot be read: ${reason}`, {
    cause: error,
  });
}
