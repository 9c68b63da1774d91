/**
 * End-to-end tests need Jupyter and Chromium. On a developer's machine without them they are
 * ignored with a warning; under CI (`CI=true`, as `.ci/run` sets) a missing tool fails the run,
 * so CI never passes by silently skipping what it exists to check.
 *
 * @module
 */

/**
 * The `ignore` flag of a test that needs a tool: false when `missing` is undefined (the tool is
 * there); true with a warning when it is missing outside CI; throws under `CI=true`.
 *
 * @example
 * ```ts
 * const ignore = skipWithoutTool("report browser test", chromiumMissing());
 * ```
 */
export function skipWithoutTool(test: string, missing: string | undefined): boolean {
  if (missing === undefined) return false;
  if (Deno.env.get("CI") === "true") {
    throw new Error(`${test} cannot run: ${missing}; CI=true runs every end-to-end test`);
  }
  console.warn(`${test} skipped: ${missing}`);
  return true;
}
