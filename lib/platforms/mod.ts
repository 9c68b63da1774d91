/**
 * Which platforms exist and how to reach them: configuration and env (config), presets
 * (data/presets.json), resolving a choice into an adapter with keys and a price card (resolve),
 * discovery, model lifecycle. Adapter factories and probes are handed in by the registry
 * (adapters/registry.ts), never imported.
 *
 * @module
 */
export * from "./config.ts";
export * from "./presets.ts";
export * from "./resolve.ts";
export * from "./discovery.ts";
export * from "./lifecycle.ts";
