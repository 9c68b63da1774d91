/**
 * What every run does around its cases, live or batch: hold the run's lock, settle the request
 * settings, plan what is left (resume), open the run file, prepare images, write and count
 * records, and end the run (close the file, the `end` event, the result). Each mode brings only
 * its plan and its work.
 *
 * @module
 */
import type { StructuredSchema } from "../contract/adapter.ts";
import type { ImageEntry } from "../images/image-set.ts";
import type { GenerationParams, Prompt } from "./cases.ts";
import type { ResultRecord } from "../contract/record.ts";
import type { RunEvent } from "../contract/run-events.ts";
import { createImagePreparation, type ImagePreparation } from "./image-preparation.ts";
import { validateRunId } from "./run-id.ts";
import { VisionBenchError } from "../contract/errors.ts";
import { withRunLock } from "./run-lock.ts";
import { type CheckedRecord, openRunStore } from "./run-store.ts";

/**
 * The largest output limit a run sends: above every model's documented maximum (the largest are
 * a few hundred thousand tokens), so a typo is refused before a call is made and paid for.
 */
export const MAX_OUTPUT_TOKENS = 1_000_000;

/** What a run returns, live or batch. */
export interface RunResult {
  runId: string;
  /** The run's JSONL file. */
  path: string;
  /** Records written by this call (not those skipped on resume); empty unless `keepRecords`. */
  records: ResultRecord[];
  /** Records written by this call. */
  written: number;
  /** Of those, error records. */
  errors: number;
  /** Of those, answered from the response cache. */
  cachedCount: number;
  /** Cases skipped because the run file already has them ok (or a batch still holds them). */
  skipped: number;
  /** Cases of this call, run or skipped. */
  total: number;
  /**
   * Keys of every case of this call, run or skipped (to pick this call's records from the run
   * file); empty unless `keepRecords`.
   */
  caseKeys: string[];
  cancelled: boolean;
}

/** The settings of a run both modes use, settled once its lock is held. */
export interface RunSetup {
  runId: string;
  outDir: string;
  signal?: AbortSignal;
  /** What is asked of the platform; part of each case's key. */
  params: GenerationParams;
}

/** What a mode's plan found left to do. */
export interface RunPlan {
  /** Cases of this call. */
  total: number;
  /** Of those, already recorded ok: counted as done by the progress events. */
  alreadyDone: number;
  /** Of those, not run by this call. @default alreadyDone */
  skipped?: number;
}

/** A run under way, as a mode's work sees it. */
export interface ActiveRun extends RunSetup {
  images: ImagePreparation;
  /** Appends a record (checked, or checked again by the store), counts it, reports it. */
  write(entry: ResultRecord | CheckedRecord): void;
  /** Whether {@link RunResult.records} and {@link RunResult.caseKeys} are kept. */
  keepRecords: boolean;
  /** The work adds the keys of the call's cases here when `keepRecords`. */
  caseKeys: string[];
}

/** What a live and a batch run are both asked: which cases, with which request settings, where. */
export interface CaseRunOptions<Target> {
  /** Names `<outDir>/<runId>.jsonl`; re-using one resumes the run. */
  runId: string;
  /** @default "results" */
  outDir?: string;
  targets: Target[];
  images: ImageEntry[];
  /** `"original"` or a longest side in px, e.g. `"512"`. */
  variants: string[];
  prompts: Prompt[];
  /**
   * Calls per case combination; each repeat index is a case of its own (and a cache entry of its
   * own, so a later run with the same repeats is answered from the cache under `cache: "use"`).
   * @default 1
   */
  repeat?: number;
  /** @default 300 */
  maxOutputTokens?: number;
  temperature?: number;
  schema?: StructuredSchema;
  /** @default `<outDir>/cache/variants` */
  variantCacheDir?: string;
  /**
   * Ctrl-C. Live: stop starting cases, abort calls in flight, record nothing for them. Batch: stop
   * submitting and polling; submitted batches keep running on the platform.
   */
  signal?: AbortSignal;
}

/** How a run keeps its records. */
export interface RecordOptions {
  /** fsync each record (see `openRunStore`). @default false */
  durable?: boolean;
  /**
   * Keep this call's records (and case keys) in the result. Off, the run holds only counters and
   * the cases in flight, so memory does not grow with the number of calls (the CLI).
   * @default true
   */
  keepRecords?: boolean;
  onEvent?: (event: RunEvent) => void;
}

/** Options of {@link runSkeleton}: a run's cases and how its records are kept. */
export interface RunSkeletonOptions
  extends Omit<CaseRunOptions<unknown>, "targets">, RecordOptions {
  stream: boolean;
}

/**
 * Runs a mode's `plan` and `work` inside the run's lock, between the `start` and `end` events,
 * with the run file open. `work`'s result is added to the run's.
 */
export function runSkeleton<Plan extends RunPlan, Extra extends object | void>(
  options: RunSkeletonOptions,
  steps: {
    plan: (setup: RunSetup) => Promise<Plan>;
    work: (run: ActiveRun, plan: Plan) => Promise<Extra>;
  },
): Promise<RunResult & Extra> {
  // Before the run file is read for resume: a second process on this run id would call (and
  // pay for) every case the first has not recorded yet.
  const maxOutputTokens = options.maxOutputTokens ?? 300;
  if (
    !Number.isInteger(maxOutputTokens) || maxOutputTokens < 1 || maxOutputTokens > MAX_OUTPUT_TOKENS
  ) {
    return Promise.reject(
      new VisionBenchError(
        "config",
        `maxOutputTokens must be an integer from 1 to ${MAX_OUTPUT_TOKENS}, got ${maxOutputTokens}`,
      ),
    );
  }
  return withRunLock({ runId: options.runId, outDir: options.outDir }, async () => {
    const started = performance.now();
    const setup: RunSetup = {
      runId: validateRunId(options.runId),
      outDir: options.outDir ?? "results",
      signal: options.signal,
      params: {
        maxOutputTokens,
        temperature: options.temperature,
        schema: options.schema,
        stream: options.stream,
      },
    };
    const plan = await steps.plan(setup);
    const { run, result, store } = await openRun(options, setup, plan);
    let extra: Extra;
    try {
      extra = await steps.work(run, plan);
    } finally {
      store.close();
    }
    result.cancelled = setup.signal?.aborted ?? false;
    options.onEvent?.({
      type: "end",
      runId: setup.runId,
      done: plan.alreadyDone + result.written,
      total: plan.total,
      errors: result.errors,
      cancelled: result.cancelled,
      elapsedMs: performance.now() - started,
    });
    return { ...result, ...extra };
  });
}

/** Opens the run file and says `start`: the run object that writes and counts records. */
async function openRun(options: RunSkeletonOptions, setup: RunSetup, plan: RunPlan) {
  const emit = options.onEvent ?? (() => {});
  const keepRecords = options.keepRecords ?? true;
  const store = await openRunStore({
    runId: setup.runId,
    outDir: setup.outDir,
    durable: options.durable,
  });
  const result: RunResult = {
    runId: setup.runId,
    path: store.path,
    records: [],
    written: 0,
    errors: 0,
    cachedCount: 0,
    skipped: plan.skipped ?? plan.alreadyDone,
    total: plan.total,
    caseKeys: [],
    cancelled: false,
  };
  const images = createImagePreparation({
    images: options.images,
    variants: options.variants,
    cacheDir: options.variantCacheDir ?? `${setup.outDir}/cache/variants`,
  });
  emit({ type: "start", runId: setup.runId, total: plan.total, alreadyDone: plan.alreadyDone });
  const run: ActiveRun = {
    ...setup,
    images,
    keepRecords,
    caseKeys: result.caseKeys,
    write(entry) {
      store.append(entry);
      const record = "line" in entry ? entry.record : entry;
      result.written++;
      if (keepRecords) result.records.push(record);
      if (record.status === "error") result.errors++;
      if (record.cached) result.cachedCount++;
      const done = plan.alreadyDone + result.written;
      emit({ type: "record", record, done, total: plan.total, errors: result.errors });
    },
  };
  return { run, result, store };
}
