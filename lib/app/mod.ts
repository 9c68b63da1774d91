/**
 * The composition root: the benchmark call, platform resolution with the adapter registry, the
 * judge section, notebook parameters and the notebook runner. The only importer of the registry
 * (adapters/registry.ts), which loads a platform's adapter when a run uses it.
 * (cli.ts and cli-summary.ts are the command line's entry, not exported.)
 *
 * @module
 */
export * from "./bench.ts";
export * from "./targets.ts";
export * from "./discover.ts";
export * from "./judge-section.ts";
export * from "./notebook-params.ts";
export * from "./notebook-runner.ts";
export { BATCH_PLATFORMS } from "./batch-targets.ts";
export { pointsAtLocalEndpoints } from "./batch-commands.ts";
export * from "./compare-report.ts";
export { type PricingParams, pricingParams } from "./report-args.ts";
