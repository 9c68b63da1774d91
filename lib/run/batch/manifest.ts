/**
 * The batch manifest, `<outDir>/<runId>.batches.json`: every batch a run planned and submitted,
 * with the custom ids (case keys) it holds and what was sent for each. It is written
 * atomically (temporary file + rename) before a batch is submitted and again as soon as the
 * platform has accepted it, so a process killed at any moment can be re-run with the same run id
 * and resume polling instead of submitting again.
 *
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { VisionBenchError } from "../../contract/errors.ts";
import { validateRunId } from "../run-id.ts";
import { printable } from "../../util/secrets.ts";

/** What was sent for one case (the record's `width`, `height`, `bytes`, `mimeType`). */
export const SentItemSchema = z.object({
  customId: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  mimeType: z.string(),
});
export type SentItem = z.infer<typeof SentItemSchema>;

/** One batch of a run. */
export const ShardSchema = z.object({
  /** `<preset>-<n>`, unique in the run. */
  shardId: z.string().min(1),
  preset: z.string(),
  platform: z.string(),
  model: z.string(),
  items: z.array(SentItemSchema),
  /**
   * `submitting`: written before the create call, whose outcome is not known yet (the platform
   * may hold it: the next run looks it up by `label` before it submits anything); `submitted`:
   * the platform holds it as `batchId`; `collected`: every item is in the run file. (`planned`
   * is what earlier versions wrote for `submitting`.)
   */
  state: z.enum(["planned", "submitting", "submitted", "collected"]),
  /** The client-side mark the batch carries on the platform (`visionbench/<runId>/<shardId>`). */
  label: z.string().optional(),
  /** When the create call was about to be made (this machine's clock): where to look for it. */
  plannedAt: z.string().optional(),
  batchId: z.string().optional(),
  /** When the platform created the batch (its clock; this machine's when it gives none). */
  submittedAt: z.string().optional(),
  /** When processing ended (the platform's time when it gives one). */
  finishedAt: z.string().optional(),
  /** The platform's last status word and how the batch ended. */
  rawStatus: z.string().optional(),
  outcome: z.enum(["completed", "failed", "expired", "cancelled"]).optional(),
});
export type Shard = z.infer<typeof ShardSchema>;

/** A result whose custom id the run does not know: reported, never dropped. */
export const UnknownResultSchema = z.object({
  batchId: z.string(),
  customId: z.string(),
  ok: z.boolean(),
});

export const BatchManifestSchema = z.object({
  version: z.literal(1),
  runId: z.string(),
  shards: z.array(ShardSchema),
  unknownResults: z.array(UnknownResultSchema),
  /** Result lines that could not be read, with the batch they came from. */
  problems: z.array(z.object({ batchId: z.string(), message: z.string() })),
  /** Cases a batch answered twice with different answers (the first is recorded). */
  conflicts: z.array(z.object({ batchId: z.string(), customId: z.string() })).default([]),
});
export type BatchManifest = z.infer<typeof BatchManifestSchema>;

/** Path of a run's manifest. */
export function manifestPath(outDir: string, runId: string): string {
  return join(outDir, `${validateRunId(runId)}.batches.json`);
}

/**
 * Reads a run's manifest; an empty one when the run has none yet.
 *
 * @example
 * ```ts
 * const manifest = await readBatchManifest("results", "2026-11-25T19-40-12-ab12");
 * console.log(manifest);
 * ```
 */
export async function readBatchManifest(outDir: string, runId: string): Promise<BatchManifest> {
  const path = manifestPath(outDir, runId);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { version: 1, runId, shards: [], unknownResults: [], problems: [], conflicts: [] };
    }
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new VisionBenchError("config", `${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = BatchManifestSchema.safeParse(value);
  if (!parsed.success) {
    throw new VisionBenchError(
      "config",
      `${path} is not a batch manifest: ${parsed.error.message}`,
    );
  }
  return parsed.data;
}

/**
 * Writes the manifest atomically: a reader (or a re-run after kill -9) sees the old file or the
 * new one, never half of one. fsync'd, because it is the only record of batches being paid for.
 */
export async function writeManifest(outDir: string, manifest: BatchManifest): Promise<void> {
  await Deno.mkdir(outDir, { recursive: true });
  const path = manifestPath(outDir, manifest.runId);
  const temporary = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  // Every string a platform sent (status words, custom ids, problems) without secrets or
  // terminal control characters: the manifest is read by people and printed by commands.
  const text = JSON.stringify(
    manifest,
    (_key, value) => typeof value === "string" ? printable(value) : value,
    1,
  );
  const bytes = new TextEncoder().encode(text + "\n");
  try {
    const file = await Deno.open(temporary, { write: true, create: true, truncate: true });
    try {
      let offset = 0;
      while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(temporary, path);
  } catch (error) {
    // A full disk (ENOSPC), a read-only folder: no temporary file is left behind.
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}
