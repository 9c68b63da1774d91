/**
 * Emulator fidelity: each emulator answers the request a recording was made with, and its answer
 * must have the recording's STRUCTURE (keys and JSON types, recursively; SSE event names and
 * NDJSON line shapes in the same order pattern; status; the recording's headers). The
 * recordings are real responses kept in other projects' test fixtures and in the providers' API
 * references (`tests/fixtures/recorded/`, each naming its source). An emulator that only agrees
 * with our adapters proves nothing; this checks it against the platforms.
 *
 * Allowed differences are listed per recording with a reason; an entry that matches nothing
 * fails the test, so the list cannot rot.
 */
import assert from "node:assert/strict";
import { startAnthropicEmulator } from "../../emulators/anthropic.ts";
import { startAnthropicBatchEmulator } from "../../emulators/anthropic-batch.ts";
import { startCloudflareEmulator } from "../../emulators/cloudflare.ts";
import { startGeminiEmulator } from "../../emulators/gemini.ts";
import { startGeminiBatchEmulator } from "../../emulators/gemini-batch.ts";
import { startOllamaEmulator } from "../../emulators/ollama.ts";
import { EMULATOR_OPENAI_KEY, startOpenAIEmulator } from "../../emulators/openai.ts";
import { startOpenAIBatchEmulator } from "../../emulators/openai-batch.ts";
import { startReplicateEmulator } from "../../emulators/replicate.ts";
import { EMULATOR_RUNPOD_KEY, startRunPodEmulator } from "../../emulators/runpod.ts";
import { closing } from "../support/emulator-session.ts";
import { fidelityProblems, loadRecorded, readWire, type Wire } from "../support/recorded.ts";
import { type Allowed, applyAllowList, diffShapes } from "../support/shape.ts";
import { waitFor } from "../support/wait-for.ts";

const PROMPT = "Describe everything you see in this image in detail.";

async function post(url: string, headers: Record<string, string>, body: unknown): Promise<Wire> {
  return await readWire(
    await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    }),
  );
}

async function get(url: string, headers: Record<string, string>): Promise<Wire> {
  return await readWire(await fetch(url, { headers }));
}

/** A JSON-lines file (batch output or results), read line by line as a client does. */
async function readLines(response: Response): Promise<Wire> {
  const text = await response.text();
  const lines = text.split("\n").filter((entry) => entry.trim()).map((entry) => JSON.parse(entry));
  return { status: response.status, contentType: "", headers: response.headers, lines, text };
}

async function assertFaithful(
  fixture: string,
  wire: Wire,
  allowList: readonly Allowed[] = [],
): Promise<void> {
  const recorded = await loadRecorded(fixture);
  const problems = fidelityProblems(recorded, wire, allowList);
  assert.deepEqual(problems, [], `${fixture} (${recorded.source}):\n${problems.join("\n")}`);
}

Deno.test("shape diff: reports each missing, extra and retyped key with its path", () => {
  const recorded = { a: { b: 1, c: [{ d: "x" }] }, e: null, f: "s" };
  const emulated = { a: { c: [{ d: 2, g: true }] }, e: { h: 1 }, f: 3 };
  assert.deepEqual(diffShapes(recorded, emulated), [
    { path: "a.b", problem: "in the recording, not the emulator" },
    { path: "a.c[].d", problem: "type: recorded string, emulator number" },
    { path: "a.c[].g", problem: "in the emulator, not the recording" },
    { path: "f", problem: "type: recorded string, emulator number" },
  ]);
  const { unexpected, unused } = applyAllowList(diffShapes(recorded, emulated), [
    { path: "a.c", reason: "test" },
    { path: "z", reason: "matches nothing" },
  ]);
  assert.deepEqual(unexpected.map((difference) => difference.path), ["a.b", "f"]);
  assert.deepEqual(unused.map((entry) => entry.path), ["z"]);
});

Deno.test("fidelity check fails on an unfaithful stream pattern", async () => {
  const recorded = await loadRecorded("anthropic/message-stream.json");
  const withoutPing = recorded.events!.filter((event) => event.event !== "ping");
  const wire = {
    status: 200,
    contentType: "text/event-stream",
    headers: new Headers(),
    events: withoutPing,
    text: "",
  };
  const problems = fidelityProblems(recorded, wire);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /pattern: recorded .*ping/);
});

Deno.test("OpenAI emulator matches recorded chat completions, stream and 400", async () => {
  await closing(startOpenAIEmulator(), async (emulator) => {
    const url = `${emulator.url}/v1/chat/completions`;
    const auth = { authorization: `Bearer ${EMULATOR_OPENAI_KEY}` };
    const messages = [{ role: "user", content: PROMPT }];
    await assertFaithful(
      "openai/chat-completion.json",
      await post(url, auth, { model: "gpt-4o-mini", messages }),
    );
    const streamed = await post(url, auth, {
      model: "gpt-4o-mini",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    await assertFaithful("openai/chat-completion-stream.json", streamed);
    assert.match(streamed.text, /data: \[DONE\]\n\n$/);
    await assertFaithful(
      "openai/error-400.json",
      await post(url, auth, {
        model: "gpt-4o-mini",
        messages,
        response_format: { type: "json_schema", json_schema: { schema: {} } },
      }),
    );
  });
});

Deno.test("Anthropic emulator matches recorded message, stream and 400", async () => {
  await closing(startAnthropicEmulator(), async (emulator) => {
    const url = `${emulator.url}/v1/messages`;
    const headers = { "x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01" };
    const request = {
      model: "claude-haiku-4-5",
      max_tokens: 300,
      messages: [{ role: "user", content: PROMPT }],
    };
    await assertFaithful("anthropic/message.json", await post(url, headers, request));
    await assertFaithful(
      "anthropic/message-stream.json",
      await post(url, headers, { ...request, stream: true }),
    );
    await assertFaithful(
      "anthropic/error-400.json",
      await post(url, headers, { model: "claude-haiku-4-5", messages: request.messages }),
    );
  });
});

Deno.test("Gemini emulator matches recorded generateContent, stream, 400 and 429", async () => {
  // A thinking model, as recorded (gemini-3-pro-preview reports thoughtsTokenCount).
  await closing(startGeminiEmulator({ thoughtsTokens: 185 }), async (emulator) => {
    const base = `${emulator.url}/v1beta/models/gemini-2.5-flash`;
    const headers = { "x-goog-api-key": "AIza-test" };
    const request = { contents: [{ role: "user", parts: [{ text: PROMPT }] }] };
    const signature: Allowed = {
      path: "candidates[].content.parts[].thoughtSignature",
      reason: "Gemini 3's opaque reasoning signature, only needed to replay a turn; " +
        "one-shot describe never replays, and no adapter reads it",
    };
    await assertFaithful(
      "gemini/generate-content.json",
      await post(`${base}:generateContent`, headers, request),
      [signature],
    );
    await assertFaithful(
      "gemini/stream-generate-content.json",
      await post(`${base}:streamGenerateContent?alt=sse`, headers, request),
      [signature],
    );
    emulator.failWith("bad_request");
    await assertFaithful(
      "gemini/error-400.json",
      await post(`${base}:generateContent`, headers, request),
    );
    emulator.fail("rate_limit");
    await assertFaithful(
      "gemini/error-429.json",
      await post(`${base}:generateContent`, headers, request),
    );
  });
});

Deno.test("Ollama emulator matches the API reference's chat answers", async () => {
  await closing(startOllamaEmulator(), async (emulator) => {
    const url = `${emulator.url}/api/chat`;
    const messages = [{ role: "user", content: PROMPT }];
    await assertFaithful(
      "ollama/chat.json",
      await post(url, {}, { model: "moondream", messages, stream: false }),
    );
    await assertFaithful(
      "ollama/chat-stream.json",
      await post(url, {}, { model: "moondream", messages }),
      [
        {
          path: "message",
          reason: "the reference's streamed final line leaves `message` out, but its own " +
            "non-streamed answers (same document) carry it on the done line",
        },
        {
          path: "done_reason",
          reason:
            "the reference's streamed final line predates done_reason; its structured-output " +
            "and tools answers (same document) carry it on the done line",
        },
      ],
    );
  });
});

Deno.test("Replicate emulator matches the SDK's prediction and 429 answers", async () => {
  const token = "r8_fidelity";
  await closing(startReplicateEmulator({ token, queueMs: 5, predictMs: 5 }), async (emulator) => {
    const auth = { authorization: `Bearer ${token}` };
    const input: Allowed = {
      path: "input",
      reason: "a prediction echoes its model's own input (moondream2: image + prompt)",
    };
    const model: Allowed = {
      path: "model",
      reason: "the model's name, which Replicate's HTTP reference shows on predictions; " +
        "the SDK's 2022 test bodies predate it",
    };
    const created = await post(
      `${emulator.url}/v1/models/lucataco/moondream2/predictions`,
      auth,
      { input: { image: "data:image/png;base64,AAAA", prompt: PROMPT } },
    );
    await assertFaithful("replicate/prediction-created.json", created, [input, model, {
      path: "source",
      reason: "the SDK's succeeded prediction (same test file) has `source`; its create " +
        "reply leaves it out",
    }]);
    const id = (created.body as { id: string }).id;
    const succeeded = await waitFor(async () => {
      const polled = await get(`${emulator.url}/v1/predictions/${id}`, auth);
      return (polled.body as { status: string }).status === "succeeded" && polled;
    }, { what: "the prediction to succeed" });
    await assertFaithful(
      "replicate/prediction-succeeded.json",
      succeeded,
      [model, {
        path: "metrics.total_time",
        reason: "Replicate's HTTP reference shows metrics.total_time next to predict_time; the " +
          "adapter reads it for queue time",
      }],
    );
    emulator.fail("rate_limit");
    await assertFaithful(
      "replicate/error-429.json",
      await post(`${emulator.url}/v1/predictions`, auth, { version: "v", input: {} }),
      [{
        path: "status",
        reason: "Replicate's errors are problem details (detail + status); the SDK's mock " +
          "writes only `detail`",
      }, {
        path: "retry_after",
        reason: "the seconds to wait in the body, next to Retry-After (other projects' " +
          "Replicate 429 mocks carry it); the adapter prefers it, then the header",
      }],
    );
  });
});

Deno.test("RunPod emulator matches the operation reference's job answers", async () => {
  await closing(startRunPodEmulator({ pollsToComplete: 1 }), async (emulator) => {
    const base = `${emulator.url}/v2/vbench-moondream`;
    const auth = { authorization: `Bearer ${EMULATOR_RUNPOD_KEY}` };
    const body = { input: { prompt: PROMPT, image: "AAAA" } };
    const handlerOutput: Allowed = {
      path: "output",
      reason: "a job's output is whatever the worker's handler returns (the reference's two " +
        "examples differ: an array of images, then a text object)",
    };
    const worker: Allowed = {
      path: "workerId",
      reason: "the worker that ran the job; not in these examples, read (optionally) by the " +
        "adapter for its log only",
    };
    await assertFaithful(
      "runpod/runsync.json",
      await post(`${base}/runsync`, auth, body),
      [handlerOutput, worker],
    );
    const queued = await post(`${base}/run`, auth, body);
    await assertFaithful("runpod/run.json", queued);
    const id = (queued.body as { id: string }).id;
    await assertFaithful(
      "runpod/status-completed.json",
      await get(`${base}/status/${id}`, auth),
      [handlerOutput, worker],
    );
    const another = (await post(`${base}/run`, auth, body)).body as { id: string };
    await assertFaithful(
      "runpod/cancel.json",
      await post(`${base}/cancel/${another.id}`, auth, {}),
    );
  });
});

Deno.test("Cloudflare emulator matches the REST answer and the documented error codes", async () => {
  const token = "cf_fidelity";
  const accountId = "acc123";
  await closing(startCloudflareEmulator({ token, accountId }), async (emulator) => {
    const auth = { authorization: `Bearer ${token}` };
    const run = (model: string) =>
      `${emulator.url}/client/v4/accounts/${accountId}/ai/run/${model}`;
    const request = { messages: [{ role: "user", content: PROMPT }] };
    await assertFaithful(
      "cloudflare/run.json",
      await post(run("@cf/google/gemma-3-12b-it"), auth, request),
      [{
        path: "result.usage",
        reason: "Workers AI now reports token usage for text generation (the streamed answer's " +
          "last event carries the same object); the get-started example predates it",
      }],
    );
    const { codes, source } = JSON.parse(
      await Deno.readTextFile(
        new URL("../fixtures/recorded/cloudflare/error-codes.json", import.meta.url),
      ),
    ) as { codes: Record<string, number>; source: string };
    for (const [code, status] of Object.entries(codes)) {
      let wire: Wire;
      if (code === "5016") {
        wire = await post(run("@cf/meta/llama-3.2-11b-vision-instruct"), auth, request);
      } else {
        emulator.options.nextErrorCode = Number(code) as 3006;
        wire = await post(run("@cf/google/gemma-3-12b-it"), auth, request);
      }
      const body = wire.body as { success: boolean; errors: { code: number }[] };
      assert.equal(
        wire.status,
        status,
        `code ${code}: HTTP ${wire.status}, ${source} says ${status}`,
      );
      assert.equal(body.success, false);
      assert.equal(body.errors[0].code, Number(code));
      // The failure envelope has the success envelope's keys (result null, errors filled).
      await assertFaithful("cloudflare/run.json", { ...wire, status: 200 });
    }
  });
});

Deno.test("OpenAI batch emulator matches the reference's batch object and a recorded output line", async () => {
  await closing(startOpenAIBatchEmulator(), async (emulator) => {
    const auth = { authorization: `Bearer ${EMULATOR_OPENAI_KEY}` };
    const line = {
      custom_id: "request-1",
      method: "POST",
      url: "/v1/chat/completions",
      body: { model: "gpt-4o-mini", messages: [{ role: "user", content: PROMPT }] },
    };
    const form = new FormData();
    form.append("purpose", "batch");
    form.append("file", new File([JSON.stringify(line) + "\n"], "input.jsonl"));
    const file = await (await fetch(`${emulator.url}/v1/files`, {
      method: "POST",
      headers: auth,
      body: form,
    })).json() as { id: string };
    const created = await post(`${emulator.url}/v1/batches`, auth, {
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      // The recording's own metadata keys (metadata is the caller's, echoed back).
      metadata: { customer_id: "user_1", batch_description: "fidelity" },
    });
    const model: Allowed = {
      path: "model",
      reason: "the batch's model, in the SDK's Batch type (openai 7.x) but not in this older " +
        "reference example",
    };
    await assertFaithful("openai-batch/batch.json", created, [model]);
    await assertFaithful(
      "openai-batch/list.json",
      await get(`${emulator.url}/v1/batches`, auth),
      [{ ...model, path: "data[].model" }],
    );
    const id = (created.body as { id: string }).id;
    type Batch = { status: string; output_file_id: string | null };
    const batch = await waitFor(async () => {
      const polled = (await get(`${emulator.url}/v1/batches/${id}`, auth)).body as Batch;
      return polled.status === "completed" && polled;
    }, { what: "the batch to complete" });
    const output = await fetch(`${emulator.url}/v1/files/${batch.output_file_id}/content`, {
      headers: auth,
    });
    const text = await output.text();
    const lines = text.split("\n").filter((entry) => entry.trim()).map((entry) =>
      JSON.parse(entry)
    );
    await assertFaithful(
      "openai-batch/output-line.json",
      { status: 200, contentType: "", headers: output.headers, lines, text },
      [{
        path: "response.body.usage.prompt_tokens_details",
        reason: "usage details OpenAI added after this August 2024 recording (the live " +
          "recording of 2026 in openai/chat-completion.json has them)",
      }, {
        path: "response.body.usage.completion_tokens_details",
        reason: "as prompt_tokens_details",
      }, {
        path: "response.body.service_tier",
        reason: "added after this recording; the live 2026 recording has it",
      }, {
        path: "response.body.choices[].message.annotations",
        reason: "added after this recording; the live 2026 recording has it",
      }],
    );
  });
});

Deno.test("Anthropic batch emulator matches the reference's message batch", async () => {
  await closing(startAnthropicBatchEmulator(), async (emulator) => {
    const headers = { "x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01" };
    const created = await post(`${emulator.url}/v1/messages/batches`, headers, {
      requests: [{
        custom_id: "request-1",
        params: {
          model: "claude-haiku-4-5",
          max_tokens: 300,
          messages: [{ role: "user", content: PROMPT }],
        },
      }],
    });
    await assertFaithful("anthropic-batch/message-batch.json", created);
    const id = (created.body as { id: string }).id;
    // The ended batch (results_url and ended_at set) has the recorded shape too.
    const ended = await waitFor(async () => {
      const polled = await get(`${emulator.url}/v1/messages/batches/${id}`, headers);
      return (polled.body as { processing_status: string }).processing_status === "ended" &&
        polled;
    }, { what: "the message batch to end" });
    await assertFaithful("anthropic-batch/message-batch.json", ended);
    await assertFaithful(
      "anthropic-batch/list.json",
      await get(`${emulator.url}/v1/messages/batches`, headers),
    );
    const results = await fetch((ended.body as { results_url: string }).results_url, { headers });
    await assertFaithful("anthropic-batch/results-lines.json", await readLines(results), [{
      path: "result.message.usage",
      reason: "usage fields added since this example (cache and service tier counts); the " +
        "live recording anthropic/message.json has them",
    }]);
  });
});

Deno.test("Gemini batch emulator matches a recorded pending and succeeded inline batch", async () => {
  await closing(startGeminiBatchEmulator(), async (emulator) => {
    const headers = { "x-goog-api-key": "AIza-test" };
    const request = { contents: [{ role: "user", parts: [{ text: PROMPT }] }] };
    // As recorded: three inlined requests without per-request metadata.
    const created = await post(
      `${emulator.url}/v1beta/models/gemini-2.5-flash-lite:batchGenerateContent`,
      headers,
      {
        batch: {
          displayName: "capitals-batch",
          inputConfig: { requests: { requests: [1, 2, 3].map(() => ({ request })) } },
        },
      },
    );
    await assertFaithful("gemini-batch/batch-pending.json", created);
    const name = (created.body as { name: string }).name;
    const succeeded = await waitFor(async () => {
      const polled = await get(`${emulator.url}/v1beta/${name}`, headers);
      return (polled.body as { done?: boolean }).done === true && polled;
    }, { what: "the batch to succeed" });
    await assertFaithful("gemini-batch/batch-succeeded-inlined.json", succeeded, [{
      path: "metadata.output",
      reason: "the output mirrored into the batch metadata: a recorded GET of a file batch " +
        "shows it (MaxiDonkey/DelphiGemini guides/further-batch.md), and @google/genai reads " +
        "the results only from there (batchJobFromMldev: metadata.output → dest)",
    }, {
      path:
        "response.inlinedResponses.inlinedResponses[].response.usageMetadata.promptTokensDetails",
      reason: "per-modality prompt counts, in the live recording (gemini/generate-content.json); " +
        "the adapter reads image tokens from them, and this text-only recording cannot show " +
        "that batch answers to image prompts lack them",
    }]);
  });
});

Deno.test("every emulated error of OpenAI, Anthropic and Gemini has the recorded error body's shape", async () => {
  // One error shape per platform, whatever the status (each API documents a single error
  // object); the recorded 400 (Gemini: the 429, which adds `details`) is the reference.
  const faults = ["auth", "rate_limit", "server_error", "overloaded"] as const;
  const sameShape = async (fixture: string, wire: Wire, fault: string) => {
    const recorded = { ...await loadRecorded(fixture), status: undefined };
    const problems = fidelityProblems(recorded, wire);
    assert.deepEqual(problems, [], `${fault} vs ${fixture}:\n${problems.join("\n")}`);
    assert.ok(wire.status >= 400, `${fault}: HTTP ${wire.status}`);
  };
  await closing(startOpenAIEmulator(), async (emulator) => {
    for (const fault of faults) {
      emulator.fail(fault);
      const wire = await post(`${emulator.url}/v1/chat/completions`, {
        authorization: `Bearer ${EMULATOR_OPENAI_KEY}`,
      }, { model: "gpt-4o-mini", messages: [{ role: "user", content: PROMPT }] });
      await sameShape("openai/error-400.json", wire, fault);
    }
  });
  await closing(startAnthropicEmulator(), async (emulator) => {
    for (const fault of faults) {
      emulator.fail(fault);
      const wire = await post(`${emulator.url}/v1/messages`, {
        "x-api-key": "sk-ant-test",
        "anthropic-version": "2023-06-01",
      }, {
        model: "claude-haiku-4-5",
        max_tokens: 300,
        messages: [{ role: "user", content: PROMPT }],
      });
      await sameShape("anthropic/error-400.json", wire, fault);
    }
  });
  await closing(startGeminiEmulator(), async (emulator) => {
    for (const fault of faults) {
      emulator.fail(fault);
      const wire = await post(
        `${emulator.url}/v1beta/models/gemini-2.5-flash:generateContent`,
        { "x-goog-api-key": "AIza-test" },
        { contents: [{ role: "user", parts: [{ text: PROMPT }] }] },
      );
      await sameShape(
        fault === "rate_limit" ? "gemini/error-429.json" : "gemini/error-400.json",
        wire,
        fault,
      );
    }
  });
});
