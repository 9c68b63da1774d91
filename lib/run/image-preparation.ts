/**
 * Prepared images shared by the cases of a run, live or batch: each image+variant is read (and
 * resized) once while cases use it, so every platform and repeat sends the same bytes.
 *
 * @module
 */
import type { Case } from "./cases.ts";
import { type ImageEntry, type PreparedImage, prepareImage } from "../images/image-set.ts";

/** An image and variant to prepare. */
type Preparation = Pick<Case<ImageEntry>, "image" | "variant">;

/** Prepared variants kept after their last in-flight case, for the next platform or repeat. */
const IDLE_PREPARED = 8;

/** An image+variant's key: by path, not sha256 (unreadable files have no hash, each its own error). */
function imageKey(item: Preparation): string {
  return `${item.image.path}\u0000${item.variant}`;
}

/** What {@link createImagePreparation} returns. */
export interface ImagePreparation {
  /** The case's image+variant, prepared once while cases use it; rejects with its error. */
  prepare(item: Case<ImageEntry>): Promise<PreparedImage>;
}

/**
 * Cases arrive lazily, so nobody knows the last user of an image ahead: an entry lives while a
 * case waits for it, then among the few most recent idle ones (originals can be megabytes each).
 *
 * The first case of an image+variant also starts preparing the next one in case order (image,
 * then variant), so the cases that reach it find it ready: otherwise every worker that gets there
 * first waits for its files to be read (or the image resized), and no call goes out meanwhile. A
 * failure there is the next image's own error record, when its case asks for it.
 */
export function createImagePreparation(options: {
  images: readonly ImageEntry[];
  variants: readonly string[];
  /** Where resized variants are cached on disk. */
  cacheDir: string;
}): ImagePreparation {
  const entries = new Map<
    string,
    { prepared: Promise<PreparedImage>; users: number; used: boolean }
  >();
  const idle = new Set<string>();
  const next = nextPreparation(options.images, options.variants);
  const park = (key: string) => {
    idle.add(key);
    if (idle.size <= IDLE_PREPARED) return;
    const oldest = idle.values().next().value!;
    idle.delete(oldest);
    entries.delete(oldest);
  };
  const start = (item: Preparation) => {
    const prepared = prepareImage(item.image, {
      variant: item.variant,
      cacheDir: options.cacheDir,
    });
    const entry = { prepared, users: 0, used: false };
    entries.set(imageKey(item), entry);
    return entry;
  };
  const prepareAhead = (item: Preparation) => {
    const ahead = next(item);
    if (!ahead || entries.has(imageKey(ahead))) return;
    // Nobody awaits it yet: its error must not surface as an unhandled rejection.
    start(ahead).prepared.catch(() => {});
    park(imageKey(ahead));
  };
  return {
    async prepare(item) {
      const key = imageKey(item);
      const entry = entries.get(key) ?? start(item);
      if (!entry.used) {
        entry.used = true;
        prepareAhead(item);
      }
      entry.users++;
      idle.delete(key);
      try {
        return await entry.prepared;
      } finally {
        if (--entry.users === 0) park(key);
      }
    },
  };
}

/** The image+variant cases reach after `item`'s, in `generateCases`' order (image, then variant). */
function nextPreparation(
  images: readonly ImageEntry[],
  variants: readonly string[],
): (item: Preparation) => Preparation | undefined {
  const imageIndex = new Map(images.map((image, index) => [image, index]));
  return ({ image, variant }) => {
    const variantIndex = variants.indexOf(variant);
    if (variantIndex + 1 < variants.length) return { image, variant: variants[variantIndex + 1] };
    const next = images[(imageIndex.get(image) ?? images.length) + 1];
    return next && variants.length > 0 ? { image: next, variant: variants[0] } : undefined;
  };
}
