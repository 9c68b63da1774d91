/**
 * What the three batch emulators share: a job store whose jobs move through their states on a
 * configurable clock (read at each request, no timers), the knobs tests turn (partial failures,
 * an expired batch, a malformed results line, an unknown custom id, limits), and the front
 * server that serves the batch routes and hands every other request — and every batch item when
 * a batch runs — to the platform's live emulator, so a batch answer is exactly a live answer.
 *
 * @module
 */
import {
  type Emulator,
  type EmulatorBehaviour,
  type Handler,
  type HandlerContext,
  startEmulator,
} from "./harness.ts";

/** Knobs of a batch emulator, changeable between requests through `emulator.batch`. */
export interface BatchEmulatorOptions {
  /** ms a new batch waits before it runs (validating / pending). @default 5 */
  queuedMs: number;
  /** ms it then runs before it ends. @default 20 */
  runningMs: number;
  /** Requests one batch may hold. @default the platform's documented limit */
  maxRequests: number;
  /** Bytes one batch may hold, counted as the platform counts them. @default the documented limit */
  maxBytes: number;
  /** Every Nth item of a batch (1-based) fails with a platform error; 0 = none. @default 0 */
  failEvery: number;
  /** Batches (0-based, in creation order on this emulator) that expire with half their items run. @default [] */
  expireBatches: number[];
  /** Results files start with a line that is not JSON (OpenAI, Anthropic). @default false */
  malformedLine: boolean;
  /** Results include one for a custom id nobody submitted. @default false */
  unknownResult: boolean;
  /**
   * What goes wrong with the next create call after the batch was created (the platform holds
   * it, the client cannot know): `error` answers the platform's 500, `hang` never answers (the
   * client gives up or is interrupted), `unreadable` answers a batch object with a field the
   * client cannot read (a non-date created_at; Gemini: no `name`). Applies to every create until
   * reset to `none`. @default "none"
   */
  createFault: "none" | "error" | "hang" | "unreadable";
  /**
   * A hostile or broken server: the malformed line and the unknown custom id carry the
   * credentials the batch was created with (as an echoing proxy would). @default false
   */
  echoCredentials: boolean;
  /**
   * Where Anthropic's `results_url` points: the front itself (`own`), another origin that serves
   * the same file (`foreign`: the same server under the name localhost), or the front, which
   * answers 302 to that other origin (`redirect`).
   * @default "own"
   */
  resultsOrigin: "own" | "foreign" | "redirect";
  /**
   * Gemini: inlined responses without `metadata` (not echoed) and the first one missing, as a
   * response list that cannot be matched by position. @default false
   */
  unkeyedResults: boolean;
  /** OpenAI: the first answered request appears twice in the output, the second time differently. @default false */
  conflictingDuplicate: boolean;
}

/** Batch knobs with the platform's limits as defaults. */
export function batchOptions(
  limits: { maxRequests: number; maxBytes: number },
  overrides: Partial<BatchEmulatorOptions> = {},
): BatchEmulatorOptions {
  return {
    queuedMs: 5,
    runningMs: 20,
    failEvery: 0,
    expireBatches: [],
    malformedLine: false,
    unknownResult: false,
    createFault: "none",
    echoCredentials: false,
    resultsOrigin: "own",
    unkeyedResults: false,
    conflictingDuplicate: false,
    ...limits,
    ...overrides,
  };
}

/** What happened to one item. */
export type ItemOutcome<Answer> =
  | { kind: "answered"; status: number; body: Answer }
  | { kind: "failed" }
  | { kind: "expired" }
  | { kind: "cancelled" };

/** A batch held by an emulator. */
export interface EmulatedJob<Item, Answer> {
  id: string;
  /** Creation order on this emulator. */
  index: number;
  createdAt: number;
  items: Item[];
  /** The request that created it (auth headers are reused to run the items). */
  headers: Record<string, string>;
  extra: Record<string, unknown>;
  cancelAt?: number;
  outcomes?: ItemOutcome<Answer>[];
  endedAt?: number;
  finished?: Promise<void>;
}

/** Where a job is at `now`. */
export type JobPhase = "queued" | "running" | "cancelling" | "ended";

/** A job store with the state clock. */
export function createJobStore<Item, Answer>(options: BatchEmulatorOptions) {
  const jobs = new Map<string, EmulatedJob<Item, Answer>>();
  let created = 0;
  const runStart = (job: EmulatedJob<Item, Answer>) => job.createdAt + options.queuedMs;
  const endAt = (job: EmulatedJob<Item, Answer>) =>
    job.cancelAt !== undefined
      ? job.cancelAt + options.queuedMs
      : runStart(job) + options.runningMs;
  return {
    jobs,
    add(
      id: string,
      items: Item[],
      headers: Record<string, string>,
      extra: Record<string, unknown> = {},
    ): EmulatedJob<Item, Answer> {
      const job = { id, index: created++, createdAt: Date.now(), items, headers, extra };
      jobs.set(id, job);
      return job;
    },
    phase(job: EmulatedJob<Item, Answer>, now = Date.now()): JobPhase {
      if (job.outcomes) return "ended";
      if (now >= endAt(job)) return "ended";
      if (job.cancelAt !== undefined) return "cancelling";
      return now >= runStart(job) ? "running" : "queued";
    },
    expired: (job: EmulatedJob<Item, Answer>) => options.expireBatches.includes(job.index),
    /**
     * Runs the job's items once it has ended (the first request that sees it ended waits for
     * the answers): failEvery items fail, an expired batch runs its first half, a cancelled one
     * the share of its run that passed before the cancel.
     */
    async finish(
      job: EmulatedJob<Item, Answer>,
      run: (item: Item) => Promise<{ status: number; body: Answer }>,
    ): Promise<void> {
      job.finished ??= (async () => {
        const total = job.items.length;
        let ran = total;
        if (options.expireBatches.includes(job.index)) ran = Math.floor(total / 2);
        if (job.cancelAt !== undefined) {
          const share = Math.min(
            1,
            Math.max(0, (job.cancelAt - runStart(job)) / Math.max(1, options.runningMs)),
          );
          ran = Math.floor(total * share);
        }
        const outcomes: ItemOutcome<Answer>[] = new Array(total);
        const answered: number[] = [];
        for (let index = 0; index < total; index++) {
          if (index >= ran) {
            outcomes[index] = { kind: job.cancelAt !== undefined ? "cancelled" : "expired" };
          } else if (options.failEvery > 0 && (index + 1) % options.failEvery === 0) {
            outcomes[index] = { kind: "failed" };
          } else {
            answered.push(index);
          }
        }
        // A platform runs a batch's requests side by side; so does the emulator, a few at a time.
        let next = 0;
        await Promise.all(Array.from({ length: 8 }, async () => {
          while (next < answered.length) {
            const index = answered[next++];
            outcomes[index] = { kind: "answered", ...await run(job.items[index]) };
          }
        }));
        job.outcomes = outcomes;
        job.endedAt = Math.max(endAt(job), job.createdAt);
      })();
      await job.finished;
    },
  };
}

/** A running batch emulator: the live emulator's surface plus the batch knobs. */
export interface BatchEmulator<Live extends Emulator> extends Emulator {
  /** The platform's live emulator behind the front (its knobs: text, faults, usage). */
  live: Live;
  batch: BatchEmulatorOptions;
}

/**
 * Starts a front server on a free port: `batchRoutes` answers batch requests (or returns
 * undefined), everything else goes to the live emulator unchanged.
 */
export function startFront<Live extends Emulator>(
  live: Live,
  batch: BatchEmulatorOptions,
  batchRoutes: (
    request: Request,
    context: HandlerContext,
    front: Front,
  ) => Promise<Response | undefined>,
  behaviour: Partial<EmulatorBehaviour> = {},
): BatchEmulator<Live> {
  const hung = new Set<() => void>();
  const front: Front = {
    url: "",
    batch,
    hang: (signal) =>
      new Promise((resolve) => {
        const release = () => {
          hung.delete(release);
          resolve();
        };
        hung.add(release);
        signal.addEventListener("abort", release, { once: true });
      }),
  };
  const handler: Handler = async (request, context) => {
    const routed = await batchRoutes(request, context, front);
    return routed ?? await live.dispatch(request, context.text);
  };
  // The front records what it is sent like any emulator, keeping as many requests as the live one.
  const emulator = startEmulator(handler, {
    keepRequests: live.behaviour.keepRequests,
    ...behaviour,
  });
  front.url = emulator.url;
  return {
    ...emulator,
    behaviour: live.behaviour,
    fail: live.fail,
    live,
    batch,
    // Together: closing the live emulator releases hung requests the front is still waiting on.
    close: async () => {
      for (const release of hung) release();
      await Promise.all([emulator.close(), live.close()]);
    },
  };
}

/**
 * The answer to a create call under {@link BatchEmulatorOptions.createFault}, once the batch is
 * stored: `ok` when there is no fault, the platform's 500 (`error`), a broken answer
 * (`unreadable`), or, for `hang`, nothing until the client hangs up or the emulator closes.
 */
export async function createAnswer(
  front: Front,
  signal: AbortSignal,
  answers: {
    ok: () => Promise<Response>;
    error: () => Response;
    unreadable: () => Promise<Response>;
  },
): Promise<Response> {
  const fault = front.batch.createFault;
  if (fault === "error") return answers.error();
  if (fault === "unreadable") return await answers.unreadable();
  if (fault === "hang") {
    await front.hang(signal);
    return answers.error();
  }
  return await answers.ok();
}

/** What a batch route is handed besides the request: the front's URL, knobs, and a hang. */
export interface Front {
  url: string;
  batch: BatchEmulatorOptions;
  /** Resolves when `signal` aborts or the emulator closes. */
  hang(signal: AbortSignal): Promise<void>;
}

/** Runs one item against the live emulator and reads its JSON answer. */
export async function runOnLive<Answer>(
  liveUrl: string,
  path: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ status: number; body: Answer }> {
  const sent = new Headers(headers);
  sent.delete("content-length");
  sent.delete("host");
  sent.set("content-type", "application/json");
  const response = await fetch(`${liveUrl}${path}`, {
    method: "POST",
    headers: sent,
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() as Answer };
}

/** What a hostile server echoes back: the credential headers of the request that made `job`. */
export function echoed(
  knobs: BatchEmulatorOptions,
  job: { headers: Record<string, string> },
  plain: string,
): string {
  if (!knobs.echoCredentials) return plain;
  const { authorization, "x-api-key": apiKey, "x-goog-api-key": googKey } = job.headers;
  // With a terminal escape sequence (set the window title), as a hostile server would send.
  return `${plain}\u001b]0;owned\u0007-${
    [authorization, apiKey, googKey].filter(Boolean).join("-")
  }`;
}

/** A short random id. */
export function randomId(length = 24): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, length);
}
