/**
 * The runner: turns cases into records. For each case it prepares the image (once per image and
 * variant), looks up the cache, calls the adapter under a per-platform limit with a timeout and
 * retries, measures latency and time to first token, prices the call, and appends the record.
 *
 * @module
 */
import type { StructuredSchema } from "../contract/adapter.ts";
import {
  type CachedResponse,
  type CacheMode,
  createResponseCache,
  type ResponseCache,
} from "./response-cache.ts";
import { buildCases, type Case, type Prompt, type RunTarget } from "./cases.ts";
import { toVisionBenchError } from "../contract/errors.ts";
import type { RunEvent } from "../contract/run-events.ts";
import { type ImageEntry, type PreparedImage, prepareImage } from "../images/image-set.ts";
import { createLimiter, type Limiter } from "./pool.ts";
import type { ResultRecord } from "../contract/record.ts";
import { retry } from "./retry.ts";
import { validateRunId } from "./run-id.ts";
import {
  type Answer,
  baseRecord,
  errorRecord,
  okRecord,
  sentFields,
  unrecordableRecord,
} from "./record-builders.ts";
import { openRunStore, readRun, runPath, unreadableField } from "./run-store.ts";
import { withRunLock } from "./run-lock.ts";
import { withTimeout } from "./timeout.ts";
import { cleanDescription } from "./platform-output.ts";
import { withGuardedConsole } from "./console-guard.ts";

/** Options of {@link runCases}. */
export interface RunOptions {
  /** Names `<outDir>/<runId>.jsonl`; re-using one resumes the run. */
  runId: string;
  /** @default "results" */
  outDir?: string;
  targets: RunTarget[];
  images: ImageEntry[];
  /** `"original"` or a longest side in px, e.g. `"512"`. */
  variants: string[];
  prompts: Prompt[];
  /** Real calls per case; the repeat index is part of the cache key. @default 1 */
  repeat?: number;
  /** @default 300 */
  maxOutputTokens?: number;
  temperature?: number;
  schema?: StructuredSchema;
  /** Stream answers so time to first token is measured. @default true */
  stream?: boolean;
  /** Per attempt. @default 60000 */
  timeoutMs?: number;
  /** @default { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 30000 } */
  retry?: {
    maxAttempts?: number;
    baseDelayMs?: number;
    maxDelayMs?: number;
    /** Longest Retry-After obeyed; beyond it the case is a rate_limit error row. @default 120000 */
    maxRetryAfterMs?: number;
    random?: () => number;
  };
  /** @default "use" */
  cache?: CacheMode;
  /** @default `<outDir>/cache/responses` */
  cacheDir?: string;
  /** @default `<outDir>/cache/variants` */
  variantCacheDir?: string;
  /** fsync each record (see `openRunStore`). @default false */
  durable?: boolean;
  /** Ctrl-C: stop starting cases, abort calls in flight, record nothing for them. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
}

/** What {@link runCases} returns. */
export interface RunResult {
  runId: string;
  /** The run's JSONL file. */
  path: string;
  /** Records written by this call (not those skipped on resume). */
  records: ResultRecord[];
  /** Cases skipped because the run file already has them ok. */
  skipped: number;
  /** Keys of every case of this call, run or skipped (to pick this call's records from the run file). */
  caseKeys: string[];
  cancelled: boolean;
}

/**
 * Runs every case (targets × images × variants × prompts × repeats) and appends one record per
 * case to `<outDir>/<runId>.jsonl`. Errors become records; only a cancel ends the run early.
 * The run is locked while it runs (`<outDir>/<runId>.lock`): another process on the same run id
 * gets a `config` error naming this one.
 *
 * @example
 * ```ts
 * const result = await runCases({
 *   runId: newRunId(), targets: [{ preset: "local", adapter: createLocal(), concurrency: 2 }],
 *   images: await loadImageSet("images", { limit: 3 }), variants: ["512"],
 *   prompts: [{ id: "default", text: "Describe this image." }],
 * });
 * ```
 */
export async function runCases(options: RunOptions): Promise<RunResult> {
  // Before the run file is read for resume: a second process on this run id would call (and
  // pay for) every case the first has not recorded yet.
  return withRunLock({ runId: options.runId, outDir: options.outDir }, () => runLocked(options));
}

/** {@link runCases} once the run's lock is held. */
async function runLocked(options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const runId = validateRunId(options.runId);
  const outDir = options.outDir ?? "results";
  const signal = options.signal;
  const emit = options.onEvent ?? (() => {});
  const params = {
    maxOutputTokens: options.maxOutputTokens ?? 300,
    temperature: options.temperature,
    schema: options.schema,
    stream: options.stream ?? true,
  };
  const allCases = buildCases({
    targets: options.targets,
    images: options.images,
    variants: options.variants,
    prompts: options.prompts,
    repeat: options.repeat,
    params,
  });

  // Resume: cases already ok in this run are done, and so are answers that could not be recorded
  // (`final`: calling again would pay for the same answer); other error cases are tried again.
  const previous = await readRun(runPath(outDir, runId), { missingOk: true });
  const doneKeys = new Set(
    previous.records.filter((r) => r.status === "ok" || r.final).map((r) => r.caseKey),
  );
  const cases = allCases.filter((c) => !doneKeys.has(c.key));
  const skipped = allCases.length - cases.length;
  const total = allCases.length;

  const cacheMode = options.cache ?? "use";
  const cache = createResponseCache({ dir: options.cacheDir ?? `${outDir}/cache/responses` });
  const store = await openRunStore({ runId, outDir, durable: options.durable });
  const images = sharedPreparation(cases, options.variantCacheDir ?? `${outDir}/cache/variants`);
  const limiters = new Map<RunTarget, Limiter>(
    options.targets.map((target) => [target, createLimiter(target.concurrency)]),
  );

  const records: ResultRecord[] = [];
  let errors = 0;
  emit({ type: "start", runId, total, alreadyDone: skipped });

  const write = (record: ResultRecord) => {
    store.append(record);
    records.push(record);
    if (record.status === "error") errors++;
    emit({ type: "record", record, done: skipped + records.length, total, errors });
  };

  const runOne = async (item: Case<ImageEntry>): Promise<void> => {
    if (signal?.aborted) return;
    const base = baseRecord(runId, item, params);
    let prepared: PreparedImage;
    try {
      prepared = await images.get(item);
    } catch (error) {
      write(errorRecord(base, toVisionBenchError(error, item.target.adapter.id), 0));
      return;
    } finally {
      images.release(item);
    }
    if (signal?.aborted) return;
    const sent = sentFields(item, prepared);
    let answer: Answer;
    let attempts = 0;
    try {
      const hit = cacheMode === "use" ? await cache.get(item.key) : undefined;
      if (hit) {
        // Entries written before redaction existed are cleaned on the way out too.
        const description = cleanDescription(hit.description, item.target.adapter.id);
        answer = { ...hit, description, attempts: 0, cached: true };
      } else {
        const measured = await retry(
          (attempt) => {
            attempts = attempt;
            return callOnce(item, prepared, params, options.timeoutMs, signal);
          },
          {
            ...options.retry,
            signal,
            onRetry: ({ attempt, delayMs, error }) =>
              emit({
                type: "retry",
                preset: item.target.preset,
                imageId: item.image.id,
                attempt,
                delayMs,
                kind: error.kind,
              }),
          },
        );
        answer = { ...measured, attempts, cached: false };
      }
    } catch (error) {
      const failure = toVisionBenchError(error, item.target.adapter.id);
      // A cancelled call is not an outcome of the platform: record nothing, resume retries it.
      if (failure.kind === "cancelled" && signal?.aborted) return;
      write(errorRecord({ ...base, ...sent }, failure, attempts));
      return;
    }
    // Checked before caching too: a later run must not be served an answer it cannot record.
    const unreadable = unreadableField(okRecord({ ...base, ...sent }, item.target, answer));
    if (unreadable) {
      write(unrecordableRecord({ ...base, ...sent }, unreadable, answer));
      return;
    }
    if (!answer.cached && cacheMode !== "bypass") await storeInCache(cache, item.key, answer);
    write(okRecord({ ...base, ...sent }, item.target, answer));
  };

  try {
    await Promise.all(cases.map((item) => limiters.get(item.target)!.run(() => runOne(item))));
  } finally {
    store.close();
  }
  const cancelled = signal?.aborted ?? false;
  emit({
    type: "end",
    runId,
    done: skipped + records.length,
    total,
    errors,
    cancelled,
    elapsedMs: performance.now() - started,
  });
  return {
    runId,
    path: store.path,
    records,
    skipped,
    caseKeys: allCases.map((item) => item.key),
    cancelled,
  };
}

/** A cache that cannot be written costs a future call, not this record. */
async function storeInCache(
  cache: ResponseCache,
  key: string,
  answer: Answer,
): Promise<void> {
  const entry: CachedResponse = {
    description: answer.description,
    latencyMs: answer.latencyMs,
    ttftMs: answer.ttftMs,
    attempts: answer.attempts,
    createdAt: new Date().toISOString(),
  };
  try {
    await cache.set(key, entry);
  } catch (error) {
    answer.description.warnings = [
      ...(answer.description.warnings ?? []),
      `response not cached: ${error instanceof Error ? error.message : String(error)}`,
    ];
  }
}

/** One attempt: timeout + cancel, wall-clock latency and time to first token. */
async function callOnce(
  item: Case<ImageEntry>,
  prepared: PreparedImage,
  params: {
    maxOutputTokens: number;
    temperature?: number;
    schema?: StructuredSchema;
    stream: boolean;
  },
  timeoutMs: number | undefined,
  signal: AbortSignal | undefined,
): Promise<Omit<Answer, "attempts" | "cached">> {
  const adapter = item.target.adapter;
  const start = performance.now();
  let ttftMs: number | undefined;
  const description = await withTimeout(
    (callSignal) =>
      withGuardedConsole(() =>
        adapter.describe(
          { image: prepared.payload, prompt: item.prompt.text, ...params },
          {
            signal: callSignal,
            onFirstToken: () => {
              ttftMs ??= performance.now() - start;
            },
          },
        )
      ),
    { timeoutMs, signal, platform: adapter.id },
  );
  const latencyMs = performance.now() - start;
  // Redacted and checked before it can reach the cache, the record or the console.
  return { description: cleanDescription(description, adapter.id), latencyMs, ttftMs };
}

/**
 * Prepares each image+variant once however many targets, prompts and repeats use it, and drops
 * it when its last case has taken it (originals can be megabytes each).
 */
function sharedPreparation(cases: Case<ImageEntry>[], cacheDir: string) {
  const pending = new Map<string, Promise<PreparedImage>>();
  const users = new Map<string, number>();
  // By path, not sha256: entries that could not be read have no hash, and each has its own error.
  const keyOf = (item: Case<ImageEntry>) => `${item.image.path}\u0000${item.variant}`;
  for (const item of cases) users.set(keyOf(item), (users.get(keyOf(item)) ?? 0) + 1);
  return {
    get(item: Case<ImageEntry>): Promise<PreparedImage> {
      const key = keyOf(item);
      let promise = pending.get(key);
      if (!promise) {
        promise = prepareImage(item.image, { variant: item.variant, cacheDir });
        pending.set(key, promise);
      }
      return promise;
    },
    release(item: Case<ImageEntry>): void {
      const key = keyOf(item);
      const left = (users.get(key) ?? 1) - 1;
      users.set(key, left);
      if (left <= 0) pending.delete(key);
    },
  };
}
