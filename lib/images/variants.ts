/**
 * Image variants ("original" or a longest side in px) and their on-disk cache: one file of
 * bytes plus a small JSON sidecar per (source sha256, variant), so a re-run never resizes twice.
 *
 * @module
 */
import { z } from "zod";
import type { ImagePayload } from "../contract/adapter.ts";
import { VisionBenchError } from "../contract/errors.ts";

/** Smallest and largest longest-side a variant may ask for. */
export const MIN_VARIANT_PX = 16;
export const MAX_VARIANT_PX = 16_384;

/**
 * Normalizes a variant name: `"original"` or a longest side in px (`"512"`, `" 0512 "` → `"512"`).
 * Throws `VisionBenchError("config")` on anything else.
 *
 * @example
 * ```ts
 * parseVariant("512"); // "512"
 * parseVariant("Original"); // "original"
 * parseVariant("big"); // throws VisionBenchError kind "config"
 * ```
 */
export function parseVariant(value: string): string {
  const trimmed = String(value).trim().toLowerCase();
  if (trimmed === "original") return "original";
  if (/^\d+$/.test(trimmed)) {
    const px = Number(trimmed);
    if (px >= MIN_VARIANT_PX && px <= MAX_VARIANT_PX) return String(px);
    throw new VisionBenchError(
      "config",
      `variant "${value}": longest side must be between ${MIN_VARIANT_PX} and ${MAX_VARIANT_PX} px`,
    );
  }
  throw new VisionBenchError(
    "config",
    `variant "${value}": expected "original" or a longest side in px such as "512"`,
  );
}

/** The longest side a variant asks for, `undefined` for "original". */
export function variantLongestSide(variant: string): number | undefined {
  const parsed = parseVariant(variant);
  return parsed === "original" ? undefined : Number(parsed);
}

/**
 * Bumped whenever encoding changes (quality, format rules), so stale cached variants are not
 * served as if they had been made by the current code.
 */
const ENCODING_VERSION = 1;

const SidecarSchema = z.object({
  encodingVersion: z.literal(ENCODING_VERSION),
  sourceSha256: z.string(),
  variant: z.string(),
  mimeType: z.enum(["image/jpeg", "image/png", "image/webp", "image/gif"]),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  /** The variant is the source file itself: no copy is stored, the source is read instead. */
  passthrough: z.boolean(),
  normalizations: z.array(z.string()),
});

/** What the sidecar of a cached variant says. */
export type VariantSidecar = z.infer<typeof SidecarSchema>;

/** Counters for tests and benchmarks: how often a variant was encoded vs served from disk. */
export interface VariantStats {
  encodes: number;
  cacheHits: number;
}

const stats: VariantStats = { encodes: 0, cacheHits: 0 };

/** A snapshot of the process-wide variant counters. */
export function variantStats(): VariantStats {
  return { ...stats };
}

/** Counts one encode (called by prepareImage when it had to run sharp). */
export function countEncode(): void {
  stats.encodes++;
}

const EXTENSIONS: Record<ImagePayload["mimeType"], string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
};

function basePath(cacheDir: string, sourceSha256: string, variant: string): string {
  return `${cacheDir}/${sourceSha256}-${variant}`;
}

/**
 * Reads a cached variant. `sourceBytes` gives the source's bytes (read only when the sidecar says
 * the variant is the source itself; undefined counts as a miss). Returns `undefined` on a miss or
 * on anything inconsistent (treated as a miss).
 */
export async function readCachedVariant(
  cacheDir: string,
  key: {
    sourceSha256: string;
    variant: string;
    sourceBytes: () => Promise<Uint8Array | undefined>;
  },
): Promise<{ payload: ImagePayload; sidecar: VariantSidecar } | undefined> {
  const base = basePath(cacheDir, key.sourceSha256, key.variant);
  let sidecar: VariantSidecar;
  try {
    const parsed = SidecarSchema.safeParse(JSON.parse(await Deno.readTextFile(`${base}.json`)));
    if (!parsed.success) return undefined;
    sidecar = parsed.data;
  } catch {
    return undefined;
  }
  let bytes: Uint8Array;
  if (sidecar.passthrough) {
    const source = await key.sourceBytes();
    if (!source) return undefined;
    bytes = source;
  } else {
    try {
      bytes = await Deno.readFile(`${base}.${EXTENSIONS[sidecar.mimeType]}`);
    } catch {
      return undefined;
    }
  }
  if (bytes.length !== sidecar.bytes) return undefined;
  stats.cacheHits++;
  const { mimeType, width, height } = sidecar;
  return { payload: { bytes, mimeType, width, height }, sidecar };
}

/**
 * Stores a variant. The sidecar is written last and renamed into place, so a reader never sees
 * a sidecar whose bytes are missing or half-written.
 */
export async function writeCachedVariant(
  cacheDir: string,
  entry: {
    sourceSha256: string;
    variant: string;
    payload: ImagePayload;
    passthrough: boolean;
    normalizations: string[];
  },
): Promise<void> {
  await Deno.mkdir(cacheDir, { recursive: true });
  const base = basePath(cacheDir, entry.sourceSha256, entry.variant);
  const unique = `${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  if (!entry.passthrough) {
    const path = `${base}.${EXTENSIONS[entry.payload.mimeType]}`;
    await Deno.writeFile(`${path}.${unique}.tmp`, entry.payload.bytes);
    await Deno.rename(`${path}.${unique}.tmp`, path);
  }
  const sidecar: VariantSidecar = {
    encodingVersion: ENCODING_VERSION,
    sourceSha256: entry.sourceSha256,
    variant: entry.variant,
    mimeType: entry.payload.mimeType,
    width: entry.payload.width,
    height: entry.payload.height,
    bytes: entry.payload.bytes.length,
    passthrough: entry.passthrough,
    normalizations: entry.normalizations,
  };
  await Deno.writeTextFile(`${base}.json.${unique}.tmp`, JSON.stringify(sidecar, null, 1));
  await Deno.rename(`${base}.json.${unique}.tmp`, `${base}.json`);
}
