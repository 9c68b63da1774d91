/**
 * In-page addresses shared by the report's parts: a chart mark links to `#<platformAnchor>` and
 * the description browser gives that platform's entry the same id, so a click on a mark lands on
 * that platform's descriptions. One function, so the two sides cannot drift apart.
 *
 * @module
 */

/**
 * The element id of a platform · model in the report (lower case, `[a-z0-9-]` only).
 *
 * @example
 * ```ts
 * platformAnchor("openai", "gpt-4o-mini"); // "platform-openai-gpt-4o-mini"
 * ```
 */
export function platformAnchor(platform: string, model: string): string {
  const slug = `${platform} ${model}`.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(
    /^-+|-+$/g,
    "",
  );
  return `platform-${slug}`;
}
