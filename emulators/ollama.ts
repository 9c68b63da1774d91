/**
 * Ollama emulator: `POST /api/chat` (NDJSON stream or one JSON object), `GET /api/tags`,
 * `POST /api/show` (capabilities incl. "vision" for vision models), `{"error"}` bodies, a cold
 * start on the first chat per model (large `load_duration`), durations in nanoseconds, and a
 * Bearer check when `requireKey` is set (Ollama Cloud).
 *
 * @module
 */
import {
  countWords,
  deltas,
  type Emulator,
  type EmulatorBehaviour,
  json,
  malformed,
  reported,
  sleep,
  startEmulator,
  stream,
} from "./harness.ts";
import { sampleFromSchema } from "./json-schema-sample.ts";
import { imageSizeOfBase64 } from "./image-size.ts";
import { MOONDREAM_IMAGE_TOKENS, qwenVlImageTokens } from "../lib/price/image-tokens.ts";

/** A model the emulator knows. */
export interface EmulatedOllamaModel {
  name: string;
  /** @default ["completion"] plus "vision" when `vision` */
  vision: boolean;
}

/** Ollama-specific knobs. */
export interface OllamaEmulatorOptions extends Partial<EmulatorBehaviour> {
  /** When set, every request must carry `Authorization: Bearer <requireKey>`. */
  requireKey?: string;
  /** @default [{name:"moondream:latest", vision:true}, {name:"llama3.2:1b", vision:false}] */
  models?: EmulatedOllamaModel[];
  /** Nanoseconds of `load_duration` on a model's first chat. @default 2_500_000_000 */
  coldLoadNs?: number;
  /** Leave `prompt_eval_count` out (what Ollama does when the prompt was cached). @default false */
  omitPromptEvalCount?: boolean;
}

/** A running Ollama emulator. */
export interface OllamaEmulator extends Emulator {
  options: OllamaEmulatorOptions;
}

const WARM_LOAD_NS = 12_000_000; // 12 ms
const MS = 1_000_000;

/** Starts the emulator on a free port. */
export function startOllamaEmulator(options: OllamaEmulatorOptions = {}): OllamaEmulator {
  const { requireKey: _k, models: _m, coldLoadNs: _c, omitPromptEvalCount: _o, ...behaviour } =
    options;
  const models = options.models ??
    [{ name: "moondream:latest", vision: true }, { name: "llama3.2:1b", vision: false }];
  const loaded = new Set<string>();
  const find = (name: string) =>
    models.find((model) => model.name === name || model.name === `${name}:latest`);

  const emulator = startEmulator(async (request, { behaviour: state, fault, recorded, signal }) => {
    if (options.requireKey && recorded.headers.authorization !== `Bearer ${options.requireKey}`) {
      return json({ error: "unauthorized" }, 401);
    }
    if (fault === "auth") return json({ error: "unauthorized" }, 401);
    // A proxy in front of Ollama answering with an object where Ollama puts a string.
    if (fault === "object_error") {
      return json({ error: { message: "unauthorized", code: 401 } }, 401);
    }
    if (fault === "error_in_200") {
      const error = JSON.stringify({
        error: "model requires more system memory than is available",
      });
      return streams(recorded.body)
        ? new Response(`${error}\n`, { headers: { "content-type": "application/x-ndjson" } })
        : json(JSON.parse(error), 200);
    }
    if (fault === "rate_limit") {
      return json({ error: "too many requests" }, 429, {
        "retry-after": String(state.retryAfterSeconds),
      });
    }
    if (fault === "server_error") {
      return json({ error: "llama runner process has terminated" }, 500);
    }
    if (fault === "overloaded") return json({ error: "server busy, please try again" }, 503);
    if (fault === "malformed") return malformed();

    if (recorded.path === "/api/tags" && request.method === "GET") {
      return json({
        models: models.map((model) => ({
          name: model.name,
          model: model.name,
          size: 1,
          digest: "x",
        })),
      });
    }
    const body = (recorded.body ?? {}) as Record<string, unknown>;
    if (recorded.path === "/api/show") {
      const model = find(String(body.model));
      if (!model) return json({ error: `model '${body.model}' not found` }, 404);
      return json({
        capabilities: model.vision ? ["completion", "vision"] : ["completion"],
        details: { family: "x" },
      });
    }
    if (recorded.path !== "/api/chat") return json({ error: "404 page not found" }, 404);

    const name = String(body.model);
    const model = find(name);
    if (!model) return json({ error: `model '${name}' not found, try pulling it first` }, 404);
    const cold = !loaded.has(model.name);
    loaded.add(model.name);

    // `format` (a JSON schema, or "json") asks for JSON: answer with a value that conforms,
    // unless the configured answer is JSON already (a test scripting the model's exact reply).
    const format = body.format;
    const answer = format === undefined || isJson(state.text) ? state.text : JSON.stringify(
      format === "json" ? { description: state.text } : sampleFromSchema(format, state.text),
    );
    const text = fault === "empty" ? "" : answer;
    const maxTokens = Number(
      (body.options as Record<string, unknown> | undefined)?.num_predict ?? Infinity,
    );
    const words = deltas(text);
    const kept = words.slice(0, Math.max(0, maxTokens));
    const truncated = kept.length < words.length;
    const prompt = (body.messages as { content?: string }[] | undefined)?.[0]?.content ?? "";
    const image = (body.messages as { images?: string[] }[] | undefined)?.[0]?.images?.[0];
    const imageTokens = await imageTokensOf(model.name, image);
    // The modelled service time, when there is one, is what the durations add up to.
    const totalNs = state.modelledMs === undefined ? undefined : Math.max(3, state.modelledMs) * MS;
    const loadNs = cold
      ? Math.min(
        options.coldLoadNs ?? 2_500_000_000,
        totalNs === undefined ? Infinity : totalNs / 2,
      )
      : WARM_LOAD_NS;
    const promptEvalNs = totalNs === undefined ? 150 * MS : Math.round((totalNs - loadNs) * 0.3);
    const evalNs = totalNs === undefined
      ? (kept.length * 20 + 1) * MS
      : Math.max(0, totalNs - loadNs - promptEvalNs - 3 * MS);
    const final = {
      model: name,
      created_at: new Date().toISOString(),
      message: { role: "assistant", content: "" },
      done: true,
      done_reason: truncated ? "length" : "stop",
      total_duration: loadNs + promptEvalNs + evalNs + 3 * MS,
      load_duration: loadNs,
      ...(options.omitPromptEvalCount
        ? {}
        : { prompt_eval_count: reported(state, countWords(prompt) + imageTokens) }),
      prompt_eval_duration: promptEvalNs,
      eval_count: reported(state, state.outputTokens ?? kept.length),
      eval_duration: evalNs,
    };

    if (body.stream === false) {
      await sleep(state.latencyMs, signal);
      return json({ ...final, message: { role: "assistant", content: kept.join("") } });
    }
    const lines = kept.map((delta) =>
      JSON.stringify({
        model: name,
        created_at: new Date().toISOString(),
        message: { role: "assistant", content: delta },
        done: false,
      }) + "\n"
    );
    if (fault === "refusal") {
      lines.push(
        JSON.stringify({ error: "an error was encountered while running the model" }) + "\n",
      );
    } else lines.push(JSON.stringify(final) + "\n");
    return stream(lines, {
      contentType: "application/x-ndjson",
      ttftMs: state.ttftMs ?? state.latencyMs,
      chunkDelayMs: state.chunkDelayMs,
      cutAfter: fault === "stream_cut" ? Math.max(1, Math.floor(lines.length / 2)) : undefined,
      signal,
    });
  }, behaviour);
  return Object.assign(emulator, { options });
}

/**
 * Image tokens in `prompt_eval_count`, by the model's own rule: Qwen-VL models count 32-px
 * squares of the image; Moondream (and any other model) one fixed 729-token crop.
 */
async function imageTokensOf(model: string, image: string | undefined): Promise<number> {
  if (image === undefined) return 0;
  if (!model.includes("qwen")) return MOONDREAM_IMAGE_TOKENS;
  const size = await imageSizeOfBase64(image).catch(() => undefined);
  return size && size.width > 0 && size.height > 0
    ? qwenVlImageTokens(size)
    : MOONDREAM_IMAGE_TOKENS;
}

/** Whether a chat request streams (Ollama's default). */
function streams(body: unknown): boolean {
  return (body as { stream?: unknown } | undefined)?.stream !== false;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
