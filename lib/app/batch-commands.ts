/**
 * The CLI's batch commands: `--batch-status` and `--batch-cancel` for a run id (the batch
 * adapters are made from the presets the run's manifest names, with this machine's keys), and
 * the lines that tell a user how to resume or cancel batches left running.
 *
 * @module
 */
import type { BatchAdapter } from "../contract/batch-adapter.ts";
import { type Config, loadConfig } from "../platforms/config.ts";
import { loadPresets } from "../platforms/presets.ts";
import { resolvePlatform } from "../platforms/resolve.ts";
import { loadPriceCards } from "../price/cost.ts";
import type { BatchStatusRow } from "../run/batch/batch-control.ts";
import { readBatchManifest, type Shard } from "../run/batch/manifest.ts";
import { batchTargets, rememberingFactories } from "./batch-targets.ts";
import { adapterFactoriesFor } from "./targets.ts";
import { printable } from "../util/secrets.ts";

/** Options of {@link batchAdaptersForRun}. */
export interface RunBatchAdaptersOptions {
  runId: string;
  /** @default "results" */
  outDir?: string;
  /** @default the process environment + .env */
  env?: Record<string, string | undefined>;
}

/**
 * The batch adapter of every preset a run's manifest names, keyed by preset id. Presets whose
 * keys are missing here are left out, with the reason in `skipped`.
 *
 * @example
 * ```ts
 * const { adapters } = await batchAdaptersForRun({ runId: "2026-11-25T19-40-12-ab12" });
 * console.log(adapters);
 * ```
 */
export async function batchAdaptersForRun(
  options: RunBatchAdaptersOptions,
): Promise<{ adapters: Map<string, BatchAdapter>; skipped: string[] }> {
  const manifest = await readBatchManifest(options.outDir ?? "results", options.runId);
  const config = loadConfig({ env: options.env });
  const presets = await loadPresets();
  const priceCards = await loadPriceCards();
  const adapters = new Map<string, BatchAdapter>();
  const skipped: string[] = [];
  const seen = new Map(manifest.shards.map((shard) => [shard.preset, shard.model]));
  for (const [preset, model] of seen) {
    try {
      const remembering = rememberingFactories(
        await adapterFactoriesFor([{ preset, model }], presets),
      );
      const resolved = resolvePlatform({ preset, model }, presets, {
        config,
        factories: remembering.factories,
        priceCards,
      });
      const [target] = await batchTargets([resolved], {
        settingsOf: remembering.settingsOf,
        priceCards,
      });
      adapters.set(preset, target.batch);
    } catch (error) {
      skipped.push(`${preset}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { adapters, skipped };
}

/** A plain table of a run's batches. */
export function formatBatchRows(rows: BatchStatusRow[]): string {
  if (rows.length === 0) return "no batches in this run";
  const header = ["batch", "platform", "id", "items", "state", "status", "submitted", "finished"];
  const lines = rows.map((row) =>
    [
      row.shardId,
      row.preset,
      row.batchId ?? "–",
      String(row.items),
      row.state,
      row.error ? `error: ${row.error}` : row.rawStatus ?? "–",
      row.submittedAt ?? "–",
      row.finishedAt ?? "–",
    ].map((cell) => printable(cell))
  );
  const widths = header.map((title, index) =>
    Math.max(title.length, ...lines.map((line) => line[index].length))
  );
  return [header, ...lines].map((line) =>
    line.map((cell, index) => cell.padEnd(widths[index])).join("  ").trimEnd()
  ).join("\n");
}

/** What to tell a user whose batches are still running (Ctrl-C, or submit-only). */
export function resumeHint(runId: string, pending: Shard[]): string[] {
  if (pending.length === 0) return [];
  const items = pending.reduce((sum, shard) => sum + shard.items.length, 0);
  return [
    `${pending.length} batch(es) with ${items} case(s) keep running on the platforms (up to 24 h).`,
    `  pick up results: deno task bench --mode batch --run-id ${runId} <the same flags>`,
    `  see them:        deno task bench --batch-status --run-id ${runId}`,
    `  cancel them:     deno task bench --batch-cancel --run-id ${runId}`,
  ];
}

/**
 * True when a batch platform's base URL points at this machine (the emulators): batch figures
 * are then simulated and must be labelled so.
 *
 * @example
 * ```ts
 * import { batchComparison } from "../present/batch-comparison.ts";
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const records: ResultRecord[];
 * batchComparison(records, { simulated: pointsAtLocalEndpoints() });
 * ```
 */
export function pointsAtLocalEndpoints(config: Config = loadConfig()): boolean {
  return ["OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "GEMINI_BASE_URL"].some((name) =>
    /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|\/|$)/.test(config.get(name) ?? "")
  );
}
