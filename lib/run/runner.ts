/**
 * The live runner: turns cases into records. For each case it takes the prepared image, looks up
 * the cache, calls the adapter under a per-platform limit with a timeout and retries, measures
 * latency and time to first token, prices the call, and appends the record. The lock, resume,
 * run file and images are the run skeleton's (run-skeleton.ts), shared with batch runs.
 *
 * @module
 */
import {
  type CachedResponse,
  type CacheMode,
  createResponseCache,
  type ResponseCache,
} from "./response-cache.ts";
import { type Case, countCases, generateCases, type RunTarget } from "./cases.ts";
import { toVisionBenchError, VisionBenchError } from "../contract/errors.ts";
import type { ImageEntry, PreparedImage } from "../images/image-set.ts";
import { retry } from "./retry.ts";
import {
  type Answer,
  type BaseRecord,
  baseRecord,
  errorRecord,
  failedRecord,
  okRecord,
  sentImage,
  unrecordableRecord,
  withSent,
} from "./record-builders.ts";
import { checkRecord, okCaseKeys, runPath } from "./run-store.ts";
import { checkTimeoutMs, withTimeout } from "./timeout.ts";
import { cleanDescription } from "./platform-output.ts";
import type { RunEvent } from "../contract/run-events.ts";
import { withGuardedConsole } from "./console-guard.ts";
import {
  type ActiveRun,
  type CaseRunOptions,
  type RecordOptions,
  type RunResult,
  type RunSetup,
  runSkeleton,
} from "./run-skeleton.ts";

export type { Prompt, RunTarget } from "./cases.ts";
export type { RunResult } from "./run-skeleton.ts";

/** Options of {@link runCases}. */
export interface RunOptions extends CaseRunOptions<RunTarget>, RecordOptions {
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
}

/**
 * Runs every case (targets × images × variants × prompts × repeats) and appends one record per
 * case to `<outDir>/<runId>.jsonl`. Errors become records; only a cancel ends the run early.
 * The run is locked while it runs (`<outDir>/<runId>.lock`): another process on the same run id
 * gets a `config` error naming this one.
 *
 * @example
 * ```ts
 * import { createLocal } from "../../adapters/local.ts";
 * import { loadImageSet } from "../images/image-set.ts";
 * const targets = [{ preset: "local", adapter: createLocal(), concurrency: 2 }];
 * const images = await loadImageSet("images", { limit: 3 });
 * const prompts = [{ id: "default", text: "Describe this image." }];
 * await runCases({ runId: "2026-11-25T19-40-12-ab12", targets, images, variants: ["512"], prompts });
 * ```
 */
export function runCases(options: RunOptions): Promise<RunResult> {
  // `start` names the platforms, so progress can count and time each one on its own, and the
  // models without a price card, so a typo'd model is flagged before it is called.
  const presets = [...new Set(options.targets.map((target) => target.preset))];
  const unpriced = options.targets.filter((target) => !target.priceCard)
    .map((target) => ({ preset: target.preset, model: target.adapter.model }));
  const onEvent = options.onEvent &&
    ((event: RunEvent) =>
      options.onEvent!(event.type === "start" ? { ...event, presets, unpriced } : event));
  return runSkeleton({ ...options, onEvent, stream: options.stream ?? true }, {
    plan: (setup) => planLive(options, setup),
    work: (run, plan) => runWorkers(options, run, plan.okKeys),
  });
}

/**
 * Checks the settings (bad ones fail before anything is called, not once per case), then counts
 * the cases. Resume: cases already ok in this run are done, and so are answers that could not
 * be recorded (`final`: calling again would pay for the same answer); other errors are retried.
 */
async function planLive(options: RunOptions, setup: RunSetup) {
  if (options.timeoutMs !== undefined) checkTimeoutMs(options.timeoutMs);
  for (const target of options.targets) {
    if (!Number.isInteger(target.concurrency) || target.concurrency < 1) {
      throw new VisionBenchError(
        "config",
        `${target.preset}: concurrency must be an integer >= 1, got ${target.concurrency}`,
      );
    }
  }
  const total = countCases({ ...options, params: setup.params });
  const okKeys = await okCaseKeys(runPath(setup.outDir, setup.runId));
  let alreadyDone = 0;
  if (okKeys.size > 0) {
    for (const item of generateCases({ ...options, params: setup.params })) {
      if (okKeys.has(item.key)) alreadyDone++;
    }
  }
  return { total, alreadyDone, okKeys };
}

/** What one live case needs besides itself. */
interface LiveRun {
  run: ActiveRun;
  options: RunOptions;
  cache: ResponseCache;
  cacheMode: CacheMode;
}

/**
 * Per platform, `concurrency` workers pull the platform's cases from one generator as they free
 * up: nothing is queued ahead, so a million cases cost no more memory than a hundred, and a slow
 * platform never holds back a fast one.
 */
async function runWorkers(options: RunOptions, run: ActiveRun, okKeys: Set<string>) {
  const live: LiveRun = {
    run,
    options,
    cache: createResponseCache({ dir: options.cacheDir ?? `${run.outDir}/cache/responses` }),
    cacheMode: options.cache ?? "use",
  };
  const worker = async (cases: Iterator<Case<ImageEntry>>) => {
    while (!run.signal?.aborted) {
      const next = cases.next();
      if (next.done) return;
      if (run.keepRecords) run.caseKeys.push(next.value.key);
      if (!okKeys.has(next.value.key)) await runOne(live, next.value);
    }
  };
  await Promise.all(options.targets.flatMap((target) => {
    const cases = generateCases({ ...options, targets: [target], params: run.params });
    return Array.from({ length: target.concurrency }, () => worker(cases));
  }));
}

/** One case: its image, its answer (cache or platform), its record. */
async function runOne(live: LiveRun, item: Case<ImageEntry>): Promise<void> {
  const { run } = live;
  if (run.signal?.aborted) return;
  const base = baseRecord(run.runId, item, run.params);
  let prepared: PreparedImage;
  try {
    prepared = await run.images.prepare(item);
  } catch (error) {
    run.write(errorRecord(base, toVisionBenchError(error, item.target.adapter.id), 0));
    return;
  }
  if (run.signal?.aborted) return;
  const row = withSent(base, sentImage(prepared));
  const outcome = await answerOf(live, item, prepared);
  if ("answer" in outcome) return await recordAnswer(live, item, row, outcome.answer);
  // A cancelled call is not an outcome of the platform: record nothing, resume retries it —
  // unless the platform billed for it (then the row keeps what it cost, not final).
  const interrupted = outcome.failure.kind === "cancelled" && run.signal?.aborted;
  if (interrupted && !outcome.failure.billed) return;
  run.write(
    failedRecord(row, item.target, {
      error: outcome.failure,
      attempts: outcome.attempts,
      interrupted,
    }),
  );
}

/** The cached answer of a case, else the platform's (with retries), else the last error. */
async function answerOf(
  { run, options, cache, cacheMode }: LiveRun,
  item: Case<ImageEntry>,
  prepared: PreparedImage,
): Promise<{ answer: Answer } | { failure: VisionBenchError; attempts: number }> {
  let attempts = 0;
  try {
    const hit = cacheMode === "use" ? await cache.get(item.key) : undefined;
    if (hit) {
      // Entries written before redaction existed are cleaned on the way out too.
      const description = cleanDescription(hit.description, item.target.adapter.id);
      return { answer: { ...hit, description, attempts: 0, cached: true } };
    }
    const measured = await retry((attempt) => {
      attempts = attempt;
      return callOnce(item, prepared, run, options.timeoutMs);
    }, {
      ...options.retry,
      signal: run.signal,
      onRetry: ({ attempt, delayMs, error }) =>
        options.onEvent?.({
          type: "retry",
          preset: item.target.preset,
          imageId: item.image.id,
          attempt,
          delayMs,
          kind: error.kind,
        }),
    });
    return { answer: { ...measured, attempts, cached: false } };
  } catch (error) {
    return { failure: toVisionBenchError(error, item.target.adapter.id), attempts };
  }
}

/**
 * Checked before caching: a later run must not be served an answer it cannot record. The line
 * checked is the line written (once serialized, once validated per call).
 */
async function recordAnswer(
  { run, cache, cacheMode }: LiveRun,
  item: Case<ImageEntry>,
  row: BaseRecord,
  answer: Answer,
): Promise<void> {
  let result = checkRecord(okRecord(row, item.target, answer));
  if (result.checked && !answer.cached && cacheMode !== "bypass") {
    // A cache that could not be written adds a warning to the answer: its record changes.
    if (!(await storeInCache(cache, item.key, answer))) {
      result = checkRecord(okRecord(row, item.target, answer));
    }
  }
  run.write(result.checked ?? unrecordableRecord(row, result.unreadable, answer));
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
  { params, signal }: RunSetup,
  timeoutMs: number | undefined,
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
