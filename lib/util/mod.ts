/**
 * Small helpers every group may use: HTML by a template that escapes (`safeHtml`, `raw`), the
 * number formats, secret registration and redaction, repository paths, the size cap on platform
 * responses (a `fetch` wrapper, for an SDK of your own). (data-file, jsonl and parse-values are
 * internal: import them by path inside lib/.)
 *
 * @module
 */
export {
  formatCount,
  formatDuration,
  formatScore,
  formatSeconds,
  formatShare,
  formatUsd,
} from "./format.ts";
export { HtmlFragment, type MimeBundle, raw, safeHtml } from "./html.ts";
export * from "./secrets.ts";
export * from "./paths.ts";
export * from "./response-cap.ts";
export * from "./wait.ts";
