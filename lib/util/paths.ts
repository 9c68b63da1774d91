/**
 * Default locations, resolved from the repository root rather than the working directory:
 * notebooks run with their own folder as working directory, the CLI with the repo root.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const ROOT = new URL("../../", import.meta.url);

/** Absolute path of a file or folder inside the repository. */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(relative, ROOT)).replace(/\/$/, "");
}

/** `images/`: the sample image set. */
export const DEFAULT_IMAGES_DIR = repoPath("images");
/** `results/`: run output (JSONL, Parquet, caches, report). */
export const DEFAULT_RESULTS_DIR = repoPath("results");
