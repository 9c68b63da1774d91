/**
 * Shared machinery for the platform emulators: a `Deno.serve` server on 127.0.0.1 with a
 * request log, injectable latency / time to first token, and a queue of faults consumed one per
 * request. Each platform file only knows its routes and wire format.
 *
 * @module
 */
import { wait } from "../lib/util/wait.ts";
import {
  MODELLED_MS_HEADER,
  MODELLED_TTFT_MS_HEADER,
  SIMULATED_HEADER,
} from "../lib/contract/simulation.ts";

/** Faults an emulator can be told to produce on the next request(s). */
export type Fault =
  | "rate_limit" // 429 with the platform's body and Retry-After
  | "server_error" // 500
  | "overloaded" // 503 (or 529 where the platform uses it)
  | "hang" // never answers (until the client aborts)
  | "reset" // connection dropped before any byte of the body
  | "malformed" // 200 with a body that is not valid JSON
  | "stream_cut" // streaming answer stops mid-way without its terminator
  | "refusal" // the model refuses / safety block
  | "empty" // ok answer with empty text
  | "auth" // 401 with the platform's body
  // Hostile platforms (issue 9). The harness turns the first five into a per-request behaviour,
  // so every platform's handler serves them with its own wire format:
  | "echo_headers" // the answer's text carries every request header (Authorization included)
  | "oversized_body" // the answer's text is `oversizedBytes` long
  | "negative_usage" // every usage count / billed time is -5
  | "string_usage" // every usage count / billed time is the string "12"
  | "huge_usage" // every usage count / billed time is 1e308
  | "huge_retry_after" // the platform's 429, asking to wait `hugeRetryAfterSeconds`
  | "oversized_error" // 500 with an HTML error page `oversizedBytes` long (served by the harness)
  | "html_200" // 200 with an HTML page (a captive portal, a proxy's login page)
  | "empty_200" // 200 with an empty body
  // Served by each platform's handler in its own shape:
  | "error_in_200" // HTTP 200 whose body is the platform's error
  | "object_error"; // 401 whose error message field is an object, not a string

/** Behaviour knobs, all changeable between requests. */
export interface EmulatorBehaviour {
  /** Delay before the response starts (non-streaming) or between chunks' start. @default 0 */
  latencyMs: number;
  /** Delay before the first streamed content chunk. @default latencyMs */
  ttftMs?: number;
  /** Delay between streamed chunks. @default 0 */
  chunkDelayMs: number;
  /** Seconds sent in Retry-After for rate_limit faults. @default 1 */
  retryAfterSeconds: number;
  /** Text the model answers. */
  text: string;
  /** Faults consumed one per request, in order. */
  faults: Fault[];
  /** Output tokens reported; default = words in `text`. */
  outputTokens?: number;
  /**
   * How many of the latest requests `requests` keeps. A server that runs for a long time
   * (`deno task emulators`, `deno task perf`) must not hold every image it was sent: each
   * request body carries one, and a heap that grows with every call slows the emulator down
   * as it runs. @default Infinity (tests read every request)
   */
  keepRequests?: number;
  /**
   * Told of every request as it arrives, before any fault or latency (`deno task perf` times a
   * run from the first request a platform sees).
   */
  onRequest?: (request: RecordedRequest) => void;
  /** Echo every request header in the answer's text, on every request. @default false */
  echoHeaders?: boolean;
  /** What every usage count and billed time is reported as, when set (hostile usage). */
  usageValue?: unknown;
  /** Size of `oversized_body` texts and `oversized_error` pages. @default 2 MiB */
  oversizedBytes?: number;
  /** Retry-After of `huge_retry_after`. @default 99999 */
  hugeRetryAfterSeconds?: number;
  /**
   * The service time this emulator models for a call, ms, when its wait (`latencyMs`) is a
   * compressed copy of it. The billing it reports (Replicate `predict_time`, RunPod
   * `executionTime`, Ollama durations) follows it, and every response says it in the
   * `x-visionbench-modelled-ms` header, so records carry the modelled time. @default none (the
   * wait is the latency)
   */
  modelledMs?: number;
  /** Modelled time to first token, ms. @default modelledMs */
  modelledTtftMs?: number;
  /**
   * What the answers are modelled on: the value of the `x-visionbench-simulated` header every
   * response carries. @default "emulator"
   */
  latencyModel?: string;
  /**
   * Answers one request (e.g. from the image it carries): what it returns overrides `text` /
   * `latencyMs` / `ttftMs` / `modelledMs` for that request only. `undefined` keeps the shared
   * behaviour.
   */
  answer?: (
    request: RecordedRequest,
  ) => Promise<
    | Partial<
      Pick<
        EmulatorBehaviour,
        "text" | "latencyMs" | "ttftMs" | "modelledMs" | "modelledTtftMs" | "latencyModel"
      >
    >
    | undefined
  >;
}

/**
 * `value`, unless the behaviour says usage is hostile: then what it says (a platform reporting
 * -5, "12" or 1e308 tokens).
 */
export function reported(behaviour: EmulatorBehaviour, value: number): number {
  return (behaviour.usageValue !== undefined ? behaviour.usageValue : value) as number;
}

/** The behaviour for one request, with a hostile fault applied; `fault` left for the handler. */
function forRequest(
  state: EmulatorBehaviour,
  fault: Fault | undefined,
  headers: Record<string, string>,
): { behaviour: EmulatorBehaviour; fault: Fault | undefined } {
  const echo = (text: string) => `${text} ${JSON.stringify(headers)}`;
  const behaviour = state.echoHeaders ? { ...state, text: echo(state.text) } : state;
  switch (fault) {
    case "echo_headers":
      return { behaviour: { ...behaviour, text: echo(behaviour.text) }, fault: undefined };
    case "oversized_body":
      return {
        // One endless "word": a server ignoring the output limit, not one the emulator cuts.
        behaviour: { ...behaviour, text: "x".repeat(state.oversizedBytes ?? 2 ** 21) },
        fault: undefined,
      };
    case "negative_usage":
      return { behaviour: { ...behaviour, usageValue: -5 }, fault: undefined };
    case "string_usage":
      return { behaviour: { ...behaviour, usageValue: "12" }, fault: undefined };
    case "huge_usage":
      return { behaviour: { ...behaviour, usageValue: 1e308 }, fault: undefined };
    case "huge_retry_after":
      return {
        behaviour: { ...behaviour, retryAfterSeconds: state.hugeRetryAfterSeconds ?? 99999 },
        fault: "rate_limit",
      };
    default:
      return { behaviour, fault };
  }
}

/** One request as the emulator saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  body: unknown;
}

/** Context handed to a platform's handler. */
export interface HandlerContext {
  behaviour: EmulatorBehaviour;
  /** The fault for this request, already taken off the queue. */
  fault: Fault | undefined;
  recorded: RecordedRequest;
  /** The request body as received (already read: `request.body` is used up). */
  text: string;
  signal: AbortSignal;
}

export type Handler = (request: Request, context: HandlerContext) => Response | Promise<Response>;

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  behaviour: EmulatorBehaviour;
  /**
   * Answers a request in this process exactly as the server would, given its body already read
   * (a front emulator passing requests on, without a second HTTP hop).
   */
  dispatch(request: Request, text: string): Promise<Response>;
  /** Queues faults for the next requests. */
  fail(...faults: Fault[]): void;
  close(): Promise<void>;
}

export const DEFAULT_TEXT =
  "A wide concert hall with rows of red seats facing a lit stage where an orchestra plays under warm lights.";

/** Starts an emulator on a free port. */
export function startEmulator(
  handler: Handler,
  behaviour: Partial<EmulatorBehaviour> = {},
): Emulator {
  const state: EmulatorBehaviour = {
    latencyMs: 0,
    chunkDelayMs: 0,
    retryAfterSeconds: 1,
    text: DEFAULT_TEXT,
    faults: [],
    ...behaviour,
  };
  const requests: RecordedRequest[] = [];
  // Hung requests, released by close(): Deno does not always fire request.signal when a client
  // aborts, and server.shutdown() waits for every request in flight.
  const hung = new Set<() => void>();
  const dispatch = async (request: Request, text: string): Promise<Response> => {
    const { response, behaviour } = await answer(request, text);
    return markedSimulated(response, behaviour);
  };
  const answer = async (
    request: Request,
    text: string,
  ): Promise<{ response: Response; behaviour: EmulatorBehaviour }> => {
    const url = new URL(request.url);
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch { /* keep raw text */ }
    const recorded: RecordedRequest = {
      method: request.method,
      path: url.pathname,
      search: url.search,
      headers: Object.fromEntries(request.headers),
      body,
    };
    state.onRequest?.(recorded);
    requests.push(recorded);
    if (requests.length > (state.keepRequests ?? Infinity)) requests.shift();
    const queued = state.faults.shift();
    const plain = (response: Response | Promise<Response>) =>
      Promise.resolve(response).then((response) => ({ response, behaviour: state }));
    if (queued === "hang") return plain(hang(request.signal, hung));
    if (queued === "reset") return plain(resetResponse());
    if (queued === "oversized_error") return plain(htmlErrorPage(state.oversizedBytes ?? 2 ** 21));
    if (queued === "html_200") {
      return plain(
        new Response("<html><body>Please sign in to continue</body></html>", {
          headers: { "content-type": "text/html" },
        }),
      );
    }
    if (queued === "empty_200") return plain(new Response("", { status: 200 }));
    // Per-request answers live in a copy: concurrent requests must not see each other's text.
    const answer = state.answer && body !== undefined ? await state.answer(recorded) : undefined;
    const { behaviour, fault } = forRequest(
      answer ? { ...state, ...answer } : state,
      queued,
      recorded.headers,
    );
    const response = await handler(request, {
      behaviour,
      fault,
      recorded,
      text,
      signal: request.signal,
    });
    return { response, behaviour };
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) =>
      dispatch(
        request,
        request.method === "GET" || request.method === "HEAD" ? "" : await request.text(),
      ),
  );
  const address = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    behaviour: state,
    dispatch,
    fail: (...faults) => state.faults.push(...faults),
    close: async () => {
      for (const release of hung) release();
      await server.shutdown();
    },
  };
}

/**
 * Every answer says it is simulated (issue 21: at the source, not because a variable was set),
 * and, when the emulator modelled the service time, what that time was.
 */
function markedSimulated(response: Response, behaviour: EmulatorBehaviour): Response {
  const headers = new Headers(response.headers);
  // A front emulator passing a request on keeps what the emulator that answered it said.
  if (headers.has(SIMULATED_HEADER)) return response;
  headers.set(SIMULATED_HEADER, behaviour.latencyModel ?? "emulator");
  if (behaviour.modelledMs !== undefined) {
    headers.set(MODELLED_MS_HEADER, String(Math.round(behaviour.modelledMs)));
    headers.set(
      MODELLED_TTFT_MS_HEADER,
      String(Math.round(behaviour.modelledTtftMs ?? behaviour.modelledMs)),
    );
  }
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

/** Waits `ms` unless `signal` aborts first (then resolves early: the client is gone). */
export const sleep = wait;

/** A JSON response with the given status and extra headers. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A 200 whose body is not valid JSON. */
export function malformed(contentType = "application/json"): Response {
  return new Response('{"id": "broken", "choices": [', {
    status: 200,
    headers: { "content-type": contentType },
  });
}

/**
 * A streaming response built from `chunks` (already framed: SSE `data: …\n\n` or NDJSON lines).
 * With `cutAfter`, the stream errors after that many chunks — the connection drops mid-way.
 */
export function stream(
  chunks: string[],
  options: {
    contentType: string;
    ttftMs: number;
    chunkDelayMs: number;
    cutAfter?: number;
    signal: AbortSignal;
    headers?: Record<string, string>;
  },
): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (let i = 0; i < chunks.length; i++) {
        if (options.signal.aborted) return;
        if (options.cutAfter !== undefined && i >= options.cutAfter) {
          controller.error(new Error("emulator: stream cut"));
          return;
        }
        await sleep(i === 0 ? options.ttftMs : options.chunkDelayMs, options.signal);
        try {
          controller.enqueue(encoder.encode(chunks[i]));
        } catch {
          return; // client went away
        }
      }
      controller.close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { "content-type": options.contentType, ...options.headers },
  });
}

/** Splits text into word-sized deltas, as models stream. */
export function deltas(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [];
}

/** Rough token count used by emulators for output tokens: one per word. */
export function countWords(text: string): number {
  return deltas(text).length;
}

function hang(signal: AbortSignal, hung: Set<() => void>): Promise<Response> {
  return new Promise((resolve) => {
    const release = () => {
      hung.delete(release);
      resolve(new Response(null, { status: 499 }));
    };
    hung.add(release);
    signal.addEventListener("abort", release, { once: true });
  });
}

/** Headers sent, then the connection drops: the client sees a network error. */
function resetResponse(): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.error(new Error("emulator: connection reset"));
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
}

/** What a proxy in front of a platform answers when it breaks: a large HTML page with a 500. */
function htmlErrorPage(bytes: number): Response {
  const head = "<html><head><title>500 Internal Server Error</title></head><body><pre>";
  return new Response(
    `${head}${"x".repeat(Math.max(0, bytes - head.length))}</pre></body></html>`,
    {
      status: 500,
      headers: { "content-type": "text/html" },
    },
  );
}
