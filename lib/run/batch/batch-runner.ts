/**
 * Runs cases through the platforms' Batch APIs, in three steps on the run skeleton (lock, resume,
 * run file, images — run-skeleton.ts, shared with live runs): {@link submitShards} packs the
 * cases into batches within each platform's limits, recording every batch in the manifest before
 * and right after it is submitted; {@link pollShards} asks the platforms until the batches end;
 * {@link collectShard} appends one record per case of an ended batch. Re-running with the same
 * run id resumes: cases already ok and cases held by a submitted batch are not submitted again,
 * and results already recorded are not written twice.
 *
 * @module
 */
import {
  type BatchAdapter,
  type BatchItem,
  type BatchItemResult,
  type BatchJob,
  cancelledItemError,
  expiredItemError,
} from "../../contract/batch-adapter.ts";
import type { Description } from "../../contract/adapter.ts";
import { cleanDescription } from "../platform-output.ts";
import { toVisionBenchError, VisionBenchError } from "../../contract/errors.ts";
import type { PriceCard } from "../../contract/price-card.ts";
import type { ResultRecord } from "../../contract/record.ts";
import type { ImageEntry, PreparedImage } from "../../images/image-set.ts";
import { type Case, generateCases, type GenerationParams, type RunTarget } from "../cases.ts";
import {
  type BaseRecord,
  baseRecord,
  errorRecord,
  unrecordableRecord,
} from "../record-builders.ts";
import { checkRecord, readRun, runPath } from "../run-store.ts";
import type { RunEvent } from "../../contract/run-events.ts";
import {
  type ActiveRun,
  type CaseRunOptions,
  type RunResult,
  type RunSetup,
  runSkeleton,
} from "../run-skeleton.ts";
import { wait } from "../../util/wait.ts";
import {
  batchErrorRecord,
  batchOkRecord,
  type BatchTiming,
  sentRecordFields,
} from "./batch-records.ts";
import {
  type BatchManifest,
  manifestPath,
  readManifest,
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
interface BatchRun {
  run: ActiveRun;
  options: BatchRunOptions;
  manifest: BatchManifest;
  caseByKey: Map<string, Case<ImageEntry>>;
  targetByPreset: Map<string, BatchTarget>;
  /** {@link resultKey}s of results already in the run file: never written twice. */
  recorded: Set<string>;
  emit: (event: BatchRunEvent) => void;
  /** Batches submitted by this call. */
  submitted: number;
}

/**
 * Submits (or resumes) a run in batch mode and records one row per case in
 * `<outDir>/<runId>.jsonl`; the batches are tracked in `<outDir>/<runId>.batches.json`.
 *
 * @example
 * ```ts
 * const result = await runBatchCases({
 *   runId: "2026-11-25T19-40-12-ab12", targets: [batchTarget],
 *   images: await loadImageSet("images", { limit: 3 }), variants: ["512"],
 *   prompts: [{ id: "default", text: "Describe this image." }],
 * });
 * ```
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
      run.caseKeys.push(...plan.cases.map((item) => item.key));
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

/** The cases of this call, and which of them the run file or a submitted batch already holds. */
async function planBatches(options: BatchRunOptions, setup: RunSetup) {
  const cases = Array.from(generateCases({ ...options, params: setup.params }));
  const manifest = await readManifest(setup.outDir, setup.runId);
  const previous = await readRun(runPath(setup.outDir, setup.runId), { missingOk: true });
  const okKeys = new Set(previous.records.filter((r) => r.status === "ok").map((r) => r.caseKey));
  const recorded = new Set(
    previous.records.filter((r) => r.batchId).map((r) => resultKey(r.batchId!, r.caseKey)),
  );
  await settlePlannedShards(options, setup, manifest);
  const inFlight = new Set(
    manifest.shards.filter((shard) => shard.state === "submitted")
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
 * A planned shard was being submitted when the process stopped: the platform may hold it. Where
 * batches carry our label, look it up; otherwise plan its cases again and say so.
 */
async function settlePlannedShards(
  options: BatchRunOptions,
  { runId, outDir, signal }: RunSetup,
  manifest: BatchManifest,
): Promise<void> {
  for (const shard of manifest.shards.filter((s) => s.state === "planned")) {
    const adapter = options.targets.find((target) => target.preset === shard.preset)?.batch;
    const found = adapter?.findByLabel
      ? await adapter.findByLabel(shardLabel(runId, shard), { signal })
      : undefined;
    if (found) {
      Object.assign(shard, {
        state: "submitted",
        batchId: found.id,
        submittedAt: found.createdAt ?? new Date().toISOString(),
        rawStatus: found.rawStatus,
      });
      continue;
    }
    options.onEvent?.({
      type: "batch-problem",
      message: `batch ${shard.shardId} (${shard.items.length} cases) was being submitted when ` +
        `the run stopped; its cases are submitted again. ${
          adapter?.findByLabel
            ? `${shard.platform} holds no batch labelled ${shardLabel(runId, shard)}.`
            : `${shard.platform} batches carry no label to find it by: if it was accepted, it ` +
              `runs unrecorded (check its batch list).`
        }`,
    });
  }
  manifest.shards = manifest.shards.filter((shard) => shard.state !== "planned");
  await writeManifest(outDir, manifest);
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
      writeBatchRecord(run, unsentRecord(baseOf(run, item), failure, 0));
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
      writeBatchRecord(run, unsentRecord(sentRow(run, item, entry.sent), failure, 0));
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
 * Submits one batch, recorded in the manifest as `planned` before it is sent and as `submitted`
 * once the platform accepted it. A refused batch leaves the manifest and becomes error rows.
 */
async function submitShard(batch: BatchRun, target: BatchTarget, entries: Entry[]) {
  const { run, manifest } = batch;
  const shard: Shard = {
    // Unique even after a dropped planned shard: its label must never match a new batch.
    shardId: `${target.preset}-${manifest.shards.length + 1}-${crypto.randomUUID().slice(0, 4)}`,
    preset: target.preset,
    platform: target.batch.id,
    model: target.batch.model,
    items: entries.map((entry) => entry.sent),
    state: "planned",
  };
  manifest.shards.push(shard);
  await writeManifest(run.outDir, manifest);
  let job: BatchJob;
  try {
    job = await target.batch.submit(entries.map((entry) => entry.item), {
      signal: run.signal,
      label: shardLabel(run.runId, shard),
    });
  } catch (error) {
    manifest.shards.splice(manifest.shards.indexOf(shard), 1);
    await writeManifest(run.outDir, manifest);
    const failure = toVisionBenchError(error, target.batch.id);
    if (failure.kind === "cancelled" && run.signal?.aborted) return;
    for (const { item, sent } of entries) {
      const row = sentRow(run, batch.caseByKey.get(item.customId)!, sent);
      writeBatchRecord(run, unsentRecord(row, failure, 1));
    }
    return;
  }
  Object.assign(shard, {
    state: "submitted",
    batchId: job.id,
    // The platform's clock, like the end time it reports: the turnaround is then its own.
    submittedAt: job.createdAt ?? new Date().toISOString(),
    rawStatus: job.rawStatus,
  });
  await writeManifest(run.outDir, manifest);
  batch.submitted++;
  batch.emit({
    type: "batch-submitted",
    preset: target.preset,
    shardId: shard.shardId,
    batchId: job.id,
    items: entries.length,
  });
}

/** Polls every submitted batch until each ended and was collected (or the signal aborts). */
async function pollShards(batch: BatchRun): Promise<void> {
  const { signal } = batch.run;
  // Field by field: an interval given as `undefined` (no --batch-poll) is the default, not 0 ms.
  const poll = {
    intervalMs: batch.options.poll?.intervalMs ?? 30_000,
    maxIntervalMs: batch.options.poll?.maxIntervalMs ?? 300_000,
  };
  const open = () =>
    batch.manifest.shards.filter((shard) => shard.state === "submitted" && targetOf(batch, shard));
  for (const shard of batch.manifest.shards.filter((s) => s.state === "submitted")) {
    if (targetOf(batch, shard)) continue;
    batch.emit({
      type: "batch-problem",
      batchId: shard.batchId,
      message: `batch ${shard.batchId} (${shard.preset}) holds cases this call did not ask ` +
        `for; re-run with the options it was submitted with to collect it`,
    });
  }
  let interval = poll.intervalMs;
  while (!signal?.aborted) {
    const shards = open();
    if (shards.length === 0) return;
    for (const shard of shards) {
      if (signal?.aborted) return;
      const target = targetOf(batch, shard)!;
      const job = await statusOf(batch, shard, target);
      if (!job && signal?.aborted) return;
      if (job?.state === "ended" && await collectShard(batch, shard, target, job)) {
        interval = poll.intervalMs;
      }
    }
    if (open().length > 0) {
      // A cancel ends the wait early; the loop then sees the aborted signal.
      await wait(interval, signal);
      interval = Math.min(interval * 1.5, poll.maxIntervalMs);
    }
  }
}

/** The target to collect a shard with: none when the shard holds cases this call did not ask for. */
function targetOf(batch: BatchRun, shard: Shard): BatchTarget | undefined {
  return shard.items.every((item) => batch.caseByKey.has(item.customId))
    ? batch.targetByPreset.get(shard.preset)
    : undefined;
}

/**
 * The platform's word on a batch, with a `batch-status` event when it moved; undefined when
 * asking failed in passing (tried again next poll) or was cancelled.
 */
async function statusOf(
  batch: BatchRun,
  shard: Shard,
  target: BatchTarget,
): Promise<BatchJob | undefined> {
  let job: BatchJob;
  try {
    job = await target.batch.status(shard.batchId!, { signal: batch.run.signal });
  } catch (error) {
    return passingFault(batch, shard, toVisionBenchError(error, target.batch.id));
  }
  // Say when a batch moves (validating → in progress …): a wait of hours needs a sign of life.
  if (job.rawStatus !== shard.rawStatus && job.state !== "ended") {
    batch.emit({
      type: "batch-status",
      preset: shard.preset,
      batchId: shard.batchId!,
      rawStatus: job.rawStatus,
      counts: job.counts,
    });
  }
  shard.rawStatus = job.rawStatus;
  return job;
}

/** A fault while polling: thrown unless retryable (or cancelled); said, and tried next poll. */
function passingFault(batch: BatchRun, shard: Shard, failure: VisionBenchError): undefined {
  if (batch.run.signal?.aborted) return;
  if (!failure.retryable) throw failure;
  batch.emit({ type: "batch-poll-error", batchId: shard.batchId!, message: failure.message });
}

/**
 * Records the results of an ended batch: one row per case it held (an error row for a case it
 * returned nothing for), then marks it collected. False when its results could not be read yet.
 */
async function collectShard(
  batch: BatchRun,
  shard: Shard,
  target: BatchTarget,
  job: BatchJob,
): Promise<boolean> {
  let results: Awaited<ReturnType<BatchAdapter["results"]>>;
  try {
    results = await target.batch.results(job, {
      signal: batch.run.signal,
      schema: batch.run.params.schema,
      customIds: shard.items.map((item) => item.customId),
    });
  } catch (error) {
    const failure = toVisionBenchError(error, target.batch.id);
    // A failed batch may have no results at all; a passing fault is tried again next poll.
    if (job.outcome !== "failed") return passingFault(batch, shard, failure) ?? false;
    results = { items: [], problems: [] };
  }
  const batchId = shard.batchId!;
  const finishedAt = job.endedAt && shard.submittedAt &&
      Date.parse(job.endedAt) >= Date.parse(shard.submittedAt)
    ? job.endedAt
    : new Date().toISOString();
  for (const message of results.problems) {
    batch.manifest.problems.push({ batchId, message });
    batch.emit({ type: "batch-problem", batchId, message });
  }
  writeResults(batch, shard, job, results.items, {
    batchId,
    submittedAt: shard.submittedAt,
    finishedAt,
  });
  Object.assign(shard, {
    state: "collected",
    finishedAt,
    outcome: job.outcome,
    rawStatus: job.rawStatus,
  });
  await writeManifest(batch.run.outDir, batch.manifest);
  batch.emit({
    type: "batch-ended",
    preset: shard.preset,
    batchId,
    outcome: job.outcome,
    items: shard.items.length,
  });
  return true;
}

/**
 * One row per case of the shard not recorded yet: its result (the first one, when the platform
 * repeated it), else an error saying why there is none. Results for cases the shard did not hold
 * are kept in the manifest.
 */
function writeResults(
  batch: BatchRun,
  shard: Shard,
  job: BatchJob,
  results: BatchItemResult[],
  timing: BatchTiming,
): void {
  const { run } = batch;
  const target = batch.targetByPreset.get(shard.preset)!;
  const sentById = new Map(shard.items.map((item) => [item.customId, item]));
  const rowOf = (customId: string) =>
    sentRow(run, batch.caseByKey.get(customId)!, sentById.get(customId)!);
  const done = new Set<string>();
  const isRecorded = (customId: string) => batch.recorded.has(resultKey(timing.batchId, customId));
  for (const result of results) {
    if (!sentById.has(result.customId)) {
      const { batchId } = timing;
      batch.manifest.unknownResults.push({ batchId, customId: result.customId, ok: result.ok });
      const message = `a result for custom_id ${result.customId}, which this batch did not hold`;
      batch.emit({ type: "batch-problem", batchId, message });
      continue;
    }
    if (done.has(result.customId)) continue;
    done.add(result.customId);
    if (isRecorded(result.customId)) continue;
    writeBatchRecord(run, batchRecordOf(result, rowOf(result.customId), target, timing));
  }
  for (const { customId } of shard.items) {
    if (done.has(customId) || isRecorded(customId)) continue;
    const failure = missingResultError(job, target.batch.id);
    writeBatchRecord(run, batchErrorRecord(rowOf(customId), failure, timing));
  }
}

/**
 * Writes a batch row. An answer the store could not read back (a negative token count, say)
 * becomes one final error row naming the field, as in live runs, keeping the batch's own fields.
 */
function writeBatchRecord(run: ActiveRun, candidate: ResultRecord): void {
  const { checked, unreadable } = checkRecord(candidate);
  const answer = { attempts: candidate.attempts, cached: false };
  run.write(checked ?? unrecordableRecord(candidate, unreadable, answer));
}

/** The fields of a case's rows. Batch items run however the platform schedules them: no concurrency. */
function baseOf(run: ActiveRun, item: Case<ImageEntry>): BaseRecord {
  const { concurrency: _concurrency, ...base } = baseRecord(run.runId, item, run.params);
  return base;
}

/** The fields of a sent case's rows: the case's and what was sent. */
function sentRow(run: ActiveRun, item: Case<ImageEntry>, sent: SentItem): BaseRecord {
  const base = baseOf(run, item);
  return { ...base, ...sentRecordFields(base, sent) } as BaseRecord;
}

/** A result's place in {@link BatchRun.recorded}. */
function resultKey(batchId: string, caseKey: string): string {
  return `${batchId}\u0000${caseKey}`;
}

/** One case as a batch item: the live request (same prompt, image, limits), not streamed. */
function entryOf(item: Case<ImageEntry>, prepared: PreparedImage, params: GenerationParams): Entry {
  const { width, height, mimeType } = prepared.payload;
  return {
    item: {
      customId: item.key,
      request: { image: prepared.payload, prompt: item.prompt.text, ...params, stream: false },
    },
    sent: { customId: item.key, width, height, bytes: prepared.bytes, mimeType },
  };
}

/** The label a shard's batch carries on the platform (OpenAI metadata, Gemini display name). */
function shardLabel(runId: string, shard: Shard): string {
  return `visionbench/${runId}/${shard.shardId}`;
}

/** The error row of a case that never reached a batch (image failed, submission refused). */
function unsentRecord(base: BaseRecord, error: VisionBenchError, attempts: number): ResultRecord {
  return { ...errorRecord(base, error, attempts), mode: "batch" };
}

/** The error row of a case its ended batch returned nothing for. */
function missingResultError(job: BatchJob, platform: string): VisionBenchError {
  switch (job.outcome) {
    case "expired":
      return expiredItemError(platform);
    case "cancelled":
      return cancelledItemError(platform);
    case "failed":
      return new VisionBenchError(
        "bad_request",
        `${platform}: the batch failed${job.message ? `: ${job.message}` : ` (${job.rawStatus})`}`,
        { platform, code: "batch_failed", retryable: false },
      );
    default:
      return new VisionBenchError(
        "invalid_response",
        `${platform}: the batch ended without a result for this request`,
        { platform, code: "batch_result_missing" },
      );
  }
}

/**
 * One result as a row: the answer cleaned like a live one (redacted, usage sanity-checked, size
 * capped — lib/run/platform-output.ts) before it is priced and recorded.
 */
function batchRecordOf(
  result: BatchItemResult,
  row: BaseRecord,
  target: BatchTarget,
  timing: BatchTiming,
): ResultRecord {
  if (!result.ok) return batchErrorRecord(row, result.error, timing);
  let description: Description;
  try {
    description = cleanDescription(result.description, target.batch.id);
  } catch (error) {
    return batchErrorRecord(row, toVisionBenchError(error, target.batch.id), timing);
  }
  return batchOkRecord(row, target, target.batchPriceCard, description, timing);
}
