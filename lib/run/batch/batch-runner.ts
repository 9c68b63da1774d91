/**
 * Runs cases through the platforms' Batch APIs: prepares each case's image as a live run does,
 * packs the items into batches within each platform's limits, records every batch in the
 * manifest before and right after it is submitted, polls until the batches end, and appends one
 * record per case. Re-running with the same run id resumes: cases already ok and cases held by a
 * submitted batch are not submitted again, and results already recorded are not written twice.
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
import type { Description, StructuredSchema } from "../../contract/adapter.ts";
import { cleanDescription } from "../platform-output.ts";
import { toVisionBenchError, VisionBenchError } from "../../contract/errors.ts";
import type { PriceCard } from "../../contract/price-card.ts";
import type { ResultRecord } from "../../contract/record.ts";
import { type ImageEntry, type PreparedImage, prepareImage } from "../../images/image-set.ts";
import { type Case, generateCases, type RunTarget } from "../cases.ts";
import {
  type BaseRecord,
  baseRecord,
  errorRecord,
  unrecordableRecord,
} from "../record-builders.ts";
import { withRunLock } from "../run-lock.ts";
import type { CaseRunOptions } from "../case-run-options.ts";
import { checkRecord, openRunStore, readRun, runPath } from "../run-store.ts";
import type { RunEvent } from "../../contract/run-events.ts";
import type { RunResult } from "../runner.ts";
import { validateRunId } from "../run-id.ts";
import { wait } from "../../util/wait.ts";
import { batchErrorRecord, batchOkRecord, sentRecordFields } from "./batch-records.ts";
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

/** Images (per platform) prepared ahead of the one being packed. */
const PREPARE_AHEAD = 4;

interface Entry {
  item: BatchItem;
  sent: SentItem;
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
  // The same lock as live runs: a second process on this run id would submit (and pay for) the
  // cases the first has not recorded yet.
  return withRunLock(
    { runId: options.runId, outDir: options.outDir },
    () => runBatchLocked(options),
  );
}

/** {@link runBatchCases} once the run's lock is held. */
async function runBatchLocked(options: BatchRunOptions): Promise<BatchRunResult> {
  const started = performance.now();
  const runId = validateRunId(options.runId);
  const outDir = options.outDir ?? "results";
  const signal = options.signal;
  const emit = options.onEvent ?? (() => {});
  const params = {
    maxOutputTokens: options.maxOutputTokens ?? 300,
    temperature: options.temperature,
    schema: options.schema,
    // Batch APIs do not stream; the key says so, so live and batch answers are told apart.
    stream: false,
  };
  const poll = { intervalMs: 30_000, maxIntervalMs: 300_000, ...options.poll };
  const allCases = Array.from(generateCases({ ...options, targets: options.targets, params }));
  const caseByKey = new Map(allCases.map((item) => [item.key, item]));
  const targetByPreset = new Map(options.targets.map((target) => [target.preset, target]));

  const manifest = await readManifest(outDir, runId);
  const previous = await readRun(runPath(outDir, runId), { missingOk: true });
  const okKeys = new Set(previous.records.filter((r) => r.status === "ok").map((r) => r.caseKey));
  const recorded = new Set(
    previous.records.filter((r) => r.batchId).map((r) => `${r.batchId}\u0000${r.caseKey}`),
  );

  // A planned shard was being submitted when the process stopped: the platform may hold it.
  // Where batches carry our label, look it up; otherwise plan its cases again and say so.
  for (const shard of manifest.shards.filter((s) => s.state === "planned")) {
    const adapter = targetByPreset.get(shard.preset)?.batch;
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
    emit({
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
  const inFlight = new Set(
    manifest.shards.filter((shard) => shard.state === "submitted")
      .flatMap((shard) => shard.items.map((item) => item.customId)),
  );
  const toSubmit = allCases.filter((item) => !okKeys.has(item.key) && !inFlight.has(item.key));
  const alreadyDone = allCases.filter((item) => okKeys.has(item.key)).length;

  const store = await openRunStore({ runId, outDir, durable: true });
  const records: ResultRecord[] = [];
  let errors = 0;
  const total = allCases.length;
  emit({ type: "start", runId, total, alreadyDone });
  const write = (candidate: ResultRecord) => {
    // An answer the store could not read back (a negative token count, say) becomes one final
    // error row naming the field, as in live runs, keeping the batch's own fields.
    const { checked, unreadable } = checkRecord(candidate);
    const record: ResultRecord = unreadable
      ? {
        ...unrecordableRecord(candidate, unreadable, {
          attempts: candidate.attempts,
          cached: false,
        }),
        mode: candidate.mode,
        batchId: candidate.batchId,
        submittedAt: candidate.submittedAt,
        finishedAt: candidate.finishedAt,
        turnaroundMs: candidate.turnaroundMs,
      }
      : candidate;
    store.append(checked ?? record);
    records.push(record);
    if (record.status === "error") errors++;
    emit({ type: "record", record, done: alreadyDone + records.length, total, errors });
  };
  const baseOf = (item: Case<ImageEntry>): BaseRecord => {
    // Batch items run however the platform schedules them: no concurrency to record.
    const { concurrency: _concurrency, ...base } = baseRecord(runId, item, params);
    return base;
  };

  let submitted = 0;
  const submitShard = async (target: BatchTarget, entries: Entry[]) => {
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
    await writeManifest(outDir, manifest);
    let job: BatchJob;
    try {
      job = await target.batch.submit(entries.map((entry) => entry.item), {
        signal,
        label: shardLabel(runId, shard),
      });
    } catch (error) {
      manifest.shards.splice(manifest.shards.indexOf(shard), 1);
      await writeManifest(outDir, manifest);
      const failure = toVisionBenchError(error, target.batch.id);
      if (failure.kind === "cancelled" && signal?.aborted) return;
      for (const entry of entries) {
        const item = caseByKey.get(entry.item.customId)!;
        write(
          unsentRecord(
            { ...baseOf(item), ...sentRecordFields(baseOf(item), entry.sent) },
            failure,
            1,
          ),
        );
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
    await writeManifest(outDir, manifest);
    submitted++;
    emit({
      type: "batch-submitted",
      preset: target.preset,
      shardId: shard.shardId,
      batchId: job.id,
      items: entries.length,
    });
  };

  try {
    // Cases come image by image with the target varying fastest, so one prepared image serves
    // every platform; images are prepared a few cases ahead of packing, in case order.
    const packers = new Map(
      options.targets.map((target) => [target, createShardPacker<Entry>(target.batch.limits)]),
    );
    const prepared = new Map<string, Promise<PreparedImage | VisionBenchError>>();
    // By path, as in live runs: entries that could not be read have no hash, each its own error.
    const imageKey = (item: Case<ImageEntry>) => `${item.image.path}\u0000${item.variant}`;
    const prepare = (index: number) => {
      const item = toSubmit[index];
      if (!item || prepared.has(imageKey(item))) return;
      prepared.set(imageKey(item), prepareVariant(item, options, outDir));
    };
    const ahead = PREPARE_AHEAD * options.targets.length;
    for (let index = 0; index < ahead; index++) prepare(index);
    for (const [index, item] of toSubmit.entries()) {
      if (signal?.aborted) break;
      prepare(index + ahead);
      const image = await prepared.get(imageKey(item))!;
      if (toSubmit[index + 1] && imageKey(toSubmit[index + 1]) !== imageKey(item)) {
        prepared.delete(imageKey(item));
      }
      if (image instanceof VisionBenchError) {
        write(unsentRecord(baseOf(item), image, 0));
        continue;
      }
      const target = item.target as BatchTarget;
      const entry = entryOf(item, image, params);
      const { full, tooLarge } = packers.get(target)!.add(
        entry,
        target.batch.itemBytes(entry.item),
      );
      if (tooLarge) {
        write(unsentRecord(
          { ...baseOf(item), ...sentRecordFields(baseOf(item), entry.sent) },
          new VisionBenchError(
            "bad_request",
            `this request is larger than one ${target.batch.id} batch may be (${target.batch.limits.maxBytes} bytes); send a smaller variant`,
            { platform: target.batch.id, code: "batch_item_too_large" },
          ),
          0,
        ));
        continue;
      }
      if (full) await submitShard(target, full);
    }
    for (const [target, packer] of packers) {
      const rest = packer.rest();
      if (rest.length > 0 && !signal?.aborted) await submitShard(target, rest);
    }

    if (options.wait !== false) {
      await pollUntilEnded({
        manifest,
        outDir,
        poll,
        signal,
        emit,
        targetFor: (shard) =>
          shard.items.every((item) => caseByKey.has(item.customId))
            ? targetByPreset.get(shard.preset)
            : undefined,
        collect: (shard, target, job) => collectShard(shard, target, job),
      });
    }
  } finally {
    store.close();
  }

  async function collectShard(shard: Shard, target: BatchTarget, job: BatchJob): Promise<boolean> {
    const batchId = shard.batchId!;
    let results = { items: [], problems: [] } as Awaited<ReturnType<BatchAdapter["results"]>>;
    try {
      results = await target.batch.results(job, {
        signal,
        schema: params.schema,
        customIds: shard.items.map((item) => item.customId),
      });
    } catch (error) {
      const failure = toVisionBenchError(error, target.batch.id);
      // A failed batch may have no results at all; a passing fault is tried again next poll.
      if (job.outcome !== "failed") {
        if (signal?.aborted) return false;
        if (!failure.retryable) throw failure;
        emit({ type: "batch-poll-error", batchId, message: failure.message });
        return false;
      }
    }
    const finishedAt = job.endedAt && shard.submittedAt &&
        Date.parse(job.endedAt) >= Date.parse(shard.submittedAt)
      ? job.endedAt
      : new Date().toISOString();
    const timing = { batchId, submittedAt: shard.submittedAt, finishedAt };
    const sentById = new Map(shard.items.map((item) => [item.customId, item]));
    const seen = new Set<string>();
    for (const message of results.problems) {
      manifest.problems.push({ batchId, message });
      emit({ type: "batch-problem", batchId, message });
    }
    const rowFor = (customId: string) => {
      const item = caseByKey.get(customId)!;
      const base = baseOf(item);
      return { ...base, ...sentRecordFields(base, sentById.get(customId)!) } as BaseRecord;
    };
    for (const result of results.items) {
      if (!sentById.has(result.customId)) {
        manifest.unknownResults.push({ batchId, customId: result.customId, ok: result.ok });
        emit({
          type: "batch-problem",
          batchId,
          message: `a result for custom_id ${result.customId}, which this batch did not hold`,
        });
        continue;
      }
      if (seen.has(result.customId)) continue;
      seen.add(result.customId);
      if (recorded.has(`${batchId}\u0000${result.customId}`)) continue;
      write(batchRecordOf(result, rowFor(result.customId), target, timing));
    }
    for (const sent of shard.items) {
      if (seen.has(sent.customId) || recorded.has(`${batchId}\u0000${sent.customId}`)) continue;
      write(
        batchErrorRecord(rowFor(sent.customId), missingResultError(job, target.batch.id), timing),
      );
    }
    Object.assign(shard, {
      state: "collected",
      finishedAt,
      outcome: job.outcome,
      rawStatus: job.rawStatus,
    });
    await writeManifest(outDir, manifest);
    emit({
      type: "batch-ended",
      preset: shard.preset,
      batchId,
      outcome: job.outcome,
      items: shard.items.length,
    });
    return true;
  }

  const cancelled = signal?.aborted ?? false;
  emit({
    type: "end",
    runId,
    done: alreadyDone + records.length,
    total,
    errors,
    cancelled,
    elapsedMs: performance.now() - started,
  });
  return {
    runId,
    path: store.path,
    records,
    written: records.length,
    errors,
    cachedCount: 0,
    skipped: allCases.length - toSubmit.length,
    total,
    caseKeys: allCases.map((item) => item.key),
    cancelled,
    manifestPath: manifestPath(outDir, runId),
    submitted,
    pending: manifest.shards.filter((shard) => shard.state === "submitted"),
    unknownResults: manifest.unknownResults,
    problems: manifest.problems,
  };
}

/** The image of one case, prepared as the live runner prepares it. */
async function prepareVariant(
  item: Case<ImageEntry>,
  options: BatchRunOptions,
  outDir: string,
): Promise<PreparedImage | VisionBenchError> {
  try {
    return await prepareImage(item.image, {
      variant: item.variant,
      cacheDir: options.variantCacheDir ?? `${outDir}/cache/variants`,
    });
  } catch (error) {
    return toVisionBenchError(error, item.target.adapter.id);
  }
}

/** One case as a batch item: the live request (same prompt, image, limits), not streamed. */
function entryOf(
  item: Case<ImageEntry>,
  prepared: PreparedImage,
  params: { maxOutputTokens: number; temperature?: number; schema?: StructuredSchema },
): Entry {
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

/** Polls every submitted batch until each ended and was collected (or the signal aborts). */
async function pollUntilEnded(context: {
  manifest: BatchManifest;
  outDir: string;
  poll: { intervalMs: number; maxIntervalMs: number };
  signal?: AbortSignal;
  emit: (event: BatchRunEvent) => void;
  targetFor: (shard: Shard) => BatchTarget | undefined;
  collect: (shard: Shard, target: BatchTarget, job: BatchJob) => Promise<boolean>;
}): Promise<void> {
  const { manifest, signal, emit } = context;
  let interval = context.poll.intervalMs;
  for (const shard of manifest.shards.filter((s) => s.state === "submitted")) {
    if (!context.targetFor(shard)) {
      emit({
        type: "batch-problem",
        batchId: shard.batchId,
        message: `batch ${shard.batchId} (${shard.preset}) holds cases this call did not ask ` +
          `for; re-run with the options it was submitted with to collect it`,
      });
    }
  }
  while (!signal?.aborted) {
    const open = manifest.shards.filter((shard) =>
      shard.state === "submitted" && context.targetFor(shard)
    );
    if (open.length === 0) return;
    for (const shard of open) {
      if (signal?.aborted) return;
      const target = context.targetFor(shard)!;
      let job: BatchJob;
      try {
        job = await target.batch.status(shard.batchId!, { signal });
      } catch (error) {
        const failure = toVisionBenchError(error, target.batch.id);
        if (signal?.aborted) return;
        if (!failure.retryable) throw failure;
        emit({ type: "batch-poll-error", batchId: shard.batchId!, message: failure.message });
        continue;
      }
      // Say when a batch moves (validating → in progress …): a wait of hours needs a sign of life.
      if (job.rawStatus !== shard.rawStatus && job.state !== "ended") {
        emit({
          type: "batch-status",
          preset: shard.preset,
          batchId: shard.batchId!,
          rawStatus: job.rawStatus,
          counts: job.counts,
        });
      }
      shard.rawStatus = job.rawStatus;
      if (job.state === "ended" && await context.collect(shard, target, job)) {
        interval = context.poll.intervalMs;
      }
    }
    if (manifest.shards.some((shard) => shard.state === "submitted" && context.targetFor(shard))) {
      // A cancel ends the wait early; the loop then sees the aborted signal.
      await wait(interval, signal);
      interval = Math.min(interval * 1.5, context.poll.maxIntervalMs);
    }
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
  timing: Parameters<typeof batchOkRecord>[4],
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
