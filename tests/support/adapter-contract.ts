/**
 * The behaviour every adapter shares, written once: faults map to the same error kinds, aborts
 * to timeout / cancelled, omitted usage stays undefined, and the key never reaches an error.
 * Each adapter test file calls {@link adapterContract} with its emulator and the faults that
 * emulator can produce; platform-specific behaviour stays in the adapter's own file.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Adapter, DescribeRequest, Usage } from "../../lib/contract/adapter.ts";
import type { ErrorKind, VisionBenchError } from "../../lib/contract/errors.ts";
import type { EmulatorBehaviour, Fault } from "../../emulators/harness.ts";
import { closing } from "./emulator-session.ts";
import { rejection } from "./rejection.ts";
import { waitFor } from "./wait-for.ts";

/** What the contract asks of an emulator: a fault queue, a request log and `close()`. */
export interface ContractEmulator {
  requests: unknown[];
  fail(...faults: Fault[]): void;
  close(): Promise<void>;
}

/** Behaviour the contract starts emulators with; `omitUsage` drops usage from every answer. */
export type ContractBehaviour = Partial<EmulatorBehaviour> & { omitUsage?: boolean };

/** Which contract behaviours the platform's emulator can produce; absent means not run. */
export interface ContractSupport {
  /** 429 with Retry-After → rate_limit, retryable, retryAfterMs. */
  rateLimit?: boolean;
  /** The HTTP status of the emulator's auth fault (401; Gemini answers 403) → auth, not retryable. */
  authStatus?: number;
  /** 500 → server, retryable. */
  serverError?: boolean;
  /** The HTTP status of the emulator's overloaded answer (503, or Anthropic's 529). */
  overloadedStatus?: number;
  /** Connection dropped before the body → network, retryable. */
  reset?: boolean;
  /** A 200 that is not JSON → invalid_response, not retryable. */
  malformed?: boolean;
  /** The same on a stream (only with `streams`). @default malformed */
  malformedStream?: boolean;
  /** A stream stopped mid-way → network, retryable (only with `streams`). */
  streamCut?: boolean;
  /** A request that never answers, ended by AbortSignal.timeout or a user abort. */
  hang?: boolean;
  /** The usage an answer without usage maps to (every field undefined, never 0). */
  omitUsage?: Usage;
}

/**
 * Every contract behaviour with the usual statuses (401 auth, 503 overloaded); spread it and
 * override what a platform does differently.
 */
export const EVERY_FAULT: Readonly<ContractSupport> = {
  rateLimit: true,
  authStatus: 401,
  serverError: true,
  overloadedStatus: 503,
  reset: true,
  malformed: true,
  streamCut: true,
  hang: true,
};

/** One platform's side of the contract. */
export interface AdapterContractOptions<E extends ContractEmulator> {
  /** Starts the platform's emulator with `behaviour`. */
  start: (behaviour: ContractBehaviour) => E;
  /** The adapter under test, pointed at `emulator`. */
  adapterFor: (emulator: E) => Adapter;
  /** Builds the describe request (the file's `describeRequests(...)`). */
  request: (overrides?: Partial<DescribeRequest>) => DescribeRequest;
  /** The API key: it must appear in no error. */
  secret: string;
  /** `error.platform` every error must carry; unchecked when undefined. */
  platform?: string;
  /** Whether the adapter streams: the stream variants run only then. */
  streams: boolean;
  supports: ContractSupport;
  /**
   * Overrides for requests that hang or are aborted, e.g. a tiny image: with a request body
   * over ~64 KB Deno.serve may not see the client abort. @default {}
   */
  abortRequest?: Partial<DescribeRequest>;
  /** `error.code` expected for a fault, where the platform sends one. @default {} */
  codes?: Partial<Record<Fault, string | number>>;
  /** Patterns `error.message` must match for a fault, where the platform explains it. @default {} */
  messages?: Partial<Record<Fault, RegExp>>;
}

/** Retry-After the contract's emulators send with rate_limit faults. */
const RETRY_AFTER_SECONDS = 3;

interface FaultExpectation {
  /** What goes wrong, e.g. "a 429". */
  what: string;
  /** What it maps to, e.g. "rate_limit with retryAfterMs". */
  to: string;
  fault: Fault;
  kind: ErrorKind;
  status?: number;
  retryable: boolean;
  retryAfterMs?: number;
  stream: boolean;
}

/**
 * Registers the shared adapter `Deno.test`s for platform `name`, each named after the behaviour
 * and prefixed with the platform, e.g. "anthropic: describe() maps a 429 to rate_limit with
 * retryAfterMs".
 *
 * @example
 * ```ts
 * adapterContract("gemini", {
 *   start: (behaviour) => startGeminiEmulator(behaviour),
 *   adapterFor: (emulator) => createGemini({ apiKey: KEY, baseUrl: emulator.url, model: "gemini-2.5-flash-lite" }),
 *   request, secret: KEY, platform: "gemini", streams: true,
 *   supports: { rateLimit: true, authStatus: 403, reset: true, malformed: true, hang: true },
 * });
 * ```
 */
export function adapterContract<E extends ContractEmulator>(
  name: string,
  options: AdapterContractOptions<E>,
): void {
  const { supports, streams } = options;
  const rejectsWith = (promise: Promise<unknown>, kind: ErrorKind) =>
    rejection(promise, { kind, platform: options.platform, secrets: [options.secret] });
  const withAdapter = (
    behaviour: ContractBehaviour,
    body: (emulator: E, adapter: Adapter) => Promise<void>,
  ) =>
    closing(options.start(behaviour), (emulator) => body(emulator, options.adapterFor(emulator)));

  for (const expected of faultExpectations(supports, streams)) {
    Deno.test(`${name}: describe() maps ${expected.what}${expected.stream ? " on a stream" : ""} to ${expected.to}`, async () => {
      await withAdapter({ retryAfterSeconds: RETRY_AFTER_SECONDS }, async (emulator, adapter) => {
        emulator.fail(expected.fault);
        const error = await rejectsWith(
          adapter.describe(options.request({ stream: expected.stream })),
          expected.kind,
        );
        assert.equal(error.status, expected.status);
        assert.equal(error.retryable, expected.retryable);
        assert.equal(error.retryAfterMs, expected.retryAfterMs);
        const code = options.codes?.[expected.fault];
        if (code !== undefined) assert.equal(error.code, code);
        const message = options.messages?.[expected.fault];
        if (message !== undefined) assert.match(error.message, message);
        assert.equal(emulator.requests.length, 1, "one request per call: no SDK retries");
      });
    });
  }

  if (streams && supports.streamCut) {
    Deno.test(`${name}: describe() calls onFirstToken once the first text arrives, not when the stream ends`, async () => {
      // The emulator cuts the stream half-way: it never completes, so a first token reported
      // only at completion (the thing the wall-clock checks once tried to catch) never comes.
      await withAdapter({}, async (emulator, adapter) => {
        emulator.fail("stream_cut");
        let firstToken = 0;
        await rejectsWith(
          adapter.describe(options.request({ stream: true }), {
            onFirstToken: () => firstToken++,
          }),
          "network",
        );
        assert.equal(firstToken, 1);
      });
    });
  }

  if (supports.hang) {
    const hanging = (overrides: Partial<DescribeRequest>) =>
      options.request({ ...options.abortRequest, ...overrides });
    for (const stream of streams ? [false, true] : [false]) {
      const on = stream ? " on a stream" : "";
      Deno.test(`${name}: describe() maps a hang past AbortSignal.timeout${on} to timeout (retryable)`, async () => {
        await withAdapter({}, async (emulator, adapter) => {
          emulator.fail("hang");
          const error = await rejectsWith(
            adapter.describe(hanging({ stream }), { signal: AbortSignal.timeout(100) }),
            "timeout",
          );
          assert.equal(error.retryable, true);
        });
      });
      Deno.test(`${name}: describe() maps a user abort of a hanging call${on} to cancelled (not retryable)`, async () => {
        await withAdapter({}, async (emulator, adapter) => {
          emulator.fail("hang");
          const controller = new AbortController();
          const calling = rejectsWith(
            adapter.describe(hanging({ stream }), { signal: controller.signal }),
            "cancelled",
          );
          // Abort once the emulator holds the request: the call is surely in flight.
          await waitFor(() => emulator.requests.length === 1, { what: "the hanging request" });
          controller.abort();
          const error = await calling;
          assert.equal(error.retryable, false);
        });
      });
    }
    if (streams) {
      Deno.test(`${name}: describe() maps an abort in the middle of a stream to timeout, after one onFirstToken`, async () => {
        // A long answer in 20 ms chunks streams for seconds; onFirstToken aborts with a timeout
        // reason, so the abort lands mid-stream however slow the machine (the 30 s bound only
        // ends a call that never reports a first token: the count below then fails).
        const text = "word ".repeat(2_000);
        await withAdapter({ ttftMs: 0, chunkDelayMs: 20, text }, async (_emulator, adapter) => {
          const midStream = new AbortController();
          let firstToken = 0;
          await rejectsWith(
            adapter.describe(hanging({ stream: true }), {
              signal: AbortSignal.any([midStream.signal, AbortSignal.timeout(30_000)]),
              onFirstToken: () => {
                firstToken++;
                midStream.abort(new DOMException("the call timed out", "TimeoutError"));
              },
            }),
            "timeout",
          );
          assert.equal(firstToken, 1, "text had arrived before the abort");
        });
      });
    }
  }

  // Hostile platforms (issue 9): what every adapter must read right on its own, before lib/run
  // adds redaction, usage checks and size limits (the whole-stack matrix is
  // tests/app/fault-matrix_test.ts).
  const hostile = (
    what: string,
    fault: Fault,
    check: (error: VisionBenchError) => void,
    stream = false,
  ) =>
    Deno.test(`${name}: describe() ${what}${stream ? " on a stream" : ""}`, async () => {
      await withAdapter({ oversizedBytes: 512 * 1024 }, async (emulator, adapter) => {
        emulator.fail(fault);
        const error = await rejection(adapter.describe(options.request({ stream })), {
          platform: options.platform,
          secrets: [options.secret],
        });
        assert.ok(!error.message.includes("[object Object]"), error.message);
        check(error);
      });
    });
  hostile(
    "maps an error sent with HTTP 200 to an error, never an answer",
    "error_in_200",
    (error) => {
      assert.notEqual(error.kind, "network", error.message);
      assert.notEqual(error.kind, "invalid_response", error.message);
    },
  );
  hostile(
    "reads an error body whose message is an object as words, not retried",
    "object_error",
    (error) => {
      assert.equal(error.retryable, false, `${error.kind}: ${error.message}`);
    },
  );
  hostile(
    "keeps a huge Retry-After exactly, for the runner to refuse",
    "huge_retry_after",
    (error) => {
      assert.equal(error.kind, "rate_limit");
      assert.equal(error.retryAfterMs, 99_999_000);
    },
  );
  for (const stream of streams ? [false, true] : [false]) {
    for (const [what, fault] of [["an HTML page", "html_200"], ["nothing", "empty_200"]] as const) {
      hostile(
        `maps a 200 that is ${what} to invalid_response (not a cut stream, not retried)`,
        fault,
        (error) => {
          assert.equal(error.kind, "invalid_response", error.message);
          assert.equal(error.retryable, false);
        },
        stream,
      );
    }
  }
  hostile(
    "cuts a huge HTML error page to a short message of the status's kind",
    "oversized_error",
    (error) => {
      assert.equal(error.kind, "server");
      assert.equal(error.status, 500);
      assert.ok(error.message.length < 400, `${error.message.length} characters`);
    },
  );

  Deno.test(`${name}: describe() reports the emulator's simulated headers as description.simulation`, async () => {
    const behaviour = { modelledMs: 4100, modelledTtftMs: 900, latencyModel: "contract model" };
    await withAdapter(behaviour, async (_emulator, adapter) => {
      for (const stream of streams ? [false, true] : [false]) {
        const answer = await adapter.describe(options.request({ stream }));
        assert.deepEqual(
          answer.simulation,
          { model: "contract model", modelledMs: 4100, modelledTtftMs: 900 },
          `stream: ${stream}`,
        );
      }
    });
  });

  const omitted = supports.omitUsage;
  if (omitted) {
    Deno.test(`${name}: describe() leaves usage undefined when the platform does not report it`, async () => {
      await withAdapter({ omitUsage: true }, async (_emulator, adapter) => {
        for (const stream of streams ? [false, true] : [false]) {
          const answer = await adapter.describe(options.request({ stream }));
          assert.ok(answer.text.length > 0, "the answer still has text");
          assert.deepEqual(answer.usage, omitted, `stream: ${stream}`);
          for (const value of Object.values(answer.usage)) assert.equal(value, undefined);
        }
      });
    });
  }
}

/** The fault tests `supports` asks for, with the error each one must map to. */
function faultExpectations(supports: ContractSupport, streams: boolean): FaultExpectation[] {
  const cases: FaultExpectation[] = [];
  const both = (expectation: Omit<FaultExpectation, "stream">) => {
    cases.push({ ...expectation, stream: false });
    if (streams) cases.push({ ...expectation, stream: true });
  };
  if (supports.rateLimit) {
    both({
      what: "a 429",
      to: "rate_limit with retryAfterMs",
      fault: "rate_limit",
      kind: "rate_limit",
      status: 429,
      retryable: true,
      retryAfterMs: RETRY_AFTER_SECONDS * 1000,
    });
  }
  if (supports.authStatus !== undefined) {
    cases.push({
      what: `a ${supports.authStatus}`,
      to: "auth (not retryable)",
      fault: "auth",
      kind: "auth",
      status: supports.authStatus,
      retryable: false,
      stream: false,
    });
  }
  if (supports.serverError) {
    cases.push({
      what: "a 500",
      to: "server (retryable)",
      fault: "server_error",
      kind: "server",
      status: 500,
      retryable: true,
      stream: false,
    });
  }
  if (supports.overloadedStatus !== undefined) {
    cases.push({
      what: `a ${supports.overloadedStatus}`,
      to: "overloaded (retryable)",
      fault: "overloaded",
      kind: "overloaded",
      status: supports.overloadedStatus,
      retryable: true,
      stream: false,
    });
  }
  if (supports.reset) {
    both({
      what: "a reset connection",
      to: "network (retryable)",
      fault: "reset",
      kind: "network",
      retryable: true,
    });
  }
  const malformed = {
    what: "a malformed body",
    to: "invalid_response (not retryable)",
    fault: "malformed",
    kind: "invalid_response",
    retryable: false,
  } as const;
  if (supports.malformed) cases.push({ ...malformed, stream: false });
  if ((supports.malformedStream ?? supports.malformed) && streams) {
    cases.push({ ...malformed, stream: true });
  }
  if (supports.streamCut && streams) {
    cases.push({
      what: "a cut stream",
      to: "network (retryable)",
      fault: "stream_cut",
      kind: "network",
      retryable: true,
      stream: true,
    });
  }
  return cases;
}
