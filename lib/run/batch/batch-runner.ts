/**
 * Runs cases through the platforms' Batch APIs, on the run skeleton shared with live runs (lock,
 * resume, run file, images — run-skeleton.ts). Here: the plan (what the run file and the
 * manifest already hold) and the submission — {@link submitShards} packs the cases into batches
 * within each platform's limits, recording every batch in the manifest before and right after it
 * is submitted. Polling and collecting are batch-collect.ts. Re-running with the same run id
 * resumes: cases already ok and cases held by a submitted batch are not submitted again, and
 * results already recorded are not written twice.
 *
 * @module
 */
import type { BatchAdapter, BatchItem, BatchJob } from "../../contract/batch-adapter.ts";
import { toVisionBenchError, VisionBenchError } from "../../contract/errors.ts";
import type { PriceCard } from "../../contract/price-card.ts";
import type { ImageEntry, PreparedImage } from "../../images/image-set.ts";
import { type Case, generateCases, type GenerationParams, type RunTarget } from "../cases.ts";
import { readRun, runPath } from "../run-store.ts";
import { sentImage } from "../record-builders.ts";
import type { RunEvent } from "../../contract/run-events.ts";
import {
  type ActiveRun,
  type CaseRunOptions,
  type RunResult,
  type RunSetup,
  runSkeleton,
} from "../run-skeleton.ts";
import { batchBase, sentBatchRow, unsentRecord, writeBatchRecord } from "./batch-records.ts";
import { pollShards, recordedResults } from "./batch-collect.ts";
import {
  type BatchManifest,
  manifestPath,
  readBatchManifest,
  type SentItem,
  type Shard,
  writeManifest,
} from "./manifest.ts";
import { createShardPacker } from "./shard.ts";

/** A platform to run in batch mode: its live target (ids, card) plus its batch service. */
export interface BatchTarget extends RunTarget {
  batch: BatchAdapter;
  /** The card batch rows are priced with (`<live card id>@batch`); absent → costError rows. */
  batchPriceCard?: PriceCard;
}

/** Progress of a batch run: the live run's events plus the batches' own. */
export type BatchRunEvent =
  | RunEvent
  | { type: "batch-submitted"; preset: string; shardId: string; batchId: string; items: number }
  | {
    type: "batch-status";
    preset: string;
    batchId: string;
    rawStatus: string;
    counts?: BatchJob["counts"];
  }
  | { type: "batch-ended"; preset: string; batchId: string; outcome?: string; items: number }
  | { type: "batch-problem"; batchId?: string; message: string }
  | { type: "batch-poll-error"; batchId: string; message: string };

/** Options of {@link runBatchCases}. */
export interface BatchRunOptions extends CaseRunOptions<BatchTarget> {
  /** How often to ask the platforms; the wait grows ×1.5 up to `maxIntervalMs`. @default { intervalMs: 30000, maxIntervalMs: 300000 } */
  poll?: { intervalMs?: number; maxIntervalMs?: number };
  /** Wait until every batch ended; `false` submits and returns (pick up later). @default true */
  wait?: boolean;
  /** Keep this call's records in the result (off: memory does not grow with them). @default true */
  keepRecords?: boolean;
  onEvent?: (event: BatchRunEvent) => void;
}

/** What {@link runBatchCases} returns. */
export interface BatchRunResult extends RunResult {
  manifestPath: string;
  /** Batches submitted by this call. */
  submitted: number;
  /** Batches not collected yet (still running, or their platform not in this call). */
  pending: Shard[];
  unknownResults: BatchManifest["unknownResults"];
  problems: BatchManifest["problems"];
}

/** One case as packed into a batch: the platform's item and what the manifest keeps of it. */
interface Entry {
  item: BatchItem;
  sent: SentItem;
}

/** What submit, poll and collect share: the run under way, its manifest and its cases. */
export interface BatchRun {
  run: ActiveRun;
  options: BatchRunOptions;
  manifest: BatchManifest;
  caseByKey: Map<string, Case<ImageEntry>>;
  targetByPreset: Map<string, BatchTarget>;
  /** Case keys by batch id of results already in the run file: never written twice. */
  recorded: Map<string, Set<string>>;
  emit: (event: BatchRunEvent) => void;
  /** Batches submitted by this call. */
  submitted: number;
}

/**
 * Submits (or resumes) a run in batch mode and records one row per case in
 * `<outDir>/<runId>.jsonl`; the batches are tracked in `<outDir>/<runId>.batches.json`.
 */
export function runBatchCases(options: BatchRunOptions): Promise<BatchRunResult> {
  // Batch APIs do not stream; the key says so, so live and batch answers are told apart.
  return runSkeleton({ ...options, stream: false, durable: true }, {
    plan: (setup) => planBatches(options, setup),
    work: async (run, plan) => {
      const batch: BatchRun = {
        run,
        options,
        manifest: plan.manifest,
        caseByKey: new Map(plan.cases.map((item) => [item.key, item])),
        targetByPreset: new Map(options.targets.map((target) => [target.preset, target])),
        recorded: plan.recorded,
        emit: options.onEvent ?? (() => {}),
        submitted: 0,
      };
      if (run.keepRecords) run.caseKeys.push(...plan.cases.map((item) => item.key));
      await submitShards(batch, plan.toSubmit);
      if (options.wait !== false) await pollShards(batch);
      return {
        manifestPath: manifestPath(run.outDir, run.runId),
        submitted: batch.submitted,
        pending: batch.manifest.shards.filter((shard) => shard.state === "submitted"),
        unknownResults: batch.manifest.unknownResults,
        problems: batch.manifest.problems,
      };
    },
  });
}

/** The cases of this call, and which of them the run file or a batch already holds. */
async function planBatches(options: BatchRunOptions, setup: RunSetup) {
  const cases = Array.from(generateCases({ ...options, params: setup.params }));
  const manifest = await readBatchManifest(setup.outDir, setup.runId);
  const previous = await readRun(runPath(setup.outDir, setup.runId), { missingOk: true });
  // Done: ok, or a `final` error (paid for, or a batch the platform lost: not sent again unasked).
  const okKeys = new Set(
    previous.records.filter((r) => r.status === "ok" || r.final).map((r) => r.caseKey),
  );
  const recorded = recordedResults(previous.records);
  await settleSubmittingShards(options, setup, manifest);
  // A shard still `submitting` could not be looked up: its cases may be on the platform.
  const inFlight = new Set(
    manifest.shards.filter((shard) => shard.state !== "collected")
      .flatMap((shard) => shard.items.map((item) => item.customId)),
  );
  const toSubmit = cases.filter((item) => !okKeys.has(item.key) && !inFlight.has(item.key));
  return {
    total: cases.length,
    alreadyDone: cases.filter((item) => okKeys.has(item.key)).length,
    skipped: cases.length - toSubmit.length,
    cases,
    toSubmit,
    manifest,
    recorded,
  };
}

/**
 * A shard whose create call never told its outcome (a 500 after creating, Ctrl-C or kill -9
 * during the call, an unreadable answer): the platform may hold it. It is looked up by its
 * label and adopted; only a shard the platform proved not to hold is dropped (its cases are
 * then submitted again). One that cannot be looked up stays `submitting`, its cases unsent.
 */
async function settleSubmittingShards(
  options: BatchRunOptions,
  setup: RunSetup,
  manifest: BatchManifest,
): Promise<void> {
  const pending = manifest.shards.filter((s) => s.state === "planned" || s.state === "submitting");
  for (const shard of pending) {
    const target = options.targets.find((candidate) => candidate.preset === shard.preset);
    if (!target) continue; // not this call's platform: settled by a call that has it
    const settled = await lookUp(target, shard, { ...setup, manifest });
    if (settled.found) adopt(shard, settled.found);
    else if (settled.absent) manifest.shards.splice(manifest.shards.indexOf(shard), 1);
    const message = settled.found
      ? undefined
      : settled.absent
      ? `batch ${shard.shardId} (${shard.items.length} cases) was being submitted when the ` +
        `last run stopped; ${shard.platform} holds no such batch, so its cases are submitted again`
      : `batch ${shard.shardId} (${shard.items.length} cases) was being submitted when the last ` +
        `run stopped and cannot be looked up (${settled.reason}); its cases are not submitted ` +
        `again until it is (re-run later)`;
    if (message) options.onEvent?.({ type: "batch-problem", message });
  }
  await writeManifest(setup.outDir, manifest);
}

/** Asks the platform for a shard's batch: found, proven absent, or undecided (with why). */
async function lookUp(
  target: BatchTarget,
  shard: Shard,
  context: { runId: string; signal?: AbortSignal; manifest: BatchManifest },
): Promise<{ found?: BatchJob; absent?: boolean; reason?: string }> {
  if (!target.batch.findByLabel) return { reason: `${shard.platform} cannot look batches up` };
  try {
    const found = await target.batch.findByLabel(shard.label ?? shardLabel(context.runId, shard), {
      signal: context.signal,
      customIds: shard.items.map((item) => item.customId),
      since: shard.plannedAt,
      exclude: context.manifest.shards.flatMap((other) => other.batchId ?? []),
    });
    return found ? { found } : { absent: true };
  } catch (error) {
    return { reason: toVisionBenchError(error, target.batch.id).message };
  }
}

function adopt(shard: Shard, job: BatchJob): void {
  Object.assign(shard, {
    state: "submitted",
    batchId: job.id,
    // The platform's clock, like the end time it reports: the turnaround is then its own.
    submittedAt: job.createdAt ?? new Date().toISOString(),
    rawStatus: job.rawStatus,
  });
}

/**
 * Packs the cases into batches within each platform's limits, submitting each batch as it
 * fills. Cases come image by image with the target varying fastest, so one prepared image serves
 * every platform.
 */
async function submitShards(batch: BatchRun, toSubmit: Case<ImageEntry>[]): Promise<void> {
  const { run } = batch;
  const packers = new Map(
    batch.options.targets.map((target) => [target, createShardPacker<Entry>(target.batch.limits)]),
  );
  for (const item of toSubmit) {
    if (run.signal?.aborted) break;
    let image: PreparedImage;
    try {
      image = await run.images.prepare(item);
    } catch (error) {
      const failure = toVisionBenchError(error, item.target.adapter.id);
      writeBatchRecord(run, unsentRecord(batchBase(run, item), failure, 0));
      continue;
    }
    const target = item.target as BatchTarget;
    const entry = entryOf(item, image, run.params);
    const { full, tooLarge } = packers.get(target)!.add(entry, target.batch.itemBytes(entry.item));
    if (tooLarge) {
      const failure = new VisionBenchError(
        "bad_request",
        `this request is larger than one ${target.batch.id} batch may be (${target.batch.limits.maxBytes} bytes); send a smaller variant`,
        { platform: target.batch.id, code: "batch_item_too_large" },
      );
      writeBatchRecord(run, unsentRecord(sentBatchRow(run, item, entry.sent), failure, 0));
      continue;
    }
    if (full) await submitShard(batch, target, full);
  }
  for (const [target, packer] of packers) {
    const rest = packer.rest();
    if (rest.length > 0 && !run.signal?.aborted) await submitShard(batch, target, rest);
  }
}

/**
 * Submits one batch exactly once: recorded in the manifest as `submitting`, with its label,
 * before the create call, and as `submitted` once the platform's answer is read. A create call
 * that failed without proof that nothing was created (a 5xx, a lost connection, an unreadable
 * answer) is followed by a look-up: the batch is adopted if the platform holds it. A refused
 * batch (a 4xx) leaves the manifest and becomes error rows; an interrupted one stays
 * `submitting` for the next run to look up.
 */
async function submitShard(batch: BatchRun, target: BatchTarget, entries: Entry[]) {
  const { run, manifest } = batch;
  const shardId = `${target.preset}-${manifest.shards.length + 1}-${
    crypto.randomUUID().slice(0, 4)
  }`;
  const shard: Shard = {
    // Unique even after a dropped shard: its label must never match a new batch.
    shardId,
    preset: target.preset,
    platform: target.batch.id,
    model: target.batch.model,
    items: entries.map((entry) => entry.sent),
    state: "submitting",
    label: `visionbench/${run.runId}/${shardId}`,
    plannedAt: new Date().toISOString(),
  };
  manifest.shards.push(shard);
  await writeManifest(run.outDir, manifest);
  let job: BatchJob | undefined;
  let failure: VisionBenchError | undefined;
  try {
    job = await target.batch.submit(entries.map((entry) => entry.item), {
      signal: run.signal,
      label: shard.label,
    });
  } catch (error) {
    failure = toVisionBenchError(error, target.batch.id);
  }
  const refused = failure?.status !== undefined && failure.status >= 400 && failure.status < 500;
  if (failure && !refused) {
    if (run.signal?.aborted) return; // stays `submitting`: the next run looks it up
    const settled = await lookUp(target, shard, { ...run, manifest });
    if (!settled.found && !settled.absent) {
      batch.emit({ type: "batch-problem", message: undecidedMessage(shard, failure, settled) });
      return;
    }
    job = settled.found;
  }
  if (!job) {
    manifest.shards.splice(manifest.shards.indexOf(shard), 1);
    await writeManifest(run.outDir, manifest);
    for (const { item, sent } of entries) {
      const row = sentBatchRow(run, batch.caseByKey.get(item.customId)!, sent);
      writeBatchRecord(run, unsentRecord(row, failure!, 1));
    }
    return;
  }
  adopt(shard, job);
  await writeManifest(run.outDir, manifest);
  batch.submitted++;
  batch.emit({
    type: "batch-submitted",
    preset: target.preset,
    shardId,
    batchId: job.id,
    items: entries.length,
  });
}

function undecidedMessage(
  shard: Shard,
  failure: VisionBenchError,
  settled: { reason?: string },
): string {
  return `batch ${shard.shardId} (${shard.items.length} cases): the create call failed ` +
    `(${failure.message}) and whether ${shard.platform} holds the batch cannot be told ` +
    `(${settled.reason}); its cases are not submitted again until a later run finds out`;
}

/** One case as a batch item: the live request (same prompt, image, limits), not streamed. */
function entryOf(item: Case<ImageEntry>, prepared: PreparedImage, params: GenerationParams): Entry {
  return {
    item: {
      customId: item.key,
      request: { image: prepared.payload, prompt: item.prompt.text, ...params, stream: false },
    },
    sent: { customId: item.key, ...sentImage(prepared) },
  };
}

/** The label of a shard written before labels were kept in the manifest. */
function shardLabel(runId: string, shard: Shard): string {
  return `visionbench/${runId}/${shard.shardId}`;
}
