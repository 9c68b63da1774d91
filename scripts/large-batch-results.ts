/**
 * A results file of any size, collected through the real collect path: an OpenAI-shaped batch
 * server (`GET /v1/batches/{id}`, `GET /v1/files/{id}/content`, shapes of the recorded
 * tests/fixtures/recorded/openai-batch) that streams one output line per case, generated as it is
 * sent (the server holds no file), and a run whose manifest already holds the submitted batch —
 * so `runBatchCases` only polls and collects, with the batch adapter batch mode makes
 * (lib/app/batch-targets.ts). For tests/run/large-results_test.ts and measure-batch-collect.ts.
 *
 * @module
 */
import { join } from "node:path";
import { batchTargets, rememberingFactories } from "../lib/app/batch-targets.ts";
import { adapterFactoriesFor } from "../lib/app/targets.ts";
import { loadImageSet } from "../lib/images/image-set.ts";
import { loadConfig } from "../lib/platforms/config.ts";
import { loadPresets } from "../lib/platforms/presets.ts";
import { resolvePlatform } from "../lib/platforms/resolve.ts";
import { loadPriceCards } from "../lib/price/cost.ts";
import { generateCases } from "../lib/run/cases.ts";
import { type BatchRunResult, runBatchCases } from "../lib/run/batch/batch-runner.ts";
import { writeManifest } from "../lib/run/batch/manifest.ts";
import { repoPath } from "../lib/util/paths.ts";

const KEY = "sk-large-results-0123456789";
const encoder = new TextEncoder();

/** One output line, as OpenAI's batch output file has it. */
function outputLine(customId: string, text: string): string {
  return JSON.stringify({
    id: `batch_req_${customId.slice(0, 24)}`,
    custom_id: customId,
    response: {
      status_code: 200,
      request_id: customId.slice(0, 32),
      body: {
        id: `chatcmpl-${customId.slice(0, 20)}`,
        object: "chat.completion",
        created: 1733500000,
        model: "gpt-4o-mini-2024-07-18",
        choices: [{
          index: 0,
          message: { role: "assistant", content: text, refusal: null },
          logprobs: null,
          finish_reason: "stop",
        }],
        usage: { prompt_tokens: 120, completion_tokens: 260, total_tokens: 380 },
      },
    },
    error: null,
  }) + "\n";
}

/** Starts the server for the `customIds` (made again as they are sent), each answered with `text`. */
function serve(customIds: () => Iterable<string>, count: number, text: string) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    if (request.headers.get("authorization") !== `Bearer ${KEY}`) {
      return Response.json({ error: { message: "Incorrect API key provided." } }, { status: 401 });
    }
    const path = new URL(request.url).pathname;
    if (path === "/v1/batches/batch_large") {
      return Response.json({
        id: "batch_large",
        object: "batch",
        endpoint: "/v1/chat/completions",
        status: "completed",
        created_at: 1733500000,
        completed_at: 1733500600,
        output_file_id: "file-large",
        error_file_id: null,
        request_counts: { total: count, completed: count, failed: 0 },
        metadata: null,
      });
    }
    if (path === "/v1/files/file-large/content") {
      const ids = customIds()[Symbol.iterator]();
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          // About 64 KiB per chunk, generated when asked for.
          let chunk = "";
          for (let id = ids.next(); !id.done; id = ids.next()) {
            chunk += outputLine(id.value, text);
            if (chunk.length >= 65_536) break;
          }
          if (chunk) controller.enqueue(encoder.encode(chunk));
          else controller.close();
        },
      }, { highWaterMark: 0 });
      return new Response(body, { headers: { "content-type": "application/octet-stream" } });
    }
    return Response.json({ error: { message: "not found" } }, { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`,
    close: () => server.shutdown(),
  };
}

/** Bytes of the results file for `cases` answers of `text`. */
export function resultsFileBytes(cases: number, text: string): number {
  return encoder.encode(outputLine("x".repeat(64), text)).length * cases;
}

/**
 * Collects a batch of `cases` answers of `text` into a new run in `outDir`, through
 * `runBatchCases` and the OpenAI batch adapter; the run file then holds one row per case.
 */
export async function collectLargeBatch(
  options: { cases: number; text: string; outDir: string },
): Promise<BatchRunResult> {
  const images = await loadImageSet(repoPath("images"), { limit: 1 });
  const shared = { images, variants: ["64"], prompts: [{ id: "default", text: "Describe." }] };
  const server = serve(() => keys(), options.cases, options.text);
  const env = { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${server.url}/v1` };
  const priceCards = await loadPriceCards();
  const presets = await loadPresets();
  const remembering = rememberingFactories(
    await adapterFactoriesFor([{ preset: "openai" }], presets),
  );
  const resolved = resolvePlatform({ preset: "openai" }, presets, {
    config: loadConfig({ env, envFile: null }),
    factories: remembering.factories,
    priceCards,
  });
  const [target] = await batchTargets([resolved], {
    settingsOf: remembering.settingsOf,
    priceCards,
  });
  const params = { maxOutputTokens: 300, stream: false };
  function* keys() {
    const cases = generateCases({ ...shared, targets: [target], repeat: options.cases, params });
    for (const item of cases) yield item.key;
  }
  try {
    const runId = "large";
    await writeManifest(options.outDir, {
      version: 1,
      runId,
      shards: [{
        shardId: "openai-1",
        preset: "openai",
        platform: "openai",
        model: target.batch.model,
        items: Array.from(keys(), (customId) => ({
          customId,
          width: 64,
          height: 48,
          bytes: 1000,
          mimeType: "image/png",
        })),
        state: "submitted",
        batchId: "batch_large",
        submittedAt: "2024-12-06T15:46:40.000Z",
      }],
      unknownResults: [],
      problems: [],
      conflicts: [],
    });
    return await runBatchCases({
      ...shared,
      runId,
      outDir: options.outDir,
      repeat: options.cases,
      targets: [target],
      keepRecords: false,
    });
  } finally {
    await server.close();
  }
}

/** The run file of {@link collectLargeBatch}. */
export function largeRunPath(outDir: string): string {
  return join(outDir, "large.jsonl");
}
