/**
 * Gemini Batch Mode emulator in front of the Gemini emulator:
 * `POST /v1beta/models/{model}:batchGenerateContent` (inlined requests), `GET
 * /v1beta/batches/{id}` and `POST /v1beta/batches/{id}:cancel`, answering with long-running
 * operations whose `metadata` is the `GenerateContentBatch` (state `BATCH_STATE_PENDING` →
 * `RUNNING` → `SUCCEEDED`, or `CANCELLED` / `EXPIRED`) and, once done, its `output` with
 * `inlinedResponses.inlinedResponses` in request order, each with the request's `metadata` and
 * the live emulator's `GenerateContentResponse` or a google.rpc `error`. The inline limit is
 * enforced as Google does, on the request payload (400 INVALID_ARGUMENT).
 *
 * Shapes checked against `@google/genai`'s converters (`batchJobFromMldev` reads
 * `metadata.output.inlinedResponses.inlinedResponses`), https://ai.google.dev/api/batch-mode and
 * recorded fixtures of a public client's tests (`metadata.key` echoed per inline response).
 * An expired batch returns no responses (its documented meaning: it never finished).
 *
 * @module
 */
import {
  type BatchEmulator,
  type BatchEmulatorOptions,
  batchOptions,
  createAnswer,
  createJobStore,
  echoed,
  type EmulatedJob,
  randomId,
  runOnLive,
  startFront,
} from "./batch-jobs.ts";
import {
  error,
  type GeminiEmulator,
  type GeminiEmulatorOptions,
  startGeminiEmulator,
  unregisteredCaller,
} from "./gemini.ts";
import { type EmulatorBehaviour, json } from "./harness.ts";

// deno-lint-ignore no-explicit-any
type Json = any; // the emulator reads whatever the client sent, like a server does

interface InlineRequest {
  request: Json;
  metadata?: Record<string, string>;
}

/** HTTP status of a live answer → google.rpc.Code. */
const RPC_CODE: Record<number, number> = { 400: 3, 403: 7, 404: 5, 429: 8, 503: 14, 504: 4 };

/**
 * `batchStats` as the API writes it: int64 counts as strings, and a count of 0 left out (proto3
 * JSON omits defaults: a recorded succeeded batch has no `failedRequestCount`).
 */
function batchStats(counts: Record<string, number>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(counts).filter(([, count]) => count > 0).map(([key, count]) => [
      key,
      String(count),
    ]),
  );
}

/** A live answer as a batch item carries it: recorded inlined responses have no `responseId`. */
function batchAnswer(body: Json): Json {
  const { responseId: _responseId, ...answer } = body;
  return answer;
}

/**
 * Starts the Gemini emulator with Batch Mode in front of it.
 *
 * @example
 * ```ts
 * const emulator = startGeminiBatchEmulator({}, { runningMs: 10 });
 * const batch = createGeminiBatch({ apiKey: "test-key", baseUrl: emulator.url });
 * ```
 */
export function startGeminiBatchEmulator(
  behaviour: Partial<EmulatorBehaviour> & Partial<GeminiEmulatorOptions> = {},
  batch: Partial<BatchEmulatorOptions> = {},
): BatchEmulator<GeminiEmulator> {
  const live = startGeminiEmulator(behaviour);
  // Inline requests: the whole create request under 20 MB (decimal, the stricter reading).
  const knobs = batchOptions({ maxRequests: 100_000, maxBytes: 20_000_000 }, batch);
  const store = createJobStore<InlineRequest, Json>(knobs);

  const operation = async (job: EmulatedJob<InlineRequest, Json>) => {
    const phase = store.phase(job);
    const name = `batches/${job.id}`;
    const metadata: Json = {
      "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
      model: job.extra.model,
      displayName: job.extra.displayName,
      createTime: new Date(job.createdAt).toISOString(),
      updateTime: new Date().toISOString(),
      batchStats: {
        requestCount: String(job.items.length),
        pendingRequestCount: String(job.items.length),
      },
      state: phase === "queued"
        ? "BATCH_STATE_PENDING"
        : phase === "running"
        ? "BATCH_STATE_RUNNING"
        : "BATCH_STATE_RUNNING", // the API has no cancelling state: it runs until cancelled
      name,
    };
    if (phase !== "ended") return { name, metadata };
    await store.finish(job, (item) =>
      runOnLive(
        live.url,
        `/v1beta/${job.extra.model}:generateContent`,
        job.headers,
        item.request,
      ));
    const expired = store.expired(job) && job.cancelAt === undefined;
    const responses = expired ? [] : inlinedResponses(job);
    const ok = responses.filter((entry: Json) => entry.response).length;
    const output = { inlinedResponses: { inlinedResponses: responses } };
    return {
      name,
      metadata: {
        ...metadata,
        state: job.cancelAt !== undefined
          ? "BATCH_STATE_CANCELLED"
          : expired
          ? "BATCH_STATE_EXPIRED"
          : "BATCH_STATE_SUCCEEDED",
        endTime: new Date(job.endedAt!).toISOString(),
        batchStats: batchStats({
          requestCount: job.items.length,
          successfulRequestCount: ok,
          failedRequestCount: job.items.length - ok,
        }),
        output,
      },
      done: true,
      response: {
        "@type":
          "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput",
        ...output,
      },
    };
  };

  const inlinedResponses = (job: EmulatedJob<InlineRequest, Json>): Json[] => {
    const entries: Json[] = [];
    job.items.forEach((item, index) => {
      const outcome = job.outcomes![index];
      const metadata = item.metadata;
      if (outcome.kind === "answered") {
        entries.push(
          outcome.status === 200 ? { response: batchAnswer(outcome.body), metadata } : {
            error: {
              code: RPC_CODE[outcome.status] ?? 13,
              message: outcome.body?.error?.message ?? "Internal error encountered.",
            },
            metadata,
          },
        );
      } else if (outcome.kind === "failed") {
        entries.push({ error: { code: 13, message: "Internal error encountered." }, metadata });
      } else if (outcome.kind === "cancelled") {
        entries.push({ error: { code: 1, message: "The operation was cancelled." }, metadata });
      }
    });
    if (knobs.unkeyedResults) {
      return entries.slice(1).map(({ metadata: _metadata, ...entry }: Json) => entry);
    }
    if (knobs.unknownResult) {
      entries.push({
        error: { code: 13, message: "Internal error encountered." },
        metadata: { key: echoed(knobs, job, "not-submitted-by-anyone") },
      });
    }
    return entries;
  };

  return startFront(live, knobs, async (request, context, front) => {
    const url = new URL(request.url);
    const create = url.pathname.match(/^\/v1beta\/(models\/[^/:]+):batchGenerateContent$/);
    const list = request.method === "GET" && url.pathname === "/v1beta/batches";
    const existing = url.pathname.match(/^\/v1beta\/batches\/([^/:]+)(:cancel)?$/);
    if (!create && !existing && !list) return undefined;
    const anonymous = unregisteredCaller(context, url);
    if (anonymous) return anonymous;
    if (list) {
      // The REST list answers long-running operations (`operations`, not `batchJobs`).
      return json({ operations: await Promise.all([...store.jobs.values()].map(operation)) });
    }
    if (create && request.method === "POST") {
      // The size limit counts the body as it came over the wire.
      const bytes = new TextEncoder().encode(context.text).length;
      if (bytes > knobs.maxBytes) {
        return error(
          400,
          "INVALID_ARGUMENT",
          `Request payload size exceeds the limit: ${knobs.maxBytes} bytes.`,
        );
      }
      const batch = (context.recorded.body as Json)?.batch;
      const requests: InlineRequest[] | undefined = batch?.inputConfig?.requests?.requests;
      if (!Array.isArray(requests) || requests.length === 0) {
        return error(
          400,
          "INVALID_ARGUMENT",
          "* BatchGenerateContentRequest.batch.input_config: input_config is required",
        );
      }
      if (requests.length > knobs.maxRequests) {
        return error(
          400,
          "INVALID_ARGUMENT",
          `Too many requests in the batch: ${requests.length} > ${knobs.maxRequests}.`,
        );
      }
      const job = store.add(randomId(16), requests, context.recorded.headers, {
        model: create[1],
        displayName: batch.displayName,
      });
      return await createAnswer(front, context.signal, {
        ok: async () => json(await operation(job)),
        error: () => error(500, "INTERNAL", "Internal error encountered."),
        unreadable: async () => {
          const { name: _name, ...nameless } = await operation(job);
          return json(nameless);
        },
      });
    }
    const job = existing ? store.jobs.get(existing[1]) : undefined;
    if (!job) return error(404, "NOT_FOUND", `Requested entity was not found.`);
    if (existing![2] && request.method === "POST") {
      if (store.phase(job) !== "ended") job.cancelAt ??= Date.now();
      return json({});
    }
    return json(await operation(job));
  });
}
