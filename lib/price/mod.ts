/**
 * Prices: price cards and the cost of a call for every billing shape, projections per 1,000 images
 * and at scale, pre-flight image-token estimates.
 *
 * @module
 */
export * from "./cost.ts";
export * from "./projection.ts";
export * from "./image-tokens.ts";
export * from "./reprice.ts";
export * from "./assumptions.ts";
