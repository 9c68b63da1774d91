/**
 * The batch adapter contract: what a platform file implements so that cases can go through the
 * platform's Batch API (OpenAI Batch, Anthropic Message Batches, Gemini Batch Mode) instead of
 * one live call each. Like a live {@link Adapter} it only translates: it builds one batch item
 * from the same {@link DescribeRequest} the live adapter sends, submits, polls, cancels and maps
 * one result back into the same {@link Description}. Sharding, the manifest, polling cadence,
 * resume and records are `lib/run/batch`'s job.
 *
 * @module
 */
import type { DescribeRequest, Description, StructuredSchema } from "./adapter.ts";
import { VisionBenchError } from "./errors.ts";

/** One case as a batch item: `customId` comes back with its result. */
export interface BatchItem {
  /** `[a-zA-Z0-9_-]{1,64}` (Anthropic's rule, the strictest of the three). */
  customId: string;
  request: DescribeRequest;
}

/** What one batch may hold (the platform's documented limits, overridable for tests). */
export interface BatchLimits {
  /** Requests per batch. */
  maxRequests: number;
  /** Bytes per batch as the platform counts them (the JSONL file, or the inline request body). */
  maxBytes: number;
}

/** Where a batch is, normalized across platforms; `rawStatus` keeps the platform's word. */
export type BatchState = "submitted" | "running" | "cancelling" | "ended";

/** How an ended batch ended. */
export type BatchOutcome = "completed" | "failed" | "expired" | "cancelled";

/** A batch as the platform reports it. */
export interface BatchJob {
  id: string;
  state: BatchState;
  /** Set when `state` is `"ended"`. */
  outcome?: BatchOutcome;
  rawStatus: string;
  /** ISO time the platform created the batch. */
  createdAt?: string;
  /** ISO time processing ended. */
  endedAt?: string;
  counts?: { total?: number; succeeded?: number; failed?: number };
  /** Why a whole batch failed (validation), when the platform says. */
  message?: string;
}

/** One result item, matched by `customId`. */
export type BatchItemResult =
  | { customId: string; ok: true; description: Description }
  | { customId: string; ok: false; error: VisionBenchError };

/**
 * The results of an ended batch, as they stream in (a few at a time, so a results file of any
 * size is read in bounded memory): each entry a result, or a line that could not be read (kept,
 * with its line number, rather than dropped). Items missing from it were not processed.
 */
export type BatchResults = AsyncIterable<BatchResultEntry[]>;

/** One entry of {@link BatchResults}. */
export type BatchResultEntry = BatchItemResult | { problem: string };

/** Per-call options. */
export interface BatchCallOptions {
  signal?: AbortSignal;
}

/** What {@link BatchAdapter.findByLabel} may match on besides the label. */
export interface FindBatchOptions extends BatchCallOptions {
  /** The custom ids the batch was created with. */
  customIds?: string[];
  /** ISO time just before the create call (this machine's clock). */
  since?: string;
  /** Batch ids already accounted for (other shards of the run): never matched. */
  exclude?: string[];
}

/** A platform's batch service, made by a `createXBatch(settings)` factory. */
export interface BatchAdapter {
  /** Platform id, e.g. `openai`. */
  readonly id: string;
  readonly model: string;
  /** The documented limits of one batch (or the ones given in settings). */
  readonly limits: BatchLimits;
  /** Bytes `item` adds to a batch, counted the way {@link BatchLimits.maxBytes} is. */
  itemBytes(item: BatchItem): number;
  /** Creates one batch holding `items` (already within the limits). */
  submit(
    items: BatchItem[],
    options?: BatchCallOptions & { label?: string },
  ): Promise<BatchJob>;
  status(id: string, options?: BatchCallOptions): Promise<BatchJob>;
  /**
   * Results of an ended batch, in any order, streamed. `schema` is the one every item asked for
   * (answers are validated against it as live answers are).
   */
  results(job: BatchJob, options?: BatchCallOptions & { schema?: StructuredSchema }): BatchResults;
  /** Asks the platform to cancel; processing of finished items is kept. */
  cancel(id: string, options?: BatchCallOptions): Promise<BatchJob>;
  /**
   * Finds the batch a create call made when its answer was lost (a 500 after creating, an
   * interrupted call, an unreadable answer, a process killed before the manifest recorded it):
   * OpenAI by its metadata, Gemini by its display name, Anthropic (no labels) by a batch created
   * since `since` holding exactly `customIds`. Undefined only when the platform holds none; a
   * search that cannot decide throws.
   */
  findByLabel?(label: string, options?: FindBatchOptions): Promise<BatchJob | undefined>;
}

/** The error row of an item the platform expired before running it (retryable: submit again). */
export function expiredItemError(platform: string, detail?: string): VisionBenchError {
  return new VisionBenchError(
    "timeout",
    `${platform}: the batch expired before this request ran${detail ? ` (${detail})` : ""}`,
    { platform, code: "batch_expired", retryable: true },
  );
}

/** The error row of an item whose batch was cancelled before it ran. */
export function cancelledItemError(platform: string): VisionBenchError {
  return new VisionBenchError(
    "cancelled",
    `${platform}: the batch was cancelled before this request ran`,
    {
      platform,
      code: "batch_cancelled",
      retryable: false,
    },
  );
}
