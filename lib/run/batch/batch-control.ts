/**
 * `--batch-status` and `--batch-cancel`: what the platforms say about a run's batches, and
 * asking them to stop. Neither writes records: a re-run with the same run id collects whatever
 * finished and records the rest as cancelled.
 *
 * @module
 */
import type { BatchAdapter } from "../../contract/batch-adapter.ts";
import { toVisionBenchError, VisionBenchError } from "../../contract/errors.ts";
import { printable } from "../../util/secrets.ts";
import { withRunLock } from "../run-lock.ts";
import { manifestPath, readBatchManifest, type Shard, writeManifest } from "./manifest.ts";

/** One batch of a run, as the manifest and (for open ones) the platform see it. */
export interface BatchStatusRow {
  shardId: string;
  preset: string;
  batchId?: string;
  /** `collected` once every item is in the run file; otherwise the platform's status word. */
  state: Shard["state"];
  rawStatus?: string;
  items: number;
  submittedAt?: string;
  finishedAt?: string;
  outcome?: string;
  /** Why the platform could not be asked. */
  error?: string;
}

/** Options of {@link batchStatus} and {@link cancelBatches}. */
export interface BatchControlOptions {
  runId: string;
  /** @default "results" */
  outDir?: string;
  /** Batch adapters by preset id; batches of other presets are listed from the manifest only. */
  adapters: Map<string, BatchAdapter>;
  signal?: AbortSignal;
}

/**
 * Lists a run's batches, asking the platform about those not collected yet.
 *
 * @example
 * ```ts
 * declare const adapters: BatchControlOptions["adapters"];
 * const rows = await batchStatus({ runId: "2026-11-25T19-40-12-ab12", adapters });
 * for (const row of rows) console.log(row.batchId, row.rawStatus);
 * ```
 */
export async function batchStatus(options: BatchControlOptions): Promise<BatchStatusRow[]> {
  // Reads only: no lock, so a run that waits for hours can still be looked at.
  const outDir = options.outDir ?? "results";
  const manifest = await existingManifest(outDir, options.runId);
  const rows: BatchStatusRow[] = [];
  for (const shard of manifest.shards) {
    const row = rowOf(shard);
    const adapter = options.adapters.get(shard.preset);
    if (shard.state === "submitted" && shard.batchId && adapter) {
      try {
        const job = await adapter.status(shard.batchId, { signal: options.signal });
        row.rawStatus = clean(job.rawStatus);
        row.outcome = job.outcome;
      } catch (error) {
        row.error = clean(toVisionBenchError(error, adapter.id).message);
      }
    }
    rows.push(row);
  }
  return rows;
}

/**
 * Asks the platform to cancel every batch of the run that is not collected yet.
 *
 * @example
 * ```ts
 * declare const adapters: BatchControlOptions["adapters"];
 * await cancelBatches({ runId: "2026-11-25T19-40-12-ab12", adapters }); // then re-run with the same run id to record them
 * ```
 */
export function cancelBatches(options: BatchControlOptions): Promise<BatchStatusRow[]> {
  const outDir = options.outDir ?? "results";
  // Under the run's lock, reading the manifest only once it is held: a run submitting meanwhile
  // would otherwise have its newer manifest overwritten by this older copy.
  return withRunLock({ runId: options.runId, outDir }, async () => {
    const manifest = await existingManifest(outDir, options.runId);
    const rows: BatchStatusRow[] = [];
    for (const shard of manifest.shards.filter((s) => s.state === "submitted" && s.batchId)) {
      const row = rowOf(shard);
      const adapter = options.adapters.get(shard.preset);
      if (!adapter) {
        row.error = `no ${shard.preset} credentials in this call`;
      } else {
        try {
          const job = await adapter.cancel(shard.batchId!, { signal: options.signal });
          shard.rawStatus = row.rawStatus = clean(job.rawStatus);
        } catch (error) {
          row.error = clean(toVisionBenchError(error, adapter.id).message);
        }
      }
      rows.push(row);
    }
    await writeManifest(outDir, manifest);
    return rows;
  });
}

/** A run's manifest; a `usage` error naming the run when it has none (a mistyped run id). */
async function existingManifest(outDir: string, runId: string) {
  try {
    await Deno.stat(manifestPath(outDir, runId));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new VisionBenchError(
      "usage",
      `no batch run "${runId}" in ${outDir} (no ${manifestPath(outDir, runId)})`,
    );
  }
  return await readBatchManifest(outDir, runId);
}

/** A platform's word as it may be printed: no secret, no terminal control sequence. */
function clean(text: string): string {
  return printable(text, { maxLength: 300 });
}

function rowOf(shard: Shard): BatchStatusRow {
  return {
    shardId: shard.shardId,
    preset: shard.preset,
    batchId: shard.batchId,
    state: shard.state,
    rawStatus: shard.rawStatus,
    items: shard.items.length,
    submittedAt: shard.submittedAt,
    finishedAt: shard.finishedAt,
    outcome: shard.outcome,
  };
}
