/**
 * Replicate through the official `replicate` package (the preset runs `lucataco/moondream2`).
 *
 * moondream2's inputs are `image` (a file; we pass a `data:` URI string so the SDK does not
 * upload to `/v1/files`) and `prompt`. It takes no max-tokens or temperature input, so those
 * request fields are not sent (extra inputs can be given in `settings.input`). Its output is an
 * array of string pieces to join (some models return one string).
 *
 * The protocol: `POST /v1/models/{owner}/{name}/predictions` (or `POST /v1/predictions
 * {version}` when `settings.version` is set) with `Prefer: wait`, which blocks up to 60 s; if the
 * prediction is not finished then, we poll `GET /v1/predictions/{id}` until succeeded / failed /
 * canceled. Polling is the protocol, not a retry. On abort the prediction is cancelled.
 *
 * SDK retries (replicate 1.4.0, `lib/util.js` `withAutomaticRetries`): every request is re-sent
 * up to 5 more times — POST on 429, GET on 429/5xx, and ANY request whose fetch threw — with
 * no option to turn that off. The runner owns retries, so the adapter gives the SDK a fetch that
 * answers a repeated call with the same `init` object (which is how the SDK re-sends) with the
 * first outcome instead of going to the network again: one describe() = one request per step.
 *
 * @module
 */
import { simulationOf } from "../lib/contract/simulation.ts";
import Replicate from "replicate";
import { z } from "zod";
import type {
  Adapter,
  AdapterSettings,
  DescribeOptions,
  DescribeRequest,
  Description,
  FinishReason,
  PlatformTiming,
  Usage,
} from "../lib/contract/adapter.ts";
import {
  kindFromStatus,
  parseRetryAfter,
  retryAfterFromHeaders,
  VisionBenchError,
} from "../lib/contract/errors.ts";
import {
  abortedError,
  platformText,
  readableMessage,
  requiredSetting,
  transportError,
} from "./shared-errors.ts";
import { imageDataUrl } from "../lib/contract/image-transport.ts";
import { WireNumber } from "./wire.ts";
import { wait } from "../lib/util/wait.ts";

// ---------------------------------------------------------------------------------------------
// Wire types

const PredictionSchema = z.object({
  id: z.string(),
  status: z.enum(["starting", "processing", "succeeded", "failed", "canceled", "aborted"]),
  output: z.union([z.array(z.string()), z.string(), z.null()]).optional(),
  error: z.unknown().optional(),
  // Counts and times as sent: lib/run judges what is not plausible (withSaneUsage) and says so.
  metrics: z.object({
    predict_time: WireNumber,
    total_time: WireNumber,
    input_token_count: WireNumber,
    output_token_count: WireNumber,
  }).nullish(),
  created_at: z.string().nullish(),
  started_at: z.string().nullish(),
  completed_at: z.string().nullish(),
  model: z.string().optional(),
});
type Prediction = z.infer<typeof PredictionSchema>;

/** Replicate's error body, e.g. 429 `{"detail","status":429,"retry_after":5}`. */
const ErrorBodySchema = z.object({
  detail: z.string().optional(),
  title: z.string().optional(),
  retry_after: z.number().optional(),
});

/** Settings of {@link createReplicate}. */
export interface ReplicateSettings extends AdapterSettings {
  /** Required `owner/name`, e.g. "lucataco/moondream2" (the preset's model). */
  model?: string;
  /** A version id: then `POST /v1/predictions {version, input}` is used. */
  version?: string;
  /** Required, e.g. "https://api.replicate.com/v1" (the preset's base URL). */
  baseUrl?: string;
  /** Seconds for `Prefer: wait=N` (1–60); `true` sends `Prefer: wait` (the server's 60 s). @default true */
  wait?: number | true;
  /** Delay between polls of an unfinished prediction. @default 500 */
  pollIntervalMs?: number;
  /** A queue (created_at → started_at) at least this long marks a cold start. @default 3000 */
  coldStartQueueMs?: number;
  /** Extra model inputs merged into `{image, prompt}`. */
  input?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Build request

function buildInput(request: DescribeRequest, extra: Record<string, unknown> | undefined) {
  return {
    ...extra,
    image: imageDataUrl(request.image),
    prompt: request.prompt,
  };
}

/** The last failed HTTP answer, kept because the SDK's ApiError only keeps it in its message. */
interface Failure {
  status: number;
  headers: Headers;
  body: string;
}

/** A fetch that never lets the SDK re-send (see the module doc) and remembers the last failure. */
function makeTransport(base: typeof fetch, signal: AbortSignal | undefined) {
  const seen = new WeakMap<object, Promise<Failure | { thrown: unknown }>>();
  const state: { fetch: typeof fetch; failure?: Failure; lastHeaders?: Headers } = {
    fetch: async (input, init) => {
      const key = init ?? {};
      const earlier = seen.get(key);
      if (earlier) {
        const outcome = await earlier;
        if ("thrown" in outcome) throw outcome.thrown;
        return new Response(outcome.body, { status: outcome.status, headers: outcome.headers });
      }
      const merged = signal && init?.signal
        ? AbortSignal.any([init.signal, signal])
        : signal ?? init?.signal;
      let response: Response;
      try {
        response = await base(input, { ...init, signal: merged ?? undefined });
      } catch (thrown) {
        seen.set(key, Promise.resolve({ thrown }));
        throw thrown;
      }
      state.lastHeaders = response.headers;
      if (response.ok) return response;
      const failure = {
        status: response.status,
        headers: response.headers,
        body: await response.text(),
      };
      state.failure = failure;
      seen.set(key, Promise.resolve(failure));
      return new Response(failure.body, { status: failure.status, headers: failure.headers });
    },
  };
  return state;
}

// ---------------------------------------------------------------------------------------------
// Call SDK

const FINISHED = new Set(["succeeded", "failed", "canceled", "aborted"]);

async function predict(
  client: Replicate,
  input: Record<string, unknown>,
  settings: { model: string; version?: string; wait: number | true; pollIntervalMs: number },
  options: { signal?: AbortSignal; cancel: (id: string) => Promise<unknown> },
): Promise<Prediction> {
  const { signal } = options;
  const target = settings.version ? { version: settings.version } : { model: settings.model };
  let prediction = PredictionSchema.parse(
    await client.predictions.create({ ...target, input, wait: settings.wait, signal }),
  );
  try {
    while (!FINISHED.has(prediction.status)) {
      await wait(settings.pollIntervalMs, signal);
      if (signal?.aborted) break;
      prediction = PredictionSchema.parse(await client.predictions.get(prediction.id, { signal }));
    }
  } finally {
    if (signal?.aborted) await options.cancel(prediction.id);
  }
  return prediction;
}

/**
 * Best effort and bounded, on a client without the call's (aborted) signal: a cancelled
 * benchmark call should not keep billing GPU time.
 */
async function cancelPrediction(client: Replicate, id: string): Promise<number | undefined> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 2000);
  try {
    // The cancel answer says what the prediction ran, and so what it is billed.
    const answer = PredictionSchema.safeParse(
      await client.predictions.cancel(id, { signal: controller.signal }),
    );
    const seconds = answer.success ? answer.data.metrics?.predict_time : undefined;
    return typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0
      ? seconds
      : undefined;
  } catch {
    return undefined; // the call is already being reported as cancelled / timed out
  } finally {
    clearTimeout(timer);
  }
}

/** The predict time a finished prediction reports, when it is a usable number. */
function billedTime(prediction: Prediction): number | undefined {
  const seconds = prediction.metrics?.predict_time;
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0
    ? seconds
    : undefined;
}

/** `error` carrying the GPU seconds a cancelled prediction was billed (not retried: it paid). */
function withBilled(error: VisionBenchError, gpuSeconds: number | undefined): VisionBenchError {
  if (gpuSeconds === undefined) return error;
  return new VisionBenchError(error.kind, error.message, {
    status: error.status,
    platform: error.platform,
    code: error.code,
    cause: error,
    billed: { gpuSeconds },
  });
}

function mapError(
  error: unknown,
  context: { platform: string; signal?: AbortSignal; failure?: Failure; apiKey?: string },
): VisionBenchError {
  if (context.signal?.aborted) {
    return abortedError(context.signal, { platform: context.platform, cause: error });
  }
  const failure = context.failure;
  if (error instanceof Error && error.name === "ApiError" && failure) {
    let body: z.infer<typeof ErrorBodySchema> = {};
    try {
      body = ErrorBodySchema.parse(JSON.parse(failure.body));
    } catch { /* not Replicate's JSON: status alone decides */ }
    const detail = platformText(body.detail ?? body.title ?? failure.body, context.apiKey);
    return new VisionBenchError(
      kindFromStatus(failure.status),
      `replicate: ${failure.status} ${detail}`,
      {
        status: failure.status,
        retryAfterMs: parseRetryAfter(body.retry_after) ?? retryAfterFromHeaders(failure.headers),
        platform: context.platform,
        cause: error,
      },
    );
  }
  if (error instanceof z.ZodError) {
    const field = error.issues[0]?.path.join(".") || "the prediction";
    return new VisionBenchError(
      "invalid_response",
      `replicate: unexpected prediction shape (${field})`,
      {
        platform: context.platform,
        cause: error,
      },
    );
  }
  return transportError(error, { platform: context.platform, signal: context.signal });
}

// ---------------------------------------------------------------------------------------------
// Map finish reason

function mapFinishReason(prediction: Prediction): FinishReason {
  // Replicate reports no truncation; a succeeded prediction ended normally.
  return prediction.status === "succeeded" ? "stop" : "error";
}

// ---------------------------------------------------------------------------------------------
// Map usage (and timing)

function mapUsage(prediction: Prediction): Usage {
  // Language models report token counts in metrics; moondream2 reports none (billed by time).
  return {
    inputTokens: prediction.metrics?.input_token_count,
    outputTokens: prediction.metrics?.output_token_count,
  };
}

function mapTiming(prediction: Prediction, coldStartQueueMs: number): PlatformTiming {
  const created = prediction.created_at ? Date.parse(prediction.created_at) : NaN;
  const started = prediction.started_at ? Date.parse(prediction.started_at) : NaN;
  const queueMs = Number.isFinite(created) && Number.isFinite(started)
    ? Math.max(0, started - created)
    : undefined;
  const totalTime = prediction.metrics?.total_time;
  return {
    gpuSeconds: prediction.metrics?.predict_time,
    serverMs: typeof totalTime === "number" ? totalTime * 1000 : totalTime,
    queueMs,
    coldStart: queueMs === undefined ? undefined : queueMs >= coldStartQueueMs,
  };
}

const OutputSchema = z.union([z.array(z.string()), z.string(), z.null(), z.undefined()]);

function outputText(prediction: Prediction): string {
  const output = OutputSchema.parse(prediction.output);
  return Array.isArray(output) ? output.join("") : output ?? "";
}

// ---------------------------------------------------------------------------------------------
// Factory

/**
 * Creates the Replicate adapter (moondream2 by default, billed by `predict_time`).
 *
 * @example
 * ```ts
 * import type { DescribeRequest } from "../lib/contract/adapter.ts";
 * declare const image: DescribeRequest["image"];
 * const adapter = createReplicate({ apiKey: "r8_…", model: "lucataco/moondream2", baseUrl: "https://api.replicate.com/v1" });
 * const description = await adapter.describe({ image, prompt: "Describe the image.", maxOutputTokens: 300, stream: false });
 * description.timing?.gpuSeconds; // predict_time, what Replicate bills
 * ```
 */
export function createReplicate(settings: ReplicateSettings = {}): Adapter {
  const platform = settings.platform ?? "replicate";
  const model = requiredSetting(settings.model, { name: "model", platform });
  const baseUrl = requiredSetting(settings.baseUrl, { name: "baseUrl", platform });
  const coldStartQueueMs = settings.coldStartQueueMs ?? 3000;
  return {
    id: platform,
    model,
    // moondream2 does not stream reliably on Replicate: the answer arrives whole.
    capabilities: { streaming: false, structuredOutput: false, imageUrl: true, batch: false },
    billing: "gpu_seconds",
    async describe(request, options: DescribeOptions = {}) {
      const { signal } = options;
      if (signal?.aborted) throw abortedError(signal, { platform });
      const transport = makeTransport(settings.fetch ?? globalThis.fetch, signal);
      const clientFor = (fetch: typeof globalThis.fetch) =>
        new Replicate({
          auth: settings.apiKey,
          baseUrl,
          fetch,
          useFileOutput: false,
        });
      const client = clientFor(transport.fetch);
      let prediction: Prediction;
      let billedSeconds: number | undefined;
      try {
        prediction = await predict(client, buildInput(request, settings.input), {
          model,
          version: settings.version,
          wait: settings.wait ?? true,
          pollIntervalMs: settings.pollIntervalMs ?? 500,
        }, {
          signal,
          cancel: async (id) =>
            billedSeconds = await cancelPrediction(
              clientFor(makeTransport(settings.fetch ?? fetch, undefined).fetch),
              id,
            ),
        });
      } catch (error) {
        throw withBilled(
          mapError(error, {
            platform,
            signal,
            failure: transport.failure,
            apiKey: settings.apiKey,
          }),
          billedSeconds,
        );
      }
      if (signal?.aborted) throw withBilled(abortedError(signal, { platform }), billedSeconds);
      if (prediction.status === "failed") {
        const reason = platformText(
          readableMessage(prediction.error ?? "no error text"),
          settings.apiKey,
        );
        // Not retried: a failed prediction was billed, and the same input fails the same way.
        throw withBilled(
          new VisionBenchError("server", `replicate: prediction failed: ${reason}`, {
            platform,
            code: "prediction_failed",
            retryable: false,
          }),
          billedTime(prediction),
        );
      }
      if (prediction.status !== "succeeded") {
        throw withBilled(
          new VisionBenchError("cancelled", `replicate: prediction ${prediction.status}`, {
            platform,
          }),
          billedTime(prediction),
        );
      }
      let text: string;
      try {
        text = outputText(prediction);
      } catch (cause) {
        throw new VisionBenchError("invalid_response", "replicate: output is not text", {
          platform,
          cause,
        });
      }
      options.onFirstToken?.();
      const description: Description = {
        text,
        finishReason: mapFinishReason(prediction),
        rawFinishReason: prediction.status,
        usage: mapUsage(prediction),
        timing: mapTiming(prediction, coldStartQueueMs),
        warnings: request.schema
          ? [`structured output unsupported on replicate (${model})`]
          : undefined,
      };
      const simulation = simulationOf(transport.lastHeaders);
      return simulation ? { ...description, simulation } : description;
    },
  };
}
