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
import {
  type Case,
  countCases,
  generateCases,
  type GenerateCasesOptions,
  type RunTarget,
} from "./cases.ts";
import { toVisionBenchError, VisionBenchError } from "../contract/errors.ts";
import type { RunEvent } from "../contract/run-events.ts";
import { type ImageEntry, type PreparedImage, prepareImage } from "../images/image-set.ts";
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
import { type CheckedRecord, checkRecord, okCaseKeys, openRunStore, runPath } from "./run-store.ts";
import { withRunLock } from "./run-lock.ts";
import type { CaseRunOptions } from "./case-run-options.ts";
import { checkTimeoutMs, withTimeout } from "./timeout.ts";
import { cleanDescription } from "./platform-output.ts";
import { withGuardedConsole } from "./console-guard.ts";

export type { Prompt, RunTarget } from "./cases.ts";

/** Options of {@link runCases}. */
export interface RunOptions extends CaseRunOptions<RunTarget> {
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
  /** fsync each record (see `openRunStore`). @default false */
  durable?: boolean;
  /**
   * Keep this call's records (and case keys) in the result. Off, the runner holds only counters
   * and the cases in flight, so memory does not grow with the number of calls (the CLI).
   * @default true
   */
  keepRecords?: boolean;
  onEvent?: (event: RunEvent) => void;
}

/** What {@link runCases} returns. */
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
  /** Cases skipped because the run file already has them ok. */
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
export function runCases(options: RunOptions): Promise<RunResult> {
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
  const keepRecords = options.keepRecords ?? true;
  // Bad settings fail before anything is called, not once per case.
  if (options.timeoutMs !== undefined) checkTimeoutMs(options.timeoutMs);
  for (const target of options.targets) {
    if (!Number.isInteger(target.concurrency) || target.concurrency < 1) {
      throw new VisionBenchError(
        "config",
        `${target.preset}: concurrency must be an integer >= 1, got ${target.concurrency}`,
      );
    }
  }
  const params = {
    maxOutputTokens: options.maxOutputTokens ?? 300,
    temperature: options.temperature,
    schema: options.schema,
    stream: options.stream ?? true,
  };
  const casesOf = (targets: RunTarget[]): GenerateCasesOptions<ImageEntry> => ({
    targets,
    images: options.images,
    variants: options.variants,
    prompts: options.prompts,
    repeat: options.repeat,
    params,
  });
  const total = countCases(casesOf(options.targets));

  // Resume: cases already ok in this run are done, and so are answers that could not be recorded
  // (`final`: calling again would pay for the same answer); other error cases are tried again.
  const okKeys = await okCaseKeys(runPath(outDir, runId));
  let skipped = 0;
  if (okKeys.size > 0) {
    for (const item of generateCases(casesOf(options.targets))) {
      if (okKeys.has(item.key)) skipped++;
    }
  }

  const cacheMode = options.cache ?? "use";
  const cache = createResponseCache({ dir: options.cacheDir ?? `${outDir}/cache/responses` });
  const store = await openRunStore({ runId, outDir, durable: options.durable });
  const images = sharedPreparation(
    options.variantCacheDir ?? `${outDir}/cache/variants`,
    nextPreparation(options.images, options.variants),
  );

  const records: ResultRecord[] = [];
  const caseKeys: string[] = [];
  let written = 0;
  let errors = 0;
  let cachedCount = 0;
  emit({ type: "start", runId, total, alreadyDone: skipped });

  const write = (entry: ResultRecord | CheckedRecord) => {
    store.append(entry);
    const record = "line" in entry ? entry.record : entry;
    written++;
    if (keepRecords) records.push(record);
    if (record.status === "error") errors++;
    if (record.cached) cachedCount++;
    emit({ type: "record", record, done: skipped + written, total, errors });
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
    // Checked before caching: a later run must not be served an answer it cannot record. The
    // line checked is the line written (once serialized, once validated per call).
    let result = checkRecord(okRecord({ ...base, ...sent }, item.target, answer));
    if (result.checked && !answer.cached && cacheMode !== "bypass") {
      // A cache that could not be written adds a warning to the answer: its record changes.
      if (!(await storeInCache(cache, item.key, answer))) {
        result = checkRecord(okRecord({ ...base, ...sent }, item.target, answer));
      }
    }
    if (!result.checked) {
      write(unrecordableRecord({ ...base, ...sent }, result.unreadable, answer));
      return;
    }
    write(result.checked);
  };

  // Per platform, `concurrency` workers pull the platform's cases from one generator as they free
  // up: nothing is queued ahead, so a million cases cost no more memory than a hundred, and a
  // slow platform never holds back a fast one.
  const worker = async (cases: Iterator<Case<ImageEntry>>) => {
    while (!signal?.aborted) {
      const next = cases.next();
      if (next.done) return;
      const item = next.value;
      if (keepRecords) caseKeys.push(item.key);
      if (okKeys.has(item.key)) continue;
      await runOne(item);
    }
  };
  try {
    await Promise.all(options.targets.flatMap((target) => {
      const cases = generateCases(casesOf([target]));
      return Array.from({ length: target.concurrency }, () => worker(cases));
    }));
  } finally {
    store.close();
  }
  const cancelled = signal?.aborted ?? false;
  emit({
    type: "end",
    runId,
    done: skipped + written,
    total,
    errors,
    cancelled,
    elapsedMs: performance.now() - started,
  });
  return {
    runId,
    path: store.path,
    records,
    written,
    errors,
    cachedCount,
    skipped,
    total,
    caseKeys,
    cancelled,
  };
}

/**
 * A cache that cannot be written costs a future call, not this record: false when the answer
 * was not cached (and now carries a warning saying so).
 */
async function storeInCache(
  cache: ResponseCache,
  key: string,
  answer: Answer,
): Promise<boolean> {
  const entry: CachedResponse = {
    description: answer.description,
    latencyMs: answer.latencyMs,
    ttftMs: answer.ttftMs,
    attempts: answer.attempts,
    createdAt: new Date().toISOString(),
  };
  try {
    await cache.set(key, entry);
    return true;
  } catch (error) {
    answer.description.warnings = [
      ...(answer.description.warnings ?? []),
      `response not cached: ${error instanceof Error ? error.message : String(error)}`,
    ];
    return false;
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

/** Prepared variants kept after their last in-flight case, for the next platform or repeat. */
const IDLE_PREPARED = 8;

/** An image and variant to prepare. */
interface Preparation {
  image: ImageEntry;
  variant: string;
}

/**
 * The image+variant cases reach after `item`'s, in {@link generateCases}' order (image, then
 * variant): the one {@link sharedPreparation} prepares ahead.
 */
function nextPreparation(
  images: readonly ImageEntry[],
  variants: readonly string[],
): (item: Preparation) => Preparation | undefined {
  const imageIndex = new Map(images.map((image, index) => [image, index]));
  return ({ image, variant }) => {
    const variantIndex = variants.indexOf(variant);
    if (variantIndex + 1 < variants.length) return { image, variant: variants[variantIndex + 1] };
    const next = images[(imageIndex.get(image) ?? images.length) + 1];
    return next && variants.length > 0 ? { image: next, variant: variants[0] } : undefined;
  };
}

/**
 * Prepares each image+variant once while cases use it, so every platform and repeat sends the
 * same bytes (and the same memoized base64). Cases arrive lazily, so nobody knows the last user
 * ahead: an entry lives while a case holds it, then among the few most recent idle ones
 * (originals can be megabytes each).
 *
 * The first case of an image+variant also starts preparing the next one (`next`), so the cases
 * that reach it find it ready: otherwise every worker that gets there first waits for its files
 * to be read (or the image resized), and no call goes out meanwhile. A failure there is the next
 * image's own error record, when its case asks for it.
 */
function sharedPreparation(
  cacheDir: string,
  next: (item: Preparation) => Preparation | undefined,
) {
  const entries = new Map<
    string,
    { prepared: Promise<PreparedImage>; users: number; used: boolean }
  >();
  const idle = new Set<string>();
  // By path, not sha256: entries that could not be read have no hash, and each has its own error.
  const keyOf = (item: Preparation) => `${item.image.path}\u0000${item.variant}`;
  const evict = () => {
    if (idle.size <= IDLE_PREPARED) return;
    const oldest = idle.values().next().value!;
    idle.delete(oldest);
    entries.delete(oldest);
  };
  const start = (item: Preparation, key: string) => {
    const entry = {
      prepared: prepareImage(item.image, { variant: item.variant, cacheDir }),
      users: 0,
      used: false,
    };
    entries.set(key, entry);
    return entry;
  };
  const prepareAhead = (item: Preparation) => {
    const ahead = next(item);
    if (!ahead) return;
    const key = keyOf(ahead);
    if (entries.has(key)) return;
    // Nobody awaits it yet: its error must not surface as an unhandled rejection.
    start(ahead, key).prepared.catch(() => {});
    idle.add(key);
    evict();
  };
  return {
    get(item: Case<ImageEntry>): Promise<PreparedImage> {
      const key = keyOf(item);
      const entry = entries.get(key) ?? start(item, key);
      if (!entry.used) {
        entry.used = true;
        prepareAhead(item);
      }
      entry.users++;
      idle.delete(key);
      return entry.prepared;
    },
    release(item: Case<ImageEntry>): void {
      const key = keyOf(item);
      const entry = entries.get(key);
      if (!entry || --entry.users > 0) return;
      idle.add(key);
      evict();
    },
  };
}
