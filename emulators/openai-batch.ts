/**
 * OpenAI Batch API emulator in front of the OpenAI emulator: `POST /v1/files` (multipart,
 * purpose `batch`, `.jsonl` only, "File is too large." past the limit), `POST /v1/batches`,
 * `GET /v1/batches/{id}`, `POST /v1/batches/{id}/cancel`, `GET /v1/files/{id}/content`.
 * A batch goes validating → in_progress → finalizing → completed (or failed, expired,
 * cancelling → cancelled) on the job clock; each input line runs on the live emulator, so the
 * output line's `response.body` is exactly a live chat completion. Expired and cancelled
 * requests go to the error file with `batch_expired` / `batch_cancelled`, failed ones get a
 * 500 body, as OpenAI's batch guide describes the output and error files.
 *
 * Output lines (`{"id": "batch_req_…", "custom_id", "response": {"status_code", "request_id",
 * "body"}, "error": null}`) follow the example of OpenAI's batch guide, in an order that does not
 * match the input's (the guide warns it may not). Shapes also checked against the SDK's types
 * (`Batch`, `FileObject`) and recorded answers in public
 * issue threads (file object, "File is too large.", "Invalid file format for Batch API. Must be
 * .jsonl"); the code of a batch that fails validation for too many requests is not recorded
 * there and is this emulator's guess.
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
import { json } from "./harness.ts";
import {
  EMULATOR_OPENAI_KEY,
  type OpenAIEmulator,
  type OpenAIEmulatorOptions,
  startOpenAIEmulator,
} from "./openai.ts";

type Json = Record<string, unknown>;

interface InputLine {
  custom_id: string;
  method: string;
  url: string;
  body: Json;
}

interface StoredFile {
  id: string;
  filename: string;
  purpose: string;
  text: string;
  bytes: number;
  createdAt: number;
}

function errorBody(
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
) {
  return { error: { message, type, param, code } };
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * Starts the OpenAI emulator with the Batch API in front of it. Point the SDK at `${url}/v1`.
 *
 * @example
 * ```ts
 * const emulator = startOpenAIBatchEmulator({}, { runningMs: 10, maxRequests: 20 });
 * const batch = createOpenAIBatch({ apiKey: EMULATOR_OPENAI_KEY, baseUrl: `${emulator.url}/v1` });
 * ```
 */
export function startOpenAIBatchEmulator(
  options: OpenAIEmulatorOptions = {},
  batch: Partial<BatchEmulatorOptions> = {},
): BatchEmulator<OpenAIEmulator> {
  const live = startOpenAIEmulator(options);
  // OpenAI's documented limits per input file: 50,000 requests, 200 MB.
  const knobs = batchOptions({ maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 }, batch);
  const files = new Map<string, StoredFile>();
  const store = createJobStore<InputLine, Json>(knobs);
  const key = options.apiKey ?? EMULATOR_OPENAI_KEY;

  const addFile = (filename: string, purpose: string, text: string): StoredFile => {
    const file = {
      id: `file-${randomId()}`,
      filename,
      purpose,
      text,
      bytes: new TextEncoder().encode(text).length,
      createdAt: Date.now(),
    };
    files.set(file.id, file);
    return file;
  };
  const fileObject = (file: StoredFile) => ({
    id: file.id,
    object: "file",
    bytes: file.bytes,
    created_at: seconds(file.createdAt),
    filename: file.filename,
    purpose: file.purpose,
    status: "processed",
    expires_at: seconds(file.createdAt) + 30 * 24 * 3600,
    status_details: null,
  });

  const batchObject = async (job: EmulatedJob<InputLine, Json>): Promise<Json> => {
    const phase = store.phase(job);
    const failed = job.extra.failure as Json | undefined;
    const base: Json = {
      id: job.id,
      object: "batch",
      endpoint: job.extra.endpoint,
      model: job.extra.model ?? null,
      errors: failed ? { object: "list", data: [failed] } : null,
      input_file_id: job.extra.inputFileId,
      completion_window: "24h",
      created_at: seconds(job.createdAt),
      in_progress_at: null,
      expires_at: seconds(job.createdAt) + 24 * 3600,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: job.cancelAt ? seconds(job.cancelAt) : null,
      cancelled_at: null,
      output_file_id: null,
      error_file_id: null,
      request_counts: { total: job.items.length, completed: 0, failed: 0 },
      metadata: job.extra.metadata ?? null,
    };
    if (failed) {
      return phase === "queued"
        ? { ...base, status: "validating", errors: null }
        : { ...base, status: "failed", failed_at: seconds(job.createdAt + knobs.queuedMs) };
    }
    if (phase === "queued") return { ...base, status: "validating" };
    if (phase === "running") {
      return {
        ...base,
        status: "in_progress",
        in_progress_at: seconds(job.createdAt + knobs.queuedMs),
      };
    }
    if (phase === "cancelling") return { ...base, status: "cancelling" };
    await store.finish(job, (line) => runOnLive<Json>(live.url, line.url, job.headers, line.body));
    if (!job.extra.outputFileId) writeResultFiles(job);
    const outcomes = job.outcomes!;
    const completed =
      outcomes.filter((outcome) => outcome.kind === "answered" && outcome.status === 200).length;
    const ended = seconds(job.endedAt!);
    const status = job.cancelAt !== undefined
      ? "cancelled"
      : store.expired(job)
      ? "expired"
      : "completed";
    return {
      ...base,
      status,
      in_progress_at: seconds(job.createdAt + knobs.queuedMs),
      finalizing_at: status === "completed" ? ended : null,
      completed_at: status === "completed" ? ended : null,
      expired_at: status === "expired" ? ended : null,
      cancelled_at: status === "cancelled" ? ended : null,
      output_file_id: job.extra.outputFileId ?? null,
      error_file_id: job.extra.errorFileId ?? null,
      request_counts: { total: outcomes.length, completed, failed: outcomes.length - completed },
    };
  };

  const writeResultFiles = (job: EmulatedJob<InputLine, Json>) => {
    const output: string[] = [];
    const errors: string[] = [];
    if (knobs.malformedLine) {
      output.push(`{"id": "batch_req_broken", "custom_id": "${echoed(knobs, job, "broken")}", `);
    }
    job.items.forEach((line, index) => {
      const outcome = job.outcomes![index];
      const id = `batch_req_${randomId()}`;
      if (outcome.kind === "answered") {
        const entry = {
          id,
          custom_id: line.custom_id,
          response: {
            status_code: outcome.status,
            request_id: `req_${randomId()}`,
            body: outcome.body,
          },
          error: null,
        };
        (outcome.status === 200 ? output : errors).push(JSON.stringify(entry));
        if (knobs.conflictingDuplicate && index === 0 && outcome.status === 200) {
          const body = structuredClone(outcome.body) as { choices: { message: Json }[] };
          body.choices[0].message.content = "A different answer for the same request.";
          output.push(
            JSON.stringify({
              ...entry,
              id: `batch_req_${randomId()}`,
              response: { ...entry.response, body },
            }),
          );
        }
      } else if (outcome.kind === "failed") {
        errors.push(JSON.stringify({
          id,
          custom_id: line.custom_id,
          response: {
            status_code: 500,
            request_id: `req_${randomId()}`,
            body: errorBody(
              "The server had an error while processing your request. Sorry about that!",
              "server_error",
              null,
            ),
          },
          error: null,
        }));
      } else {
        const expired = outcome.kind === "expired";
        errors.push(JSON.stringify({
          id,
          custom_id: line.custom_id,
          response: null,
          error: {
            code: expired ? "batch_expired" : "batch_cancelled",
            message: expired
              ? "This request could not be executed before the completion window expired."
              : "This request was not executed because the batch was cancelled.",
          },
        }));
      }
    });
    if (knobs.unknownResult) {
      output.push(JSON.stringify({
        id: `batch_req_${randomId()}`,
        custom_id: echoed(knobs, job, "not-submitted-by-anyone"),
        response: { status_code: 200, request_id: `req_${randomId()}`, body: {} },
        error: null,
      }));
    }
    // The output order need not match the input's: reverse it, so nobody relies on it.
    output.reverse();
    if (output.length > 0) {
      job.extra.outputFileId =
        addFile(`${job.id}_output.jsonl`, "batch_output", output.join("\n") + "\n").id;
    }
    if (errors.length > 0) {
      job.extra.errorFileId =
        addFile(`${job.id}_error.jsonl`, "batch_output", errors.join("\n") + "\n").id;
    }
  };

  return startFront(live, knobs, async (request, context, front) => {
    const path = new URL(request.url).pathname;
    if (!path.startsWith("/v1/files") && !path.startsWith("/v1/batches")) return undefined;
    if (context.recorded.headers.authorization !== `Bearer ${key}`) {
      return json(
        errorBody("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
        401,
      );
    }
    if (request.method === "POST" && path === "/v1/files") {
      const form = await new Request("http://front/upload", {
        method: "POST",
        headers: { "content-type": context.recorded.headers["content-type"] ?? "" },
        body: String(context.recorded.body ?? ""),
      }).formData();
      const upload = form.get("file");
      const purpose = String(form.get("purpose") ?? "");
      if (!(upload instanceof File)) {
        return json(
          errorBody("'file' is a required property", "invalid_request_error", null, "file"),
          400,
        );
      }
      if (purpose === "batch" && !upload.name.endsWith(".jsonl")) {
        return json(
          errorBody(
            "Invalid file format for Batch API. Must be .jsonl",
            "invalid_request_error",
            null,
          ),
          400,
        );
      }
      if (upload.size > knobs.maxBytes) {
        return json(errorBody("File is too large.", "invalid_request_error", null), 400);
      }
      return json(fileObject(addFile(upload.name, purpose, await upload.text())));
    }
    const content = path.match(/^\/v1\/files\/([^/]+)\/content$/);
    if (request.method === "GET" && content) {
      const file = files.get(content[1]);
      if (!file) {
        return json(
          errorBody(`No such File object: ${content[1]}`, "invalid_request_error", null, "id"),
          404,
        );
      }
      return new Response(file.text, { headers: { "content-type": "application/octet-stream" } });
    }
    if (request.method === "POST" && path === "/v1/batches") {
      const body = context.recorded.body as Json;
      const file = files.get(String(body?.input_file_id));
      if (!file) {
        return json(
          errorBody(
            `Cannot find file ${body?.input_file_id}.`,
            "invalid_request_error",
            null,
            "input_file_id",
          ),
          400,
        );
      }
      if (body.completion_window !== "24h") {
        return json(
          errorBody(
            "Invalid completion_window: must be 24h",
            "invalid_request_error",
            null,
            "completion_window",
          ),
          400,
        );
      }
      const lines = file.text.split("\n").filter((line) => line.trim() !== "").map((line) =>
        JSON.parse(line) as InputLine
      );
      const job = store.add(`batch_${randomId()}`, lines, context.recorded.headers, {
        endpoint: body.endpoint,
        inputFileId: file.id,
        metadata: body.metadata,
        model: lines[0]?.body?.model,
      });
      if (lines.length > knobs.maxRequests) {
        job.extra.failure = {
          code: "too_many_requests",
          message:
            `The batch input file has ${lines.length} requests; the limit is ${knobs.maxRequests}.`,
          param: null,
          line: null,
        };
      }
      return await createAnswer(front, context.signal, {
        ok: async () => json(await batchObject(job)),
        error: () =>
          json(
            errorBody(
              "The server had an error while processing your request. Sorry about that!",
              "server_error",
              null,
            ),
            500,
          ),
        unreadable: async () => json({ ...await batchObject(job), created_at: "soon" }),
      });
    }
    if (request.method === "GET" && path === "/v1/batches") {
      // Newest first, one page (the emulator never holds more than a page's worth in tests).
      const data = await Promise.all([...store.jobs.values()].reverse().map(batchObject));
      return json({
        object: "list",
        data,
        first_id: data[0]?.id ?? null,
        last_id: data.at(-1)?.id ?? null,
        has_more: false,
      });
    }
    const batchRoute = path.match(/^\/v1\/batches\/([^/]+)(\/cancel)?$/);
    if (batchRoute) {
      const job = store.jobs.get(batchRoute[1]);
      if (!job) {
        return json(
          errorBody(`No batch found with id '${batchRoute[1]}'.`, "invalid_request_error", null),
          404,
        );
      }
      if (batchRoute[2] && request.method === "POST") {
        if (store.phase(job) === "ended") {
          return json(
            errorBody(
              "Cannot cancel a batch that has already completed.",
              "invalid_request_error",
              null,
            ),
            400,
          );
        }
        job.cancelAt ??= Date.now();
      }
      return json(await batchObject(job));
    }
    return json(
      errorBody(`Invalid URL (${request.method} ${path})`, "invalid_request_error", null),
      404,
    );
  });
}
