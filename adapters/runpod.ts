/**
 * RunPod Serverless through its REST API (fetch; there is no official JS SDK worth the weight).
 *
 * Modes:
 * - `runsync` (default): `POST {baseUrl}/{endpointId}/runsync {input}` blocks until the job ends
 *   (RunPod answers `IN_QUEUE`/`IN_PROGRESS` with the job id when it takes too long; the adapter
 *   then polls like `run`).
 * - `run`: `POST /run` → `{id, status: "IN_QUEUE"}`, then `GET /status/{id}` every
 *   `pollIntervalMs` until a terminal status. Polling is the protocol, not a retry.
 * - `openai`: vLLM workers expose an OpenAI-compatible API at `{baseUrl}/{endpointId}/openai/v1`;
 *   this mode is {@link createOpenAI} pointed there (token usage, streaming).
 *
 * Worker contract assumed by the default {@link moondreamInput} (there is no single standard: a
 * handler reads whatever `input` it was written for, so `buildInput` is a setting):
 * `input = {image: "data:<mime>;base64,…", prompt, max_new_tokens, temperature?}`; the handler
 * returns its text as `output`: a string, `{text | caption | output | response: string}` or an
 * array of string pieces to join. RunPod's vLLM worker answers token batches
 * `[{"choices":[{"tokens":[…]}],"usage":{"input":N,"output":M}}]`: text and tokens are read from them.
 *
 * Timing: `gpuSeconds = executionTime / 1000` (what RunPod bills), `queueMs = delayTime`,
 * `coldStart` when `delayTime` exceeds `coldStartMs`. There is no streaming in these modes:
 * `onFirstToken` fires when the output arrives, so TTFT equals latency.
 *
 * @module
 */
import { type Simulation, simulationOf } from "../lib/contract/simulation.ts";
import { wait } from "../lib/util/wait.ts";
import { z } from "zod";
import type {
  Adapter,
  AdapterSettings,
  DescribeOptions,
  DescribeRequest,
  Description,
  PlatformTiming,
  Usage,
} from "../lib/contract/adapter.ts";
import { VisionBenchError } from "../lib/contract/errors.ts";
import { createOpenAI } from "./openai.ts";
import {
  abortedError,
  httpError,
  platformText,
  readableMessage,
  requiredSetting,
  transportError,
} from "./shared-errors.ts";
import { imageDataUrl } from "../lib/contract/image-transport.ts";
import { WireNumber } from "./wire.ts";

// ---------------------------------------------------------------------------------------------
// Wire types

const TERMINAL = ["COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"] as const;

/** A job as `/runsync`, `/run` and `/status/{id}` return it (only the fields we read). */
const JobSchema = z.object({
  id: z.string(),
  status: z.enum(["IN_QUEUE", "IN_PROGRESS", ...TERMINAL]),
  // Billed worker time, as sent: lib/run judges what is not plausible (withSaneUsage).
  delayTime: WireNumber,
  executionTime: WireNumber,
  output: z.unknown().optional(),
  error: z.unknown().optional(),
  workerId: z.string().optional(),
});
/** A job as answered, with what an emulator's response headers said (lib/contract/simulation.ts). */
type Job = z.infer<typeof JobSchema> & { simulation?: Simulation };

/**
 * RunPod's vLLM worker (runpod-workers/worker-vllm) answers a list of token batches, usage
 * cumulative: `[{"choices":[{"tokens":["…"]}],"usage":{"input":N,"output":M}}, …]`.
 */
const VllmOutputSchema = z.array(z.object({
  choices: z.array(z.object({ tokens: z.array(z.string()).optional() })).default([]),
  usage: z.object({ input: WireNumber, output: WireNumber }).optional(),
})).min(1);

/** RunPod's vLLM worker answering whole (and what many custom handlers return). */
const VllmTextSchema = z.union([
  z.object({
    text: z.array(z.string()),
    input_tokens: WireNumber.optional(),
    output_tokens: WireNumber.optional(),
  }),
  z.array(z.object({
    text: z.array(z.string()),
    input_tokens: WireNumber.optional(),
    output_tokens: WireNumber.optional(),
  })).length(1).transform(([only]) => only),
]);

/** What Moondream-style handlers return as `output`. */
const OutputSchema = z.union([
  z.string(),
  z.array(z.string()).transform((pieces) => pieces.join("")),
  z.object({ text: z.string() }).transform((output) => output.text),
  z.object({ caption: z.string() }).transform((output) => output.caption),
  z.object({ output: z.string() }).transform((output) => output.output),
  z.object({ response: z.string() }).transform((output) => output.response),
]);

/** Settings of {@link createRunPod}. */
export interface RunPodSettings extends AdapterSettings {
  /** The Serverless endpoint id (RUNPOD_ENDPOINT_ID). */
  endpointId?: string;
  /** @default "runpod" */
  platform?: string;
  /** Required label of the model the worker serves (RunPod does not report it), e.g. "moondream2". */
  model?: string;
  /** Required API root, e.g. "https://api.runpod.ai/v2" (the preset's base URL). */
  baseUrl?: string;
  /** @default "runsync" */
  mode?: "runsync" | "run" | "openai";
  /** Wait between two `GET /status/{id}`. @default 1000 */
  pollIntervalMs?: number;
  /** A `delayTime` above this means a worker had to start. @default 5000 */
  coldStartMs?: number;
  /** Builds the job's `input` for your worker. @default moondreamInput */
  buildInput?: (request: DescribeRequest) => Record<string, unknown>;
  /**
   * Where a custom handler puts the text in `output`, as a dotted path (`result.caption`); a
   * preset sets it in its `settings`. @default the shapes listed in the module doc
   */
  outputPath?: string;
}

// ---------------------------------------------------------------------------------------------
// Build request

/**
 * The input of a Moondream worker: `{image: <data URL>, prompt, max_new_tokens, temperature?}`.
 *
 * @example
 * ```ts
 * createRunPod({
 *   endpointId: "abc123",
 *   buildInput: (request) => ({ ...moondreamInput(request), length: "long" }),
 * });
 * ```
 */
export function moondreamInput(request: DescribeRequest): Record<string, unknown> {
  const input: Record<string, unknown> = {
    image: imageDataUrl(request.image),
    prompt: request.prompt,
    max_new_tokens: request.maxOutputTokens,
  };
  if (request.temperature !== undefined) input.temperature = request.temperature;
  return input;
}

// ---------------------------------------------------------------------------------------------
// Call the API

interface Endpoint {
  root: string;
  apiKey?: string;
  platform: string;
  fetch: typeof fetch;
}

/** One REST call; non-2xx answers and transport failures become VisionBenchErrors. */
async function call(
  endpoint: Endpoint,
  request: { path: string; body?: unknown; signal?: AbortSignal },
): Promise<Job> {
  const { platform } = endpoint;
  let response: Response;
  let text: string;
  try {
    response = await endpoint.fetch(`${endpoint.root}${request.path}`, {
      method: request.body === undefined ? "GET" : "POST",
      headers: {
        authorization: `Bearer ${endpoint.apiKey ?? ""}`,
        ...(request.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: request.signal,
    });
    text = await response.text();
  } catch (error) {
    throw transportError(error, { platform, signal: request.signal });
  }
  if (!response.ok) {
    throw httpError(response, {
      message: `RunPod ${response.status}: ${platformText(errorText(text), endpoint.apiKey)}`,
      platform,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new VisionBenchError("invalid_response", "RunPod answered with invalid JSON", {
      platform,
      cause,
    });
  }
  const job = JobSchema.safeParse(json);
  if (!job.success) {
    throw new VisionBenchError("invalid_response", `unexpected RunPod job: ${job.error.message}`, {
      platform,
      cause: job.error,
    });
  }
  const simulation = simulationOf(response.headers);
  return simulation ? { ...job.data, simulation } : job.data;
}

/** The message of a RunPod error body (`{"error": "…"}`, `{"message": …}` or plain text). */
function errorText(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null) {
      const record = parsed as Record<string, unknown>;
      const message = record.error ?? record.message ?? record.detail;
      if (message !== undefined) {
        return typeof message === "string" ? message : JSON.stringify(message);
      }
    }
  } catch { /* plain text */ }
  return body.trim() || "(empty body)";
}

async function runJob(
  endpoint: Endpoint,
  job: { mode: "runsync" | "run"; input: Record<string, unknown>; pollIntervalMs: number },
  options: DescribeOptions,
): Promise<Job> {
  const { signal } = options;
  let current = await call(endpoint, { path: `/${job.mode}`, body: { input: job.input }, signal });
  while (!(TERMINAL as readonly string[]).includes(current.status)) {
    if (!(await wait(job.pollIntervalMs, signal))) {
      throw abortedError(signal!, { platform: endpoint.platform });
    }
    current = await call(endpoint, { path: `/status/${encodeURIComponent(current.id)}`, signal });
  }
  return current;
}

// ---------------------------------------------------------------------------------------------
// Map finish reason (the job's terminal status)

/** The text of a finished job, and the tokens when the worker reports them (vLLM). */
interface JobAnswer {
  text: string;
  usage: Usage;
}

function finishedAnswer(
  job: Job,
  platform: string,
  reading: { apiKey?: string; outputPath?: string },
): JobAnswer {
  const { apiKey, outputPath } = reading;
  const detail = job.error === undefined
    ? ""
    : `: ${platformText(readableMessage(job.error), apiKey)}`;
  const options = { platform, code: job.status };
  switch (job.status) {
    case "COMPLETED":
      break;
    case "FAILED":
      // Not retried: the worker's time was billed, and the same input fails the same way.
      throw new VisionBenchError("server", `RunPod job failed${detail}`, {
        ...options,
        retryable: false,
        billed: billedOf(job),
      });
    case "TIMED_OUT":
      throw new VisionBenchError("timeout", `RunPod job timed out${detail}`, options);
    case "CANCELLED":
      throw new VisionBenchError("cancelled", "RunPod job was cancelled", options);
    default:
      throw new VisionBenchError("invalid_response", `RunPod job ended as ${job.status}`, options);
  }
  try {
    return readOutput(job.output, outputPath);
  } catch (cause) {
    // The job completed and was billed: an output that cannot be read keeps its cost, and is
    // not run again (the same worker answers the same shape).
    throw new VisionBenchError(
      "invalid_response",
      `RunPod output is not text (expected a string, {text|caption|output|response}, string[], ` +
        `the vLLM worker's {"text": […]} or [{"choices":[{"tokens":[…]}]}]` +
        `${outputPath ? `, or text at ${outputPath}` : ""})`,
      {
        platform,
        cause,
        retryable: false,
        billed: billedOf(job),
      },
    );
  }
}

/** The worker time RunPod billed for a job (`executionTime`), when it is a usable number. */
function billedOf(job: Job): { gpuSeconds: number } | undefined {
  const ms = job.executionTime;
  return typeof ms === "number" && Number.isFinite(ms) && ms >= 0
    ? { gpuSeconds: ms / 1000 }
    : undefined;
}

function readOutput(output: unknown, outputPath: string | undefined): JobAnswer {
  if (outputPath) {
    const value = outputPath.split(".").reduce<unknown>(
      (
        at,
        key,
      ) => (typeof at === "object" && at !== null
        ? (at as Record<string, unknown>)[key]
        : undefined),
      output,
    );
    if (typeof value !== "string") throw new Error(`no text at ${outputPath}`);
    return { text: value, usage: {} };
  }
  const whole = VllmTextSchema.safeParse(output);
  if (whole.success) {
    const { text, input_tokens: inputTokens, output_tokens: outputTokens } = whole.data;
    return { text: text.join(""), usage: { inputTokens, outputTokens } };
  }
  const vllm = VllmOutputSchema.safeParse(output);
  if (vllm.success) {
    const batches = vllm.data;
    const text = batches.flatMap((batch) => batch.choices[0]?.tokens ?? []).join("");
    // Usage is cumulative: the last batch that has it holds the totals.
    const usage = batches.findLast((batch) => batch.usage !== undefined)?.usage;
    return { text, usage: { inputTokens: usage?.input, outputTokens: usage?.output } };
  }
  return { text: OutputSchema.parse(output), usage: {} };
}

// ---------------------------------------------------------------------------------------------
// Map usage and timing (tokens only from the vLLM worker; RunPod reports worker time)

function mapTiming(job: Job, coldStartMs: number): PlatformTiming {
  const execution = job.executionTime;
  return {
    // A non-number passes through for lib/run's usage check to name.
    gpuSeconds: typeof execution === "number" ? execution / 1000 : execution,
    queueMs: job.delayTime,
    coldStart: typeof job.delayTime === "number" ? job.delayTime > coldStartMs : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Factory

/**
 * Creates an adapter for a RunPod Serverless endpoint.
 *
 * @example
 * ```ts
 * const baseUrl = "https://api.runpod.ai/v2";
 * const runpod = createRunPod({ apiKey: "rpa_…", endpointId: "abc123", model: "moondream2", baseUrl });
 * const vllm = createRunPod({ apiKey: "rpa_…", endpointId: "def456", mode: "openai", model: "Qwen/Qwen2.5-VL-7B-Instruct", baseUrl });
 * console.log(runpod, vllm);
 * ```
 */
export function createRunPod(settings: RunPodSettings = {}): Adapter {
  const platform = settings.platform ?? "runpod";
  if (!settings.endpointId) {
    throw new VisionBenchError("config", "RunPod needs an endpointId (RUNPOD_ENDPOINT_ID)", {
      platform,
    });
  }
  const model = requiredSetting(settings.model, { name: "model", platform });
  const baseUrl = requiredSetting(settings.baseUrl, { name: "baseUrl", platform });
  const root = `${baseUrl.replace(/\/+$/, "")}/${encodeURIComponent(settings.endpointId)}`;
  const mode = settings.mode ?? "runsync";
  if (mode === "openai") {
    return createOpenAI({
      platform,
      model,
      apiKey: settings.apiKey,
      baseUrl: `${root}/openai/v1`,
      fetch: settings.fetch,
      maxTokensField: "max_tokens",
      // RunPod bills the worker's seconds, whatever the tokens.
      billing: "gpu_seconds",
    });
  }
  const endpoint: Endpoint = {
    root,
    apiKey: settings.apiKey,
    platform,
    fetch: settings.fetch ?? fetch,
  };
  const buildInput = settings.buildInput ?? moondreamInput;
  const pollIntervalMs = settings.pollIntervalMs ?? 1000;
  const coldStartMs = settings.coldStartMs ?? 5000;
  return {
    id: platform,
    model,
    capabilities: { streaming: false, structuredOutput: false, imageUrl: true, batch: false },
    billing: "gpu_seconds",
    async describe(request, options = {}) {
      const job = await runJob(
        endpoint,
        { mode, input: buildInput(request), pollIntervalMs },
        options,
      );
      const { text, usage } = finishedAnswer(job, platform, settings);
      options.onFirstToken?.();
      const description: Description = {
        text,
        finishReason: "stop",
        rawFinishReason: job.status,
        usage,
        timing: mapTiming(job, coldStartMs),
      };
      if (job.simulation) description.simulation = job.simulation;
      const warnings: string[] = [];
      if (request.schema) warnings.push("structured output unsupported on this platform");
      if (text === "") warnings.push("the model answered with empty text");
      if (warnings.length > 0) description.warnings = warnings;
      return description;
    },
  };
}
