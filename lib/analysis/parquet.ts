/**
 * Parquet export of records, in the flat layout of {@link recordsToFrame} (nested fields
 * flattened or JSON-stringified, so every column has one plain type).
 *
 * @module
 */
import { dirname } from "node:path";
import { recordsToFrame } from "./frames.ts";
import type { ResultRecord } from "../contract/record.ts";

/**
 * Writes records to a Parquet file.
 *
 * @example
 * ```ts
 * import { readRuns } from "../run/run-store.ts";
 * await exportParquet((await readRuns("results")).records, "results/runs.parquet");
 * ```
 */
export async function exportParquet(records: readonly ResultRecord[], path: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  recordsToFrame(records).writeParquet(path);
}
