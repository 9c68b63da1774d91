/**
 * `deno task bench`: flags → {@link runBenchmark} → a summary table. Config errors (unknown
 * platform, missing key, bad flag) exit 2 with one clear line; keys never appear in any output.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type BenchOptions, DEFAULT_PROMPT, promptFromText, runBenchmark } from "./bench.ts";
import { VisionBenchError } from "../contract/errors.ts";
import { parseNumber, parsePositiveInteger } from "../util/parse-values.ts";
import { createTerminalProgress } from "../present/terminal-progress.ts";
import { printable, redact } from "../util/secrets.ts";
import { SCHEMAS } from "../contract/schemas.ts";
import {
  COMMON_FLAG_HELP,
  COMMON_FLAG_OPTIONS,
  FLAG_BOUNDS,
  readCommonFlags,
  withoutRepeats,
} from "./cli-vocabulary.ts";
import { MAX_OUTPUT_TOKENS } from "../run/run-skeleton.ts";
import { batchAdaptersForRun, formatBatchRows, resumeHint } from "./batch-commands.ts";
import { batchStatus, cancelBatches } from "../run/batch/batch-control.ts";
import type { BatchRunEvent } from "../run/batch/batch-runner.ts";

const HELP = `visionbench bench — run vision platforms over images and record every call

Usage: deno task bench [flags]

${COMMON_FLAG_HELP}
  --max-spend USD            refuse to start when the estimated cost of the paid calls exceeds
                             it (default: 1; the estimate is printed for every run)
  --max-image-mb N           image files larger than N MB are error rows, never read (default: 50)
  --prompt TEXT              prompt (repeatable; default: "${DEFAULT_PROMPT}")
  --concurrency N            calls in flight per platform (default: the preset's; at most ${FLAG_BOUNDS.concurrency})
  --timeout S                per-call timeout in seconds (default: 60; at most ${FLAG_BOUNDS.timeoutSeconds})
  --max-tokens N             max output tokens (default: 300; at most 1,000,000)
  --temperature T            sampling temperature (default: the platform's)
  --schema NAME              structured output (${Object.keys(SCHEMAS).join(", ")})
  --no-stream                do not stream (no time to first token)
  --parquet                  also export the run to <out>/<runId>.parquet
  --mode live|batch          batch: send the cases through the Batch APIs of openai, anthropic,
                             gemini at the batch price (results within 24 h; re-run with the
                             same --run-id to resume; Ctrl-C leaves the batches running)
  --batch-poll S             seconds between status checks, growing ×1.5 to 5 min (default: 30,
                             at least 1)
  --no-wait                  batch mode: submit and exit; pick up later with the same --run-id
  --batch-status             list the batches of --run-id and what the platforms say
  --batch-cancel             ask the platforms to cancel the running batches of --run-id
  --help, -h                 this text
`;

/** Largest `--max-image-mb`: one image file is read into one buffer. */
const MAX_IMAGE_MB = 2000;

/**
 * Parses CLI flags into {@link BenchOptions}; throws a `config` error on a bad or unknown flag.
 *
 * @example
 * ```ts
 * parseBenchArgs(["--platform", "openai,gemini", "--cache", "off"]);
 * ```
 */
export function parseBenchArgs(args: string[]): BenchOptions & {
  help?: boolean;
  parquet?: boolean;
  batchCommand?: "status" | "cancel";
  /** What was changed on the way (duplicates dropped). */
  notes?: string[];
} {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      options: {
        ...COMMON_FLAG_OPTIONS,
        "max-spend": { type: "string" },
        "max-image-mb": { type: "string" },
        prompt: { type: "string", multiple: true },
        concurrency: { type: "string" },
        timeout: { type: "string" },
        "max-tokens": { type: "string" },
        temperature: { type: "string" },
        schema: { type: "string" },
        "no-stream": { type: "boolean" },
        parquet: { type: "boolean" },
        mode: { type: "string" },
        "batch-poll": { type: "string" },
        "no-wait": { type: "boolean" },
        "batch-status": { type: "boolean" },
        "batch-cancel": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new VisionBenchError("config", (error as Error).message);
  }
  const values = parsed.values;
  const common = readCommonFlags(values);
  const schemaName = values.schema;
  if (schemaName !== undefined && !SCHEMAS[schemaName]) {
    throw new VisionBenchError(
      "config",
      `unknown --schema "${schemaName}"; known: ${Object.keys(SCHEMAS).join(", ")}`,
    );
  }
  const timeoutSeconds = parseNumber(values.timeout, "--timeout", {
    min: 0.001,
    max: FLAG_BOUNDS.timeoutSeconds,
  });
  const maxImageMb = parseNumber(values["max-image-mb"], "--max-image-mb", { min: 0.001 });
  if (maxImageMb !== undefined && maxImageMb > MAX_IMAGE_MB) {
    throw new VisionBenchError(
      "config",
      `--max-image-mb must be ≤ ${MAX_IMAGE_MB}, got "${maxImageMb}"`,
    );
  }
  const mode = values.mode;
  if (mode !== undefined && mode !== "live" && mode !== "batch") {
    throw new VisionBenchError("config", `--mode must be live or batch, got "${mode}"`);
  }
  if (values["batch-status"] && values["batch-cancel"]) {
    throw new VisionBenchError("config", "--batch-status and --batch-cancel exclude each other");
  }
  const batchCommand = values["batch-status"]
    ? "status"
    : values["batch-cancel"]
    ? "cancel"
    : undefined;
  if (batchCommand && !values["run-id"]) {
    throw new VisionBenchError("config", `--batch-${batchCommand} needs --run-id`);
  }
  // At least 1 s: a platform asked faster than that would rate-limit or flag the account.
  const batchOnly = ["batch-poll", "no-wait"].filter((flag) =>
    values[flag as "no-wait"] !== undefined
  );
  if (mode !== "batch" && !batchCommand && batchOnly.length > 0) {
    throw new VisionBenchError(
      "config",
      `--${batchOnly[0]} is for batch mode only; add --mode batch or leave it out`,
    );
  }
  const pollSeconds = parseNumber(values["batch-poll"], "--batch-poll", { min: 1 });
  return {
    help: values.help,
    parquet: values.parquet,
    platforms: common.platforms,
    images: common.images,
    limit: common.limit,
    maxSpendUsd: parseNumber(values["max-spend"], "--max-spend", { min: 0 }),
    maxImageBytes: maxImageMb === undefined ? undefined : Math.round(maxImageMb * 1_000_000),
    variants: common.resize,
    prompts: withoutRepeats(values.prompt, "--prompt", common.notes)?.map(promptFromText),
    repeat: common.repeat,
    concurrency: parsePositiveInteger(values.concurrency, "--concurrency", {
      max: FLAG_BOUNDS.concurrency,
    }),
    timeoutMs: timeoutSeconds === undefined ? undefined : Math.round(timeoutSeconds * 1000),
    // Bounded before any call: an absurd limit would be sent, paid for, and refused by the store.
    maxOutputTokens: parsePositiveInteger(values["max-tokens"], "--max-tokens", {
      max: MAX_OUTPUT_TOKENS,
    }),
    temperature: parseNumber(values.temperature, "--temperature", { min: 0 }),
    schema: schemaName === undefined ? undefined : SCHEMAS[schemaName],
    stream: values["no-stream"] ? false : undefined,
    runId: common.runId,
    outDir: common.out,
    cache: common.cache,
    mode,
    batch: {
      pollIntervalMs: pollSeconds === undefined ? undefined : pollSeconds * 1000,
      wait: values["no-wait"] ? false : undefined,
    },
    batchCommand,
    notes: common.notes,
  };
}

/** Runs the CLI; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  let batchMode = false;
  // SIGTERM (docker stop, systemd, kill) is a Ctrl-C: stop calling, keep what was paid, release
  // the lock, and exit 143 as a process ended by SIGTERM does.
  let stoppedBy = "SIGINT" as "SIGINT" | "SIGTERM";
  const onSignal = (signal: "SIGINT" | "SIGTERM") => () => {
    stoppedBy = signal;
    interrupts += 1;
    if (interrupts > 1) Deno.exit(signal === "SIGTERM" ? 143 : 130);
    console.error(
      batchMode
        ? "\nvisionbench: stopping; submitted batches keep running on the platforms (see below); Ctrl-C again to quit now"
        : "\nvisionbench: stopping (in-flight calls are dropped, finished ones are kept); Ctrl-C again to quit now",
    );
    controller.abort();
  };
  const onInterrupt = onSignal("SIGINT");
  const onTerminate = onSignal("SIGTERM");
  Deno.addSignalListener("SIGINT", onInterrupt);
  Deno.addSignalListener("SIGTERM", onTerminate);
  try {
    const options = parseBenchArgs(args);
    if (options.help) {
      console.log(HELP);
      return 0;
    }
    for (const note of options.notes ?? []) console.error(`note: ${note}`);
    if (options.batchCommand) {
      const { adapters, skipped } = await batchAdaptersForRun({
        runId: options.runId!,
        outDir: options.outDir,
      });
      for (const reason of skipped) console.error(`skipped ${reason}`);
      const control = { runId: options.runId!, outDir: options.outDir, adapters };
      const rows = options.batchCommand === "status"
        ? await batchStatus(control)
        : await cancelBatches(control);
      console.log(formatBatchRows(rows));
      if (options.batchCommand === "cancel" && rows.length > 0) {
        console.log(
          `re-run with --mode batch --run-id ${options.runId} to record what finished and mark the rest cancelled`,
        );
      }
      const failed = rows.filter((row) => row.error).length;
      if (options.batchCommand === "cancel" && failed > 0) {
        console.error(`visionbench: ${failed} of ${rows.length} cancel request(s) failed`);
        return 1;
      }
      return 0;
    }
    batchMode = options.mode === "batch";
    const progress = createTerminalProgress();
    const result = await runBenchmark({
      ...options,
      signal: controller.signal,
      onEvent: (event) =>
        event.type === "estimate" ? console.error(event.estimate.text) : progress(event),
      // Holding every record would grow with --repeat.
      keepRecords: false,
      onBatchEvent: printBatchEvent,
    });
    console.error(`platforms: ${result.platforms.join(", ") || "(none)"}`);
    for (const skipped of result.skippedPlatforms) {
      console.error(`skipped ${skipped.preset}: ${skipped.reason}`);
    }
    // Read back as columns (summarize()), so a resumed run's table holds its earlier records too.
    // Imported here: only this table needs Polars (not --help, the batch commands or the calls).
    const { printRunSummary } = await import("./cli-summary.ts");
    await printRunSummary(result, { parquet: options.parquet });
    if (result.batch) {
      for (const entry of result.batch.unknownResults) {
        console.error(
          printable(
            `warning: batch ${entry.batchId} returned a result for unknown custom_id ${entry.customId}`,
          ),
        );
      }
      for (const line of resumeHint(result.runId, result.batch.pending)) console.error(line);
    }
    return result.cancelled ? (stoppedBy === "SIGTERM" ? 143 : 130) : 0;
  } catch (error) {
    if (
      error instanceof VisionBenchError &&
      (error.kind === "config" || error.kind === "usage" || error.kind === "unsupported")
    ) {
      console.error(`visionbench: ${redact(error.message)}`);
      return 2;
    }
    console.error(`visionbench: ${redact(error instanceof Error ? error.message : String(error))}`);
    return 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    Deno.removeSignalListener("SIGTERM", onTerminate);
  }
}

/** One line per batch event worth a user's attention (stderr, beside the progress bar). */
function printBatchEvent(raw: BatchRunEvent): void {
  // Platform words (ids, status, messages) may carry an echoed key or escape sequences.
  const event = JSON.parse(
    JSON.stringify(raw, (_key, value) => typeof value === "string" ? printable(value) : value),
  ) as BatchRunEvent;
  switch (event.type) {
    case "batch-submitted":
      console.error(`\nsubmitted ${event.preset} batch ${event.batchId} (${event.items} cases)`);
      break;
    case "batch-status": {
      const done = event.counts?.succeeded !== undefined && event.counts.total
        ? ` (${event.counts.succeeded + (event.counts.failed ?? 0)}/${event.counts.total} done)`
        : "";
      console.error(`\n${event.preset} batch ${event.batchId}: ${event.rawStatus}${done}`);
      break;
    }
    case "batch-ended":
      console.error(`\n${event.preset} batch ${event.batchId} ended: ${event.outcome ?? "?"}`);
      break;
    case "batch-problem":
      console.error(`\nwarning: ${event.message}`);
      break;
    case "batch-poll-error":
      console.error(`\nwarning: polling ${event.batchId}: ${event.message}`);
      break;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
