/**
 * The contract between the parts: what an adapter implements (adapter), the one error type
 * (errors), what a run records (record, price-card, run-events) and the structured-output schemas.
 * Imports nothing else from lib/ but util.
 *
 * @module
 */
export * from "./adapter.ts";
export * from "./errors.ts";
export * from "./record.ts";
export * from "./price-card.ts";
export * from "./run-events.ts";
export * from "./schemas.ts";
export * from "./image-transport.ts";
export * from "./batch-adapter.ts";
export * from "./simulation.ts";
