/**
 * Replicate emulator: `POST /v1/models/{owner}/{name}/predictions` and `POST /v1/predictions
 * {version}` honouring `Prefer: wait[=N]` (blocks until done or the wait runs out, then answers
 * the current state), `GET /v1/predictions/{id}` progressing starting → processing → succeeded
 * with `metrics.predict_time/total_time`, output as an array of string pieces, `POST
 * /v1/predictions/{id}/cancel`, 429 with `retry_after` + Retry-After, failed predictions, and a
 * Bearer check.
 *
 * @module
 */
import {
  deltas,
  type Emulator,
  type EmulatorBehaviour,
  json,
  malformed,
  sleep,
  startEmulator,
} from "./harness.ts";

/** Replicate-specific knobs (changeable between requests through `emulator.options`). */
export interface ReplicateEmulatorOptions extends Partial<EmulatorBehaviour> {
  /** The token every request must carry. @default "r8_emulator_token_0000" */
  token?: string;
  /** Time a prediction spends `starting` (queue / cold boot). @default 20 */
  queueMs?: number;
  /** Time a prediction spends `processing`. @default 30 */
  predictMs?: number;
  /** Upper bound on how long `Prefer: wait` blocks, whatever N says (the real one is 60 s). @default 60000 */
  maxWaitMs?: number;
  /** When set, predictions fail with this error text. */
  predictionError?: string;
  /** Output as one string instead of an array of pieces. @default false */
  outputAsString?: boolean;
}

/** A running Replicate emulator. */
export interface ReplicateEmulator extends Emulator {
  options: ReplicateEmulatorOptions;
}

interface StoredPrediction {
  id: string;
  createdAt: number;
  model: string;
  version?: string;
  input: Record<string, unknown>;
  text: string;
  /** A string, as Replicate documents it, or an object (some models' cog errors). */
  error?: unknown;
  canceled: boolean;
  /** When the cancel came: a cancelled prediction is billed for the time it had run. */
  canceledAt?: number;
  /** Hostile usage: what `predict_time` / `total_time` are reported as. */
  usageValue?: unknown;
  asString: boolean;
  /** The modelled service time, ms, when the emulator models one: billing follows it. */
  modelledMs?: number;
}

/**
 * Of a modelled call, what is not `predict_time`: the API's own queueing and the network
 * (Replicate bills `predict_time` only). The study's 4.1 s at $0.91 per 1,000 on a T4 is 4.04 s
 * billed: ~60 ms outside the prediction.
 */
const MODELLED_OVERHEAD_MS = 60;

/** Starts the emulator on a free port. */
export function startReplicateEmulator(options: ReplicateEmulatorOptions = {}): ReplicateEmulator {
  const {
    token: _t,
    queueMs: _q,
    predictMs: _p,
    maxWaitMs: _m,
    predictionError: _e,
    outputAsString: _s,
    ...behaviour
  } = options;
  const predictions = new Map<string, StoredPrediction>();
  let counter = 0;

  const view = (stored: StoredPrediction) => {
    const queueMs = options.queueMs ?? 20;
    const predictMs = options.predictMs ?? 30;
    const elapsed = Date.now() - stored.createdAt;
    const status = stored.canceled
      ? "canceled"
      : elapsed < queueMs
      ? "starting"
      : elapsed < queueMs + predictMs
      ? "processing"
      : stored.error
      ? "failed"
      : "succeeded";
    const done = status === "succeeded" || status === "failed";
    const pieces = deltas(stored.text);
    return {
      id: stored.id,
      model: stored.model,
      version: stored.version ?? "emulated-version",
      input: { prompt: stored.input.prompt },
      logs: "",
      output: status === "succeeded" ? (stored.asString ? stored.text : pieces) : null,
      error: status === "failed" ? stored.error : null,
      status,
      created_at: new Date(stored.createdAt).toISOString(),
      started_at: elapsed >= queueMs ? new Date(stored.createdAt + queueMs).toISOString() : null,
      completed_at: done ? new Date(stored.createdAt + queueMs + predictMs).toISOString() : null,
      metrics: status === "canceled"
        ? {
          // Billed up to the cancel, as Replicate's cancel answer reports it.
          predict_time:
            Math.max(0, (stored.canceledAt ?? Date.now()) - stored.createdAt - queueMs) /
            1000,
        }
        : done
        ? stored.usageValue !== undefined
          ? { predict_time: stored.usageValue, total_time: stored.usageValue }
          : stored.modelledMs !== undefined
          ? {
            predict_time: Math.max(0, stored.modelledMs - MODELLED_OVERHEAD_MS) / 1000,
            total_time: Math.max(0, stored.modelledMs - MODELLED_OVERHEAD_MS / 2) / 1000,
          }
          : { predict_time: predictMs / 1000, total_time: (queueMs + predictMs) / 1000 }
        : {},
      urls: { get: `/v1/predictions/${stored.id}`, cancel: `/v1/predictions/${stored.id}/cancel` },
      source: "api",
    };
  };

  const emulator = startEmulator(async (request, { behaviour: state, fault, recorded, signal }) => {
    const token = options.token ?? "r8_emulator_token_0000";
    if (fault === "auth" || recorded.headers.authorization !== `Bearer ${token}`) {
      return json({
        title: "Unauthenticated",
        detail: "You did not pass a valid authentication token",
        status: 401,
      }, 401);
    }
    if (fault === "rate_limit") {
      return json(
        {
          detail: "Request was throttled. Expected available in 5 seconds.",
          status: 429,
          retry_after: state.retryAfterSeconds,
        },
        429,
        { "retry-after": String(state.retryAfterSeconds) },
      );
    }
    if (fault === "server_error") {
      return json({ detail: "Internal server error", status: 500 }, 500);
    }
    if (fault === "overloaded") return json({ detail: "Service unavailable", status: 503 }, 503);
    if (fault === "malformed") return malformed();

    const path = recorded.path;
    const create = path.match(/^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/);
    if (request.method === "POST" && (create || path === "/v1/predictions")) {
      const body = (recorded.body ?? {}) as { input?: Record<string, unknown>; version?: string };
      if (!create && !body.version) {
        return json({ detail: "version is required", status: 422 }, 422);
      }
      if (create && create[1] !== "lucataco") {
        return json({ detail: "The requested resource could not be found.", status: 404 }, 404);
      }
      if (typeof body.input?.image !== "string" || !body.input?.prompt) {
        return json({
          detail: "- input: image is required",
          status: 422,
          title: "Input validation failed",
        }, 422);
      }
      const stored: StoredPrediction = {
        id: `pred${++counter}`,
        createdAt: Date.now(),
        model: create ? `${create[1]}/${create[2]}` : "lucataco/moondream2",
        version: body.version,
        input: body.input,
        text: fault === "empty" ? "" : state.text,
        error: fault === "refusal"
          ? "NSFW content detected"
          : fault === "error_in_200"
          ? "CUDA out of memory. Tried to allocate 2.00 GiB"
          : fault === "object_error"
          ? { message: "CUDA out of memory", type: "OutOfMemoryError" }
          : options.predictionError,
        canceled: false,
        usageValue: state.usageValue,
        asString: options.outputAsString ?? false,
        modelledMs: state.modelledMs,
      };
      predictions.set(stored.id, stored);
      const prefer = recorded.headers.prefer?.match(/^wait(?:=(\d+))?$/);
      if (prefer) {
        const waitMs = Math.min(Number(prefer[1] ?? 60) * 1000, options.maxWaitMs ?? 60_000);
        const doneAt = stored.createdAt + (options.queueMs ?? 20) + (options.predictMs ?? 30);
        await sleep(Math.min(waitMs, Math.max(0, doneAt - Date.now() + 2)), signal);
      }
      await sleep(state.latencyMs, signal);
      return json(view(stored), 201);
    }
    const get = path.match(/^\/v1\/predictions\/([^/]+)(\/cancel)?$/);
    const stored = get && predictions.get(get[1]);
    if (!stored) return json({ detail: "Not found.", status: 404 }, 404);
    if (get[2] && request.method === "POST" && !stored.canceled) {
      stored.canceled = true;
      stored.canceledAt = Date.now();
    }
    return json(view(stored));
  }, behaviour);
  return Object.assign(emulator, { options });
}
