/**
 * Small helpers every group may use: escaped HTML fragments, secret registration and redaction,
 * repository paths. (data-file, jsonl and parse-values are internal: import them by path inside
 * lib/.)
 *
 * @module
 */
export * from "./html.ts";
export * from "./secrets.ts";
export * from "./paths.ts";
