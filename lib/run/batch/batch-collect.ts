/**
 * The second half of a batch run: {@link pollShards} asks the platforms until the submitted
 * batches end, {@link collectShard} appends one record per case of an ended batch (an error row
 * for a case it returned nothing for) and marks it collected in the manifest.
 *
 * @module
 */
import {
  type BatchItemResult,
  type BatchJob,
  cancelledItemError,
  expiredItemError,
} from "../../contract/batch-adapter.ts";
import type { Description } from "../../contract/adapter.ts";
import { toVisionBenchError, VisionBenchError } from "../../contract/errors.ts";
import type { ResultRecord } from "../../contract/record.ts";
import type { BaseRecord } from "../record-builders.ts";
import { cleanDescription } from "../platform-output.ts";
import { createHash } from "node:crypto";
import { wait } from "../../util/wait.ts";
import { printable } from "../../util/secrets.ts";
import {
  batchErrorRecord,
  batchOkRecord,
  type BatchTiming,
  sentBatchRow,
  writeBatchRecord,
} from "./batch-records.ts";
import type { BatchRun, BatchTarget } from "./batch-runner.ts";
import { type Shard, writeManifest } from "./manifest.ts";

/** Polls every submitted batch until each ended and was collected (or the signal aborts). */
export async function pollShards(batch: BatchRun): Promise<void> {
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
    const failure = toVisionBenchError(error, target.batch.id);
    if (failure.kind === "not_found" && !batch.run.signal?.aborted) {
      return await closeLostShard(batch, shard, failure);
    }
    return passingFault(batch, shard, failure);
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

/**
 * The platform answers 404 for a batch it accepted (deleted, another account's key): it will
 * never be collected. Its cases become final error rows, said once, so no resume waits on it
 * for ever nor pays for its cases again without the user deciding to.
 */
async function closeLostShard(
  batch: BatchRun,
  shard: Shard,
  failure: VisionBenchError,
): Promise<undefined> {
  const message = `${shard.platform} does not know batch ${shard.batchId} (${failure.message}); ` +
    `its ${shard.items.length} cases are recorded as final errors (re-run them with a new --run-id)`;
  batch.emit({ type: "batch-problem", batchId: shard.batchId, message });
  batch.manifest.problems.push({ batchId: shard.batchId!, message });
  const timing = { batchId: shard.batchId!, submittedAt: shard.submittedAt };
  for (const sent of shard.items) {
    if (isRecorded(batch, timing.batchId, sent.customId)) continue;
    const row = sentBatchRow(batch.run, batch.caseByKey.get(sent.customId)!, sent);
    writeBatchRecord(batch.run, { ...batchErrorRecord(row, failure, timing), final: true });
  }
  Object.assign(shard, { state: "collected", outcome: "failed", rawStatus: "not_found" });
  await writeManifest(batch.run.outDir, batch.manifest);
}

/** A fault while polling: thrown unless retryable (or cancelled); said, and tried next poll. */
function passingFault(batch: BatchRun, shard: Shard, failure: VisionBenchError): undefined {
  if (batch.run.signal?.aborted) return;
  if (!failure.retryable) throw failure;
  batch.emit({ type: "batch-poll-error", batchId: shard.batchId!, message: failure.message });
}

/**
 * Records the results of an ended batch as they stream in: one row per case it held (an error
 * row for a case it returned nothing for), then marks it collected. False when its results could
 * not be read yet (what was read is recorded, and not written again next time).
 */
async function collectShard(
  batch: BatchRun,
  shard: Shard,
  target: BatchTarget,
  job: BatchJob,
): Promise<boolean> {
  const batchId = shard.batchId!;
  const finishedAt = job.endedAt && shard.submittedAt &&
      Date.parse(job.endedAt) >= Date.parse(shard.submittedAt)
    ? job.endedAt
    : new Date().toISOString();
  const timing = { batchId, submittedAt: shard.submittedAt, finishedAt };
  const sentById = new Map(shard.items.map((item) => [item.customId, item]));
  const answers = new Map<string, string>();
  try {
    const results = target.batch.results(job, {
      signal: batch.run.signal,
      schema: batch.run.params.schema,
    });
    for await (const entries of results) {
      for (const entry of entries) {
        if ("problem" in entry) noteProblem(batch, batchId, entry.problem);
        else writeResult(batch, { shard, target, timing, sentById, answers }, entry);
      }
    }
  } catch (error) {
    const failure = toVisionBenchError(error, target.batch.id);
    // A failed batch may have no results at all; a passing fault is tried again next poll.
    if (job.outcome !== "failed") return passingFault(batch, shard, failure) ?? false;
  }
  for (const sent of shard.items) {
    if (answers.has(sent.customId) || isRecorded(batch, batchId, sent.customId)) continue;
    const row = sentBatchRow(batch.run, batch.caseByKey.get(sent.customId)!, sent);
    writeRecord(batch, batchErrorRecord(row, missingResultError(job, target.batch.id), timing));
  }
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

/** Problems kept in the manifest per batch; more are counted in one last line. */
const MAX_PROBLEMS_PER_BATCH = 100;

function noteProblem(batch: BatchRun, batchId: string, problem: string): void {
  const kept = batch.manifest.problems.filter((entry) => entry.batchId === batchId).length;
  if (kept > MAX_PROBLEMS_PER_BATCH) return;
  const message = kept === MAX_PROBLEMS_PER_BATCH
    ? `more unreadable lines in batch ${batchId} (not listed)`
    : printable(problem, { maxLength: 500 });
  batch.manifest.problems.push({ batchId, message });
  batch.emit({ type: "batch-problem", batchId, message });
}

/** What one shard's collection keeps while its results stream in. */
interface Collecting {
  shard: Shard;
  target: BatchTarget;
  timing: BatchTiming;
  sentById: Map<string, Shard["items"][number]>;
  /** A digest of the first answer of each case seen: repeats are skipped, conflicts said. */
  answers: Map<string, string>;
}

/**
 * One result as a row, unless its case was recorded already (a repeat, or an earlier attempt).
 * Results for cases the shard did not hold are kept in the manifest.
 */
function writeResult(batch: BatchRun, collecting: Collecting, result: BatchItemResult): void {
  const { timing, sentById, answers } = collecting;
  const sent = sentById.get(result.customId);
  if (!sent) {
    const customId = printable(result.customId, { maxLength: 100 });
    batch.manifest.unknownResults.push({ batchId: timing.batchId, customId, ok: result.ok });
    const message = `a result for custom_id ${customId}, which this batch did not hold`;
    batch.emit({ type: "batch-problem", batchId: timing.batchId, message });
    return;
  }
  const answer = answerOf(result);
  const first = answers.get(result.customId);
  if (first !== undefined) {
    if (first !== answer) reportConflict(batch, timing.batchId, result.customId);
    return;
  }
  answers.set(sent.customId, answer);
  if (isRecorded(batch, timing.batchId, result.customId)) return;
  const row = sentBatchRow(batch.run, batch.caseByKey.get(result.customId)!, sent);
  writeRecord(batch, batchRecordOf(result, row, collecting.target, timing));
}

function isRecorded(batch: BatchRun, batchId: string, customId: string): boolean {
  return batch.recorded.get(batchId)?.has(customId) ?? false;
}

/** Writes a batch row and remembers it: a collection tried again never writes it twice. */
function writeRecord(batch: BatchRun, record: ResultRecord): void {
  writeBatchRecord(batch.run, record);
  const keys = batch.recorded.get(record.batchId!) ?? new Set();
  batch.recorded.set(record.batchId!, keys.add(record.caseKey));
}

/** A digest of what a result says, to tell a repeated answer from a different one. */
function answerOf(result: BatchItemResult): string {
  const said = result.ok
    ? JSON.stringify([result.description.text, result.description.structured])
    : `${result.error.kind}: ${result.error.message}`;
  // 12 characters: enough to tell two answers apart, small enough for a million cases.
  return createHash("sha1").update(said).digest("base64").slice(0, 12);
}

/** Two different answers for one case: the first is recorded, the conflict kept and said. */
function reportConflict(batch: BatchRun, batchId: string, customId: string): void {
  batch.manifest.conflicts.push({ batchId, customId });
  batch.emit({
    type: "batch-problem",
    batchId,
    message: `batch ${batchId} answered custom_id ${customId} twice, differently; the first ` +
      `answer is recorded (both are in the platform's results file)`,
  });
}

/** The case keys of `records` by batch id: the results a run file holds already. */
export function recordedResults(
  records: { batchId?: string; caseKey: string }[],
): Map<string, Set<string>> {
  const recorded = new Map<string, Set<string>>();
  for (const { batchId, caseKey } of records) {
    if (batchId) recorded.set(batchId, (recorded.get(batchId) ?? new Set()).add(caseKey));
  }
  return recorded;
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
