/**
 * Presentation: notebook display, HTML tables, progress bars, report sections, charts. Reads
 * analysis and quality; never runs anything.
 *
 * @module
 */
export * from "./display.ts";
export * from "./tables.ts";
export * from "./notebook-progress.ts";
export * from "./terminal-progress.ts";
export * from "./report-sections.ts";
export * from "./quality-sections.ts";
export * from "./rating-prompt.ts";
export * from "./anchors.ts";
export * from "./charts/mod.ts";
export * from "./browser/browser.ts";
export * from "./batch-comparison.ts";
export * from "./decision-card.ts";
export * from "./leaderboard.ts";
export * from "./method.ts";
