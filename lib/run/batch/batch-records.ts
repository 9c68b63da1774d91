/**
 * Records of batch cases: the same record a live call makes (same case fields, same answer
 * mapping, cost from usage × price card), plus `mode: "batch"`, `batchId`, `submittedAt`,
 * `finishedAt` and `turnaroundMs`, and no per-call latency — a batch item has none, so latency
 * statistics (which need `latencyMs`) never mix batch and live rows.
 *
 * @module
 */
import type { Description } from "../../contract/adapter.ts";
import type { VisionBenchError } from "../../contract/errors.ts";
import type { PriceCard } from "../../contract/price-card.ts";
import type { ResultRecord } from "../../contract/record.ts";
import type { Case, RunTarget } from "../cases.ts";
import {
  type BaseRecord,
  baseRecord,
  errorRecord,
  okRecord,
  unrecordableRecord,
  withSent,
} from "../record-builders.ts";
import type { ImageEntry } from "../../images/image-set.ts";
import { checkRecord } from "../run-store.ts";
import type { ActiveRun } from "../run-skeleton.ts";
import type { SentItem } from "./manifest.ts";

/** When a batch was accepted and when it ended. */
export interface BatchTiming {
  batchId: string;
  submittedAt?: string;
  finishedAt?: string;
}

function batchFields(timing: BatchTiming): Partial<ResultRecord> {
  const start = timing.submittedAt ? Date.parse(timing.submittedAt) : NaN;
  const end = timing.finishedAt ? Date.parse(timing.finishedAt) : NaN;
  return {
    mode: "batch",
    batchId: timing.batchId,
    submittedAt: timing.submittedAt,
    finishedAt: timing.finishedAt,
    turnaroundMs: Number.isFinite(start) && Number.isFinite(end) && end >= start
      ? end - start
      : undefined,
  };
}

/**
 * An ok batch row priced with the batch card (`priceCard`), so `recomputeCost(record)` gives
 * `costUsd` back exactly.
 */
export function batchOkRecord(
  base: BaseRecord,
  target: RunTarget,
  priceCard: PriceCard | undefined,
  description: Description,
  timing: BatchTiming,
): ResultRecord {
  // okRecord wants a latency; the batch cards are token cards, which do not read it, and the row
  // must carry none (see the module note), so it is dropped right after.
  const record = okRecord(base, { ...target, priceCard }, {
    description,
    latencyMs: 0,
    attempts: 1,
    cached: false,
  });
  delete record.latencyMs;
  delete record.ttftMs;
  if (!priceCard) {
    record.costError = `no batch price card for ${target.preset} (${target.adapter.model})`;
  }
  return { ...record, ...batchFields(timing) };
}

/** An error batch row (failed, expired, cancelled or unreadable item). */
export function batchErrorRecord(
  base: BaseRecord,
  error: VisionBenchError,
  timing: BatchTiming,
): ResultRecord {
  return { ...errorRecord(base, error, 1), ...batchFields(timing) };
}

/**
 * Writes a batch row. An answer the store could not read back (a negative token count, say)
 * becomes one final error row naming the field, as in live runs, keeping the batch's own fields.
 */
export function writeBatchRecord(run: ActiveRun, candidate: ResultRecord): void {
  const { checked, unreadable } = checkRecord(candidate);
  const answer = { attempts: candidate.attempts, cached: false };
  run.write(checked ?? unrecordableRecord(candidate, unreadable, answer));
}

/** The fields of a case's rows. Batch items run however the platform schedules them: no concurrency. */
export function batchBase(run: ActiveRun, item: Case<ImageEntry>): BaseRecord {
  const { concurrency: _concurrency, ...base } = baseRecord(run.runId, item, run.params);
  return base;
}

/** The fields of a sent case's rows: the case's and what was sent. */
export function sentBatchRow(run: ActiveRun, item: Case<ImageEntry>, sent: SentItem): BaseRecord {
  return withSent(batchBase(run, item), sent);
}

/** The error row of a case that never reached a batch (image failed, submission refused). */
export function unsentRecord(
  base: BaseRecord,
  error: VisionBenchError,
  attempts: number,
): ResultRecord {
  return { ...errorRecord(base, error, attempts), mode: "batch" };
}
