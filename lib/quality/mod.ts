/**
 * Quality: reference labels, the automatic score, quality columns, agreement between platforms, the
 * optional judge, human ratings and their statistics.
 *
 * @module
 */
export * from "./labels.ts";
export * from "./score.ts";
export * from "./quality-frame.ts";
export * from "./agreement.ts";
export * from "./judge.ts";
export * from "./ratings.ts";
export * from "./rating-stats.ts";
export * from "./ratings-folder.ts";
export * from "./highlights.ts";
export * from "./description-review.ts";
export * from "./description-sample.ts";
export * from "./failures.ts";
