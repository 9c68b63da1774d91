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
import { redact } from "../util/secrets.ts";
import { SCHEMAS } from "../contract/schemas.ts";
import { printRunSummary } from "./cli-summary.ts";

const HELP = `visionbench bench — run vision platforms over images and record every call

Usage: deno task bench [flags]

  --platform, -p ID[:MODEL]  platform preset (repeatable or comma-separated); default: every
                             platform whose keys are set, plus the offline "local" baseline
  --images DIR               folder of images (default: images/)
  --limit N                  only the first N images
  --max-image-mb N           image files larger than N MB are error rows, never read (default: 50)
  --resize LIST              variants: original and/or longest side in px (default: original,512)
  --prompt TEXT              prompt (repeatable; default: "${DEFAULT_PROMPT}")
  --repeat N                 real calls per case, never served from the cache (default: 1)
  --concurrency N            calls in flight per platform (default: the preset's)
  --timeout S                per-call timeout in seconds (default: 60)
  --max-tokens N             max output tokens (default: 300)
  --temperature T            sampling temperature (default: the platform's)
  --schema NAME              structured output (${Object.keys(SCHEMAS).join(", ")})
  --no-stream                do not stream (no time to first token)
  --run-id ID                run id; re-using one resumes it (cases already ok are skipped)
  --out DIR                  results folder (default: results/)
  --no-cache                 neither read nor write the response cache
  --refresh-cache            call again and overwrite cached responses
  --parquet                  also export the run to <out>/<runId>.parquet
  --help, -h                 this text
`;

/** Largest `--max-image-mb`: one image file is read into one buffer. */
const MAX_IMAGE_MB = 2000;

/** Parses CLI flags into {@link BenchOptions}; throws a `config` error on a bad flag. */
export function parseBenchArgs(
  args: string[],
): BenchOptions & { help?: boolean; parquet?: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      options: {
        platform: { type: "string", short: "p", multiple: true },
        images: { type: "string" },
        limit: { type: "string" },
        "max-image-mb": { type: "string" },
        resize: { type: "string" },
        prompt: { type: "string", multiple: true },
        repeat: { type: "string" },
        concurrency: { type: "string" },
        timeout: { type: "string" },
        "max-tokens": { type: "string" },
        temperature: { type: "string" },
        schema: { type: "string" },
        "no-stream": { type: "boolean" },
        "run-id": { type: "string" },
        out: { type: "string" },
        "no-cache": { type: "boolean" },
        "refresh-cache": { type: "boolean" },
        parquet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new VisionBenchError("config", (error as Error).message);
  }
  const values = parsed.values;
  if (values["no-cache"] && values["refresh-cache"]) {
    throw new VisionBenchError("config", "--no-cache and --refresh-cache exclude each other");
  }
  const schemaName = values.schema;
  if (schemaName !== undefined && !SCHEMAS[schemaName]) {
    throw new VisionBenchError(
      "config",
      `unknown --schema "${schemaName}"; known: ${Object.keys(SCHEMAS).join(", ")}`,
    );
  }
  const timeoutSeconds = parseNumber(values.timeout, "--timeout", { min: 0.001 });
  const maxImageMb = parseNumber(values["max-image-mb"], "--max-image-mb", { min: 0.001 });
  if (maxImageMb !== undefined && maxImageMb > MAX_IMAGE_MB) {
    throw new VisionBenchError(
      "config",
      `--max-image-mb must be ≤ ${MAX_IMAGE_MB}, got "${maxImageMb}"`,
    );
  }
  return {
    help: values.help,
    parquet: values.parquet,
    platforms: values.platform?.flatMap((value) => value.split(",")).map((value) => value.trim())
      .filter(Boolean),
    images: values.images,
    limit: parsePositiveInteger(values.limit, "--limit"),
    maxImageBytes: maxImageMb === undefined ? undefined : Math.round(maxImageMb * 1_000_000),
    variants: values.resize?.split(",").map((value) => value.trim()).filter(Boolean),
    prompts: values.prompt?.map(promptFromText),
    repeat: parsePositiveInteger(values.repeat, "--repeat"),
    concurrency: parsePositiveInteger(values.concurrency, "--concurrency"),
    timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
    maxOutputTokens: parsePositiveInteger(values["max-tokens"], "--max-tokens"),
    temperature: parseNumber(values.temperature, "--temperature", { min: 0 }),
    schema: schemaName === undefined ? undefined : SCHEMAS[schemaName],
    stream: values["no-stream"] ? false : undefined,
    runId: values["run-id"],
    outDir: values.out,
    cache: values["no-cache"] ? "bypass" : values["refresh-cache"] ? "refresh" : undefined,
  };
}

/** Runs the CLI; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts += 1;
    if (interrupts > 1) Deno.exit(130);
    console.error(
      "\nvisionbench: stopping (in-flight calls are dropped, finished ones are kept); Ctrl-C again to quit now",
    );
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    const options = parseBenchArgs(args);
    if (options.help) {
      console.log(HELP);
      return 0;
    }
    const result = await runBenchmark({
      ...options,
      signal: controller.signal,
      onEvent: createTerminalProgress(),
    });
    console.error(`platforms: ${result.platforms.join(", ") || "(none)"}`);
    for (const skipped of result.skippedPlatforms) {
      console.error(`skipped ${skipped.preset}: ${skipped.reason}`);
    }
    await printRunSummary(result, { parquet: options.parquet });
    return result.cancelled ? 130 : 0;
  } catch (error) {
    if (error instanceof VisionBenchError && error.kind === "config") {
      console.error(`visionbench: ${redact(error.message)}`);
      return 2;
    }
    console.error(`visionbench: ${redact(error instanceof Error ? error.message : String(error))}`);
    return 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
