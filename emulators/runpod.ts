/**
 * RunPod Serverless emulator: `POST /v2/{endpoint}/runsync`, `POST /v2/{endpoint}/run` →
 * `IN_QUEUE`, `GET /v2/{endpoint}/status/{id}` moving IN_QUEUE → IN_PROGRESS → terminal over a
 * few polls, `POST /v2/{endpoint}/cancel/{id}`, `delayTime` / `executionTime` in ms, FAILED and
 * TIMED_OUT jobs, and the vLLM worker's OpenAI-compatible route
 * `/v2/{endpoint}/openai/v1/…` served by the OpenAI emulator's handler.
 *
 * @module
 */
import {
  type Emulator,
  type EmulatorBehaviour,
  type HandlerContext,
  json,
  malformed,
  sleep,
  startEmulator,
} from "./harness.ts";
import { openAIHandler } from "./openai.ts";

/** The key the emulator accepts unless told otherwise. */
export const EMULATOR_RUNPOD_KEY = "rpa_EMULATOR-SECRET-ABCDEF0123456789";

/** How a job ends. */
export type JobOutcome = "COMPLETED" | "FAILED" | "TIMED_OUT" | "CANCELLED";

/** RunPod-specific knobs (changeable between requests through `emulator.options`). */
export interface RunPodEmulatorOptions extends Partial<EmulatorBehaviour> {
  /** @default EMULATOR_RUNPOD_KEY */
  apiKey?: string;
  /** Only this endpoint id exists (others answer 404). @default any id */
  endpointId?: string;
  /** Outcomes of the next jobs, one per job; then COMPLETED. */
  outcomes?: JobOutcome[];
  /**
   * Shape of `output`. `vllm` is RunPod's vLLM worker streamed: a list of token batches
   * `[{"choices":[{"tokens":["…"]}],"usage":{"input":N,"output":M}}]`; `vllm-text` its whole
   * answer `{"text": ["…"], "input_tokens", "output_tokens"}`; `custom` a handler's own
   * `{"result": {"caption": "…"}}`. @default "text"
   */
  outputShape?: "string" | "text" | "caption" | "array" | "vllm" | "vllm-text" | "custom";
  /** `GET /status` calls before a `/run` job is terminal (IN_QUEUE, IN_PROGRESS, …). @default 3 */
  pollsToComplete?: number;
  /** `delayTime` of warm jobs, ms. @default 180 */
  delayTimeMs?: number;
  /** `delayTime` of the first job when set (a worker starting), ms. */
  coldStartDelayMs?: number;
  /** `executionTime`, ms. @default 1340 */
  executionTimeMs?: number;
}

/** A running RunPod emulator. */
export interface RunPodEmulator extends Emulator {
  options: RunPodEmulatorOptions;
  /** Jobs by id, as the emulator tracks them. */
  jobs: Map<string, EmulatedJob>;
}

/** A job the emulator tracks. */
export interface EmulatedJob {
  id: string;
  input: unknown;
  outcome: JobOutcome;
  polls: number;
  delayTime: number;
  cancelled: boolean;
  /** The error of a FAILED job: a string, or an object (a handler raising a dict). */
  error?: unknown;
  /** Hostile usage: what `executionTime` and token counts are reported as. */
  usageValue?: unknown;
  /** The modelled service time, ms, when the emulator models one: `executionTime` follows it. */
  modelledMs?: number;
}

/** Of a modelled call, the network outside `delayTime` and `executionTime`, ms. */
const MODELLED_NETWORK_MS = 40;

const FAILURE = "CUDA out of memory. Tried to allocate 2.00 GiB";

/** Starts the emulator on a free port; point the adapter at `${url}/v2`. */
export function startRunPodEmulator(options: RunPodEmulatorOptions = {}): RunPodEmulator {
  const {
    apiKey: _key,
    endpointId: _endpoint,
    outcomes: _outcomes,
    outputShape: _shape,
    pollsToComplete: _polls,
    delayTimeMs: _delay,
    coldStartDelayMs: _cold,
    executionTimeMs: _execution,
    ...behaviour
  } = options;
  const jobs = new Map<string, EmulatedJob>();
  const key = () => options.apiKey ?? EMULATOR_RUNPOD_KEY;
  const openAI = openAIHandler({
    get apiKey() {
      return key();
    },
  });

  const output = (text: string, job: EmulatedJob): unknown => {
    switch (options.outputShape ?? "text") {
      case "vllm": {
        // worker-vllm yields batches of DEFAULT_BATCH_SIZE (10) tokens; usage is cumulative.
        const tokens = text.match(/\S+\s*/g) ?? [];
        const input = JSON.stringify(job.input).length >> 2;
        const batches = [];
        for (let at = 0; at < Math.max(1, tokens.length); at += 10) {
          const batch = tokens.slice(at, at + 10);
          const value = (count: number) => job.usageValue !== undefined ? job.usageValue : count;
          batches.push({
            choices: [{ tokens: batch }],
            usage: { input: value(input), output: value(at + batch.length) },
          });
        }
        return batches;
      }
      case "vllm-text":
        // worker-vllm's non-streamed answer (also what many custom handlers return).
        return {
          text: [text],
          input_tokens: JSON.stringify(job.input).length >> 2,
          output_tokens: (text.match(/\S+/g) ?? []).length,
        };
      case "custom":
        // A custom handler's own shape: only a preset's output path can read it.
        return { result: { caption: text, confidence: 0.9 } };
      case "string":
        return text;
      case "caption":
        return { caption: text };
      case "array":
        return text.match(/\S+\s*/g) ?? [];
      default:
        return { text };
    }
  };

  const newJob = (input: unknown, context: HandlerContext): EmulatedJob => {
    const failing = context.fault === "error_in_200" || context.fault === "object_error";
    const job: EmulatedJob = {
      id: `${crypto.randomUUID()}-u1`,
      input,
      outcome: failing ? "FAILED" : options.outcomes?.shift() ?? "COMPLETED",
      error: context.fault === "object_error"
        ? { error_type: "torch.OutOfMemoryError", error_message: FAILURE }
        : FAILURE,
      usageValue: context.behaviour.usageValue,
      modelledMs: context.behaviour.modelledMs,
      polls: 0,
      delayTime: jobs.size === 0 && options.coldStartDelayMs !== undefined
        ? options.coldStartDelayMs
        : options.delayTimeMs ?? 180,
      cancelled: false,
    };
    jobs.set(job.id, job);
    return job;
  };

  const view = (job: EmulatedJob, status: string, text: string) => {
    const base = { id: job.id, status };
    if (status === "IN_QUEUE") return base;
    if (status === "IN_PROGRESS") {
      return { ...base, delayTime: job.delayTime, workerId: "wk-emu01" };
    }
    // Billed time never exceeds the call: of a modelled call, what the worker queue and the
    // network did not take.
    const executionTime = job.usageValue !== undefined
      ? job.usageValue
      : job.modelledMs !== undefined
      ? Math.max(1, Math.round(job.modelledMs - job.delayTime - MODELLED_NETWORK_MS))
      : options.executionTimeMs ?? 1340;
    const ended = { ...base, delayTime: job.delayTime, executionTime, workerId: "wk-emu01" };
    if (status === "COMPLETED") return { ...ended, output: output(text, job) };
    if (status === "FAILED") return { ...ended, error: job.error };
    return ended;
  };

  const emulator = startEmulator(async (request, context) => {
    const { recorded, fault, behaviour: state, signal } = context;
    const match = recorded.path.match(/^\/v2\/([^/]+)\/(.+)$/);
    if (!match) return json({ error: "not found" }, 404);
    const [, endpointId, rest] = match;
    if (rest.startsWith("openai/")) return await openAI(request, context);
    if (recorded.headers.authorization !== `Bearer ${key()}` || fault === "auth") {
      return new Response("Unauthorized", {
        status: 401,
        headers: { "content-type": "text/plain" },
      });
    }
    if (options.endpointId && endpointId !== options.endpointId) {
      return json({ error: `endpoint ${endpointId} not found` }, 404);
    }
    if (fault === "rate_limit") {
      return json({ error: "Too many requests, please slow down." }, 429, {
        "retry-after": String(state.retryAfterSeconds),
      });
    }
    if (fault === "server_error") return json({ error: "internal server error" }, 500);
    if (fault === "overloaded") return json({ error: "service unavailable" }, 503);
    if (fault === "malformed") return malformed();
    const text = fault === "empty" ? "" : state.text;

    if (request.method === "POST" && (rest === "runsync" || rest === "run")) {
      const body = recorded.body as { input?: unknown } | undefined;
      if (!body || typeof body.input !== "object" || body.input === null) {
        return json({ error: "input is required" }, 400);
      }
      const job = newJob(body.input, context);
      if (rest === "run") return json({ id: job.id, status: "IN_QUEUE" });
      await sleep(state.latencyMs, signal);
      return json(view(job, job.outcome, text));
    }
    const status = rest.match(/^status\/(.+)$/);
    if (request.method === "GET" && status) {
      const job = jobs.get(decodeURIComponent(status[1]));
      if (!job) return json({ error: "request does not exist" }, 404);
      job.polls++;
      const needed = options.pollsToComplete ?? 3;
      if (job.cancelled) return json(view(job, "CANCELLED", text));
      if (job.polls >= needed) return json(view(job, job.outcome, text));
      return json(view(job, job.polls === 1 && needed > 2 ? "IN_QUEUE" : "IN_PROGRESS", text));
    }
    const cancel = rest.match(/^cancel\/(.+)$/);
    if (request.method === "POST" && cancel) {
      const job = jobs.get(decodeURIComponent(cancel[1]));
      if (!job) return json({ error: "request does not exist" }, 404);
      job.cancelled = true;
      return json({ id: job.id, status: "CANCELLED" });
    }
    return json({ error: `no route ${request.method} ${recorded.path}` }, 404);
  }, behaviour);
  return { ...emulator, options, jobs };
}
