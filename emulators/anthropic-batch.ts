/**
 * Anthropic Message Batches emulator in front of the Anthropic emulator:
 * `POST /v1/messages/batches`, `GET /v1/messages/batches/{id}`,
 * `POST /v1/messages/batches/{id}/cancel`, `GET /v1/messages/batches/{id}/results` (JSONL, one
 * line per custom_id: `succeeded` with the live emulator's message, `errored` with an error
 * response, `expired`, `canceled`). A batch is `in_progress`, then `ended` (or `canceling`, then
 * `ended`) on the job clock; `request_counts` stay at `processing` until it ends, as documented.
 * Limits as documented: 100,000 requests or 256 MB (413 `request_too_large`), custom_id
 * `^[a-zA-Z0-9_-]{1,64}$`, unique within a batch.
 *
 * Shapes checked against the SDK's `MessageBatch` / `MessageBatchIndividualResponse` types and
 * https://platform.claude.com/docs/en/build-with-claude/batch-processing.
 *
 * @module
 */
import {
  type AnthropicEmulator,
  type AnthropicEmulatorOptions,
  startAnthropicEmulator,
} from "./anthropic.ts";
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
import { type EmulatorBehaviour, json } from "./harness.ts";

// deno-lint-ignore no-explicit-any
type Json = any; // the emulator reads whatever the client sent, like a server does

interface BatchRequest {
  custom_id: string;
  params: Json;
}

function error(status: number, type: string, message: string): Response {
  return json({ type: "error", error: { type, message }, request_id: `req_${randomId()}` }, status);
}

/**
 * Starts the Anthropic emulator with Message Batches in front of it.
 *
 * @example
 * ```ts
 * const emulator = startAnthropicBatchEmulator({}, { runningMs: 10 });
 * const batch = createAnthropicBatch({ apiKey: "test-key", baseUrl: emulator.url });
 * ```
 */
export function startAnthropicBatchEmulator(
  behaviour: Partial<EmulatorBehaviour> & Partial<AnthropicEmulatorOptions> = {},
  batch: Partial<BatchEmulatorOptions> = {},
): BatchEmulator<AnthropicEmulator> {
  const live = startAnthropicEmulator(behaviour);
  const knobs = batchOptions({ maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 }, batch);
  const store = createJobStore<BatchRequest, Json>(knobs);

  const batchObject = async (job: EmulatedJob<BatchRequest, Json>, frontUrl: string) => {
    const phase = store.phase(job);
    const base = {
      id: job.id,
      type: "message_batch",
      processing_status: phase === "cancelling" ? "canceling" : "in_progress",
      request_counts: {
        processing: job.items.length,
        succeeded: 0,
        errored: 0,
        canceled: 0,
        expired: 0,
      },
      ended_at: null as string | null,
      created_at: new Date(job.createdAt).toISOString(),
      expires_at: new Date(job.createdAt + 24 * 3600 * 1000).toISOString(),
      archived_at: null,
      cancel_initiated_at: job.cancelAt ? new Date(job.cancelAt).toISOString() : null,
      results_url: null as string | null,
    };
    if (phase !== "ended") return base;
    await store.finish(
      job,
      (request) =>
        runOnLive(live.url, "/v1/messages", job.headers, { ...request.params, stream: false }),
    );
    const count = (kind: string, ok?: boolean) =>
      job.outcomes!.filter((outcome) =>
        outcome.kind === kind && (ok === undefined || (outcome.kind === "answered" &&
          (outcome.status === 200) === ok))
      ).length;
    return {
      ...base,
      processing_status: "ended",
      request_counts: {
        processing: 0,
        succeeded: count("answered", true),
        errored: count("failed") + count("answered", false),
        canceled: count("cancelled"),
        expired: count("expired"),
      },
      ended_at: new Date(job.endedAt!).toISOString(),
      // `foreign`: another origin (the same server under the name localhost), like a storage URL.
      results_url: `${
        knobs.resultsOrigin === "foreign" ? frontUrl.replace("127.0.0.1", "localhost") : frontUrl
      }/v1/messages/batches/${job.id}/results`,
    };
  };

  const resultLines = (job: EmulatedJob<BatchRequest, Json>): string => {
    const lines: string[] = [];
    if (knobs.malformedLine) {
      lines.push(`{"custom_id": "${echoed(knobs, job, "broken")}", "result": {"type": `);
    }
    job.items.forEach((request, index) => {
      const outcome = job.outcomes![index];
      let result: Json;
      if (outcome.kind === "answered") {
        result = outcome.status === 200
          ? { type: "succeeded", message: outcome.body }
          : { type: "errored", error: outcome.body };
      } else if (outcome.kind === "failed") {
        result = {
          type: "errored",
          error: {
            type: "error",
            error: { type: "api_error", message: "Internal server error" },
          },
        };
      } else {
        result = { type: outcome.kind === "expired" ? "expired" : "canceled" };
      }
      lines.push(JSON.stringify({ custom_id: request.custom_id, result }));
    });
    if (knobs.unknownResult) {
      lines.push(
        JSON.stringify({
          custom_id: echoed(knobs, job, "not-submitted-by-anyone"),
          result: { type: "expired" },
        }),
      );
    }
    // Results come back in any order: reverse them, so nobody relies on request order.
    return lines.reverse().join("\n") + "\n";
  };

  return startFront(live, knobs, async (request, context, front) => {
    const path = new URL(request.url).pathname;
    if (!path.startsWith("/v1/messages/batches")) return undefined;
    const headers = context.recorded.headers;
    // The foreign origin serves result files without a key, as a pre-signed storage URL does.
    const foreign = headers.host?.startsWith("localhost:") && path.endsWith("/results");
    if (!foreign && !headers["x-api-key"] && !headers["authorization"]) {
      return error(401, "authentication_error", "x-api-key header is required");
    }
    if (request.method === "POST" && path === "/v1/messages/batches") {
      // The size limit counts the body as it came over the wire.
      if (new TextEncoder().encode(context.text).length > knobs.maxBytes) {
        return error(
          413,
          "request_too_large",
          "Request exceeds the maximum allowed number of bytes.",
        );
      }
      const requests: BatchRequest[] | undefined = (context.recorded.body as Json)?.requests;
      if (!Array.isArray(requests) || requests.length === 0) {
        return error(400, "invalid_request_error", "requests: List should have at least 1 item");
      }
      if (requests.length > knobs.maxRequests) {
        return error(
          400,
          "invalid_request_error",
          `requests: List should have at most ${knobs.maxRequests} items after validation, not ${requests.length}`,
        );
      }
      const ids = new Set<string>();
      for (const item of requests) {
        if (!/^[a-zA-Z0-9_-]{1,64}$/.test(String(item.custom_id))) {
          return error(
            400,
            "invalid_request_error",
            `requests.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`,
          );
        }
        if (ids.has(item.custom_id)) {
          return error(400, "invalid_request_error", `Duplicate custom_id: ${item.custom_id}`);
        }
        ids.add(item.custom_id);
      }
      const job = store.add(`msgbatch_${randomId()}`, requests, headers);
      return await createAnswer(front, context.signal, {
        ok: async () => json(await batchObject(job, front.url)),
        error: () => error(500, "api_error", "Internal server error"),
        unreadable: async () => json({ ...await batchObject(job, front.url), created_at: 1733 }),
      });
    }
    if (request.method === "GET" && path === "/v1/messages/batches") {
      // Newest first, paged by `limit` (default 20, at most 1000) and `after_id`, as documented
      // (https://docs.anthropic.com/en/api/listing-message-batches).
      const params = new URL(request.url).searchParams;
      const limit = Math.min(1000, Number(params.get("limit") ?? 20));
      const all = [...store.jobs.values()].reverse();
      const after = params.get("after_id");
      const start = after ? all.findIndex((job) => job.id === after) + 1 : 0;
      const page = all.slice(start, start + limit);
      const data = await Promise.all(page.map((job) => batchObject(job, front.url)));
      return json({
        data,
        has_more: start + limit < all.length,
        first_id: data[0]?.id ?? null,
        last_id: data.at(-1)?.id ?? null,
      });
    }
    const route = path.match(/^\/v1\/messages\/batches\/([^/]+)(\/cancel|\/results)?$/);
    const job = route ? store.jobs.get(route[1]) : undefined;
    if (!route || !job) {
      return error(404, "not_found_error", `Not found: ${request.method} ${path}`);
    }
    if (route[2] === "/cancel" && request.method === "POST") {
      if (store.phase(job) !== "ended") job.cancelAt ??= Date.now();
      return json(await batchObject(job, front.url));
    }
    if (route[2] === "/results" && request.method === "GET") {
      if (knobs.resultsOrigin === "redirect" && !foreign) {
        const elsewhere = `${front.url.replace("127.0.0.1", "localhost")}${path}`;
        return new Response(null, { status: 302, headers: { location: elsewhere } });
      }
      if (store.phase(job) !== "ended" || !job.outcomes) {
        return error(400, "invalid_request_error", `Batch ${job.id} is still processing.`);
      }
      return new Response(resultLines(job), {
        headers: { "content-type": "application/binary", "request-id": `req_${randomId()}` },
      });
    }
    if (!route[2] && request.method === "GET") return json(await batchObject(job, front.url));
    return error(404, "not_found_error", `Not found: ${request.method} ${path}`);
  });
}
