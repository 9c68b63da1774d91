/**
 * Images in: listing and validating a folder, the manifest, resized variants cached on disk,
 * thumbnails. (format sniffing and normalization are internal.)
 *
 * @module
 */
export * from "./image-set.ts";
export * from "./manifest.ts";
export * from "./variants.ts";
export * from "./thumbnail.ts";
export { DEFAULT_MAX_IMAGE_BYTES } from "./image-file.ts";
