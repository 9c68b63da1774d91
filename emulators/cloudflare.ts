/**
 * Cloudflare Workers AI emulator: `POST /client/v4/accounts/{account}/ai/run/{model}` answering in
 * the `{result, success, errors, messages}` envelope (JSON or SSE `data: {"response"}` … `data:
 * [DONE]` with usage in the last event), error 5016 for Meta's vision model until `{"prompt":
 * "agree"}` was sent, the platform's error codes (5007, 3006, 3007, 3036/3040, 10000), and the
 * OpenAI-compatible `/client/v4/accounts/{account}/ai/v1/chat/completions`.
 *
 * Image tokens: Workers AI publishes no rule. For the llama-3.2 vision model this emulator counts
 * `prompt_tokens` = words in the prompt + the model's own processor rule for the image's size
 * ({@link mllamaImageTokens}: 1,601 per 560-px tile, up to 4); for the other models, and an image
 * it cannot read, {@link EMULATED_IMAGE_TOKENS} (one tile, a stand-in), so tests can check the
 * adapter reports what the platform says.
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
import { imageSizeOfBody } from "./image-size.ts";
import { mllamaImageTokens } from "../lib/price/image-tokens.ts";

/** Fixed image token count the emulator adds to prompt_tokens (an assumption, see module doc). */
export const EMULATED_IMAGE_TOKENS = 1601;

/** Cloudflare-specific knobs. */
export interface CloudflareEmulatorOptions extends Partial<EmulatorBehaviour> {
  /** @default "cf_emulator_token_0000" */
  token?: string;
  /** @default "acc123" */
  accountId?: string;
  /** Whether the Meta license was already agreed. @default false */
  agreed?: boolean;
  /** Models that exist. @default the four vision models of the catalog */
  models?: string[];
  /** Leave usage out of answers. @default false */
  omitUsage?: boolean;
  /** Next answer fails with this Workers AI error code (consumed once). */
  nextErrorCode?: 3006 | 3007 | 3036 | 3040 | 5007;
}

/** A running Cloudflare emulator. */
export interface CloudflareEmulator extends Emulator {
  options: CloudflareEmulatorOptions;
}

const LICENSED = "@cf/meta/llama-3.2-11b-vision-instruct";
const ERROR_STATUS: Record<number, [number, string]> = {
  3006: [413, "AiError: Request is too large"],
  3007: [408, "AiError: Request timeout"],
  3036: [429, "AiError: You have used up your daily free allocation of 10,000 neurons"],
  3040: [429, "AiError: Capacity temporarily exceeded, please try again."],
  5007: [400, "AiError: No such model"],
};

function envelope(result: unknown): unknown {
  return { result, success: true, errors: [], messages: [] };
}

function failure(code: number, message: string): unknown {
  return { result: null, success: false, errors: [{ code, message }], messages: [] };
}

/** Starts the emulator on a free port. */
export function startCloudflareEmulator(
  options: CloudflareEmulatorOptions = {},
): CloudflareEmulator {
  const {
    token: _t,
    accountId: _a,
    agreed: _g,
    models: _m,
    omitUsage: _u,
    nextErrorCode: _n,
    ...behaviour
  } = options;
  const models = options.models ?? [
    LICENSED,
    "@cf/google/gemma-3-12b-it",
    "@cf/meta/llama-4-scout-17b-16e-instruct",
    "@cf/mistralai/mistral-small-3.1-24b-instruct",
  ];

  const emulator = startEmulator(
    async (_request, { behaviour: state, fault, recorded, signal }) => {
      const token = options.token ?? "cf_emulator_token_0000";
      if (fault === "object_error") {
        return json({
          result: null,
          success: false,
          errors: [{ code: 10000, message: { detail: "Authentication error" } }],
          messages: [],
        }, 401);
      }
      if (fault === "error_in_200") {
        return json(failure(5007, "AiError: No such model or task"), 200);
      }
      if (fault === "auth" || recorded.headers.authorization !== `Bearer ${token}`) {
        return json(failure(10000, "Authentication error"), 401);
      }
      if (fault === "rate_limit") {
        return json(failure(3040, ERROR_STATUS[3040][1]), 429, {
          "retry-after": String(state.retryAfterSeconds),
        });
      }
      if (fault === "server_error") {
        return json(failure(3043, "AiError: Internal server error"), 500);
      }
      if (fault === "overloaded") return json(failure(3043, "AiError: Service unavailable"), 503);
      if (fault === "malformed") return malformed();
      if (options.nextErrorCode) {
        const code = options.nextErrorCode;
        options.nextErrorCode = undefined;
        const [status, message] = ERROR_STATUS[code];
        const headers: Record<string, string> = status === 429
          ? { "retry-after": String(state.retryAfterSeconds) }
          : {};
        return json(failure(code, message), status, headers);
      }

      const account = options.accountId ?? "acc123";
      const prefix = `/client/v4/accounts/${account}/ai/`;
      if (!recorded.path.startsWith(prefix)) {
        return json(
          failure(7003, "Could not route to /client/v4"),
          404,
        );
      }
      const route = recorded.path.slice(prefix.length);
      const body = (recorded.body ?? {}) as Record<string, unknown>;
      const openAi = route === "v1/chat/completions";
      const model = openAi ? String(body.model) : route.replace(/^run\//, "");
      if (!models.includes(model)) {
        return json(
          failure(5007, `AiError: No such model ${model} or task`),
          400,
        );
      }

      if (model === LICENSED && !options.agreed) {
        if (body.prompt === "agree") {
          options.agreed = true;
          return json(envelope({ response: "Thank you for agreeing to the license." }));
        }
        return json(
          failure(5016, "AiError: Prior to using this model, you must submit the prompt 'agree'"),
          403,
        );
      }

      const text = fault === "empty" ? "" : state.text;
      const words = deltas(text);
      const kept = words.slice(0, Number(body.max_tokens ?? 256));
      const prompt = promptOf(body);
      const size = model === LICENSED ? await imageSizeOfBody(body.image) : undefined;
      const imageTokens = size && size.width > 0 && size.height > 0
        ? mllamaImageTokens(size)
        : EMULATED_IMAGE_TOKENS;
      const usage = {
        prompt_tokens: reported(state, countWords(prompt) + imageTokens),
        completion_tokens: reported(state, state.outputTokens ?? kept.length),
        total_tokens: reported(
          state,
          countWords(prompt) + imageTokens + (state.outputTokens ?? kept.length),
        ),
      };
      const withUsage = options.omitUsage ? {} : { usage };

      if (openAi) {
        await sleep(state.latencyMs, signal);
        return json({
          id: "chatcmpl-emulated",
          object: "chat.completion",
          model,
          choices: [{
            index: 0,
            message: { role: "assistant", content: kept.join("") },
            finish_reason: kept.length < words.length ? "length" : "stop",
          }],
          ...withUsage,
        });
      }
      if (!body.stream) {
        await sleep(state.latencyMs, signal);
        const format = body.response_format as { type?: string } | undefined;
        // JSON Mode answers the object itself in `response`.
        const response = format?.type === "json_schema" ? JSON.parse(text) : kept.join("");
        return json(envelope({ response, ...withUsage }));
      }
      const events = kept.map((delta) =>
        `data: ${JSON.stringify({ response: delta, p: "abcdef" })}\n\n`
      );
      if (!options.omitUsage) events.push(`data: ${JSON.stringify({ response: "", usage })}\n\n`);
      events.push("data: [DONE]\n\n");
      return stream(events, {
        contentType: "text/event-stream",
        ttftMs: state.ttftMs ?? state.latencyMs,
        chunkDelayMs: state.chunkDelayMs,
        cutAfter: fault === "stream_cut" ? Math.max(1, Math.floor(events.length / 2)) : undefined,
        signal,
      });
    },
    behaviour,
  );
  return Object.assign(emulator, { options });
}

function promptOf(body: Record<string, unknown>): string {
  if (typeof body.prompt === "string") return body.prompt;
  const first = (body.messages as { content: unknown }[] | undefined)?.[0]?.content;
  if (typeof first === "string") return first;
  if (Array.isArray(first)) {
    return first.map((part: { text?: string }) => part.text ?? "").join(" ");
  }
  return "";
}
