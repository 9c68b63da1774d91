/**
 * A size limit on what a platform may send back, applied to the `fetch` every adapter's SDK uses.
 * A description is a few kilobytes; a server that answers 50 MB (an echo loop, a broken proxy)
 * must end as a typed error, not as 2 GB of RSS, a 50 MB JSONL line and a 50 MB report.
 *
 * - a 2xx body past `maxBytes` errors the stream with an `invalid_response`
 *   (code `response_too_large`, not retryable: asking again gets the same answer);
 * - an error body (non-2xx) is cut at `maxErrorBytes` and ends there cleanly, so the status
 *   still decides the kind and the SDK still reads the start of the platform's message.
 *
 * @module
 */
import { VisionBenchError } from "../contract/errors.ts";

/** Default cap of a 2xx body: far above any description, below what hurts (stated in README). */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** Default cap of an error body: enough for any platform's JSON error, not for an HTML page. */
export const DEFAULT_MAX_ERROR_BYTES = 64 * 1024;

/** Options of {@link capResponses}. */
export interface ResponseCapOptions {
  /** @default DEFAULT_MAX_RESPONSE_BYTES (16 MiB) */
  maxBytes?: number;
  /** @default DEFAULT_MAX_ERROR_BYTES (64 KiB) */
  maxErrorBytes?: number;
  /** Put on the error. */
  platform?: string;
}

/**
 * `base` with every response body limited as described in the module doc.
 *
 * @example
 * ```ts
 * const fetchCapped = capResponses(fetch, { maxBytes: 1024 });
 * await (await fetchCapped("https://example.com/big")).text(); // throws invalid_response past 1 KiB
 * ```
 */
export function capResponses(base: typeof fetch, options: ResponseCapOptions = {}): typeof fetch {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxErrorBytes = options.maxErrorBytes ?? DEFAULT_MAX_ERROR_BYTES;
  return async (input, init) => {
    const response = await base(input, init);
    if (!response.body) return response;
    const limit = response.ok ? maxBytes : maxErrorBytes;
    const tooLarge = () =>
      new VisionBenchError(
        "invalid_response",
        `the platform's answer is larger than ${limit} bytes (the limit of one response); not read further`,
        { platform: options.platform, status: response.status, code: "response_too_large" },
      );
    const declared = Number(response.headers.get("content-length"));
    if (response.ok && Number.isFinite(declared) && declared > limit) {
      await response.body.cancel();
      throw tooLarge();
    }
    // A body whose declared length is within the limit cannot grow past it (the HTTP client
    // stops at Content-Length): it needs no counting layer. Unless it is compressed: then the
    // length is of the compressed bytes, and what they inflate to is what must be limited.
    if (
      response.ok && response.headers.has("content-length") &&
      !response.headers.has("content-encoding")
    ) {
      return response;
    }
    if (response.ok) return countedInPlace(response, limit, tooLarge);
    // An error page is cut where the limit falls and ends there cleanly: a copy of the response
    // whose body is the cut bytes (errors are rare; a stream layer costs nothing that matters).
    let seen = 0;
    const cut = readChunks(response.body.getReader(), (chunk) => {
      const room = limit - seen;
      seen += chunk.byteLength;
      return chunk.byteLength <= room ? undefined : chunk.subarray(0, Math.max(0, room));
    });
    const headers = new Headers(response.headers);
    headers.delete("content-length");
    const capped = new Response(ReadableStream.from(cut), {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
    // SDKs read these for messages and redirects; a constructed Response has them empty.
    Object.defineProperty(capped, "url", { value: response.url });
    Object.defineProperty(capped, "redirected", { value: response.redirected });
    return capped;
  };
}

/**
 * `response` itself, its body counted as it is read: past `limit` bytes the read fails with
 * `tooLarge()` and the download stops. No stream layer is added, because a streamed answer
 * passes every chunk through here: a wrapping ReadableStream puts a second queue, pull and read
 * on every chunk; the counting reader adds one `then` (README "Performance").
 *
 * `body.getReader()` (what the SDKs' stream readers call) hands out a counting reader. Every
 * other way to read — the Response's `text`/`json`/`arrayBuffer`/`bytes`/`blob`/`formData`/
 * `clone`, the body's iteration, `pipeTo`/`pipeThrough`/`tee` — reads a Response made on first
 * use from that counting reader, so no path reads uncounted bytes.
 *
 * The body and the response get a prototype that says so, set once per response, rather than a
 * dozen own properties defined on each (what this did before; the two measured the same within
 * this machine's run-to-run spread, README "Performance").
 *
 * The counting reader reads the body into buffers of its own, small at first, when the body is a
 * byte stream (as fetch's are): Deno's default reader allocates, and zeroes, a 64 KiB buffer for
 * every read, and a streamed answer arrives in events of a few hundred bytes, one read each.
 */
function countedInPlace(
  response: Response,
  limit: number,
  tooLarge: () => VisionBenchError,
): Response {
  const body = response.body!;
  let seen = 0;
  // One `then` per chunk, no async function: this runs for every chunk of every answer.
  const count = (
    reader: Cancellable,
    chunk: ReadableStreamReadResult<Uint8Array>,
  ): ReadableStreamReadResult<Uint8Array> | Promise<never> => {
    if (chunk.done) return chunk;
    seen += chunk.value.byteLength;
    if (seen <= limit) return chunk;
    return reader.cancel().catch(() => {}).then(() => Promise.reject(tooLarge()));
  };
  const countingReader = () => {
    let byob: ReadableStreamBYOBReader | undefined;
    try {
      byob = ownGetByobReader.call(body, { mode: "byob" });
    } catch {
      // Not a byte stream (a Response made from a stream of chunks): read its chunks as they are.
    }
    return new CountingReader(byob ?? ownGetReader.call(body), count);
  };
  let copy: Response | undefined;
  const state: CountedState = {
    countingReader,
    counted: () =>
      copy ??= new Response(
        ReadableStream.from(
          readChunks(countingReader() as ReadableStreamDefaultReader<Uint8Array>),
        ),
        { status: response.status, statusText: response.statusText, headers: response.headers },
      ),
  };
  (body as unknown as Counted)[COUNTED] = state;
  (response as unknown as Counted)[COUNTED] = state;
  Object.setPrototypeOf(body, COUNTED_BODY);
  Object.setPrototypeOf(response, COUNTED_RESPONSE);
  return response;
}

const COUNTED = Symbol("countedBody");
const ownGetReader = ReadableStream.prototype.getReader as (
  this: ReadableStream<Uint8Array>,
) => ReadableStreamDefaultReader<Uint8Array>;
const ownGetByobReader = ReadableStream.prototype.getReader as (
  this: ReadableStream<Uint8Array>,
  options: { mode: "byob" },
) => ReadableStreamBYOBReader;

interface CountedState {
  countingReader: () => CountingReader;
  counted: () => Response;
}

type Counted = { [COUNTED]: CountedState };

/** What counting needs of a reader: a way to stop the download. */
interface Cancellable {
  cancel(reason?: unknown): Promise<void>;
}

/** The first buffer a counting reader reads a byte stream into: a streamed event fits. */
const FIRST_READ_BYTES = 4 * 1024;
/** The largest: what Deno's own reader uses for every read. */
const MAX_READ_BYTES = 64 * 1024;

/**
 * A default reader whose `read` counts what it hands out (see {@link countedInPlace}). Given a
 * BYOB reader, each read fills a new buffer (a chunk handed out is never written again), 4 KiB at
 * first and twice as large after a read that filled it, up to 64 KiB.
 */
class CountingReader {
  #size = FIRST_READ_BYTES;
  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader,
    private readonly count: (
      reader: Cancellable,
      chunk: ReadableStreamReadResult<Uint8Array>,
    ) => ReadableStreamReadResult<Uint8Array> | Promise<never>,
  ) {}
  read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    if (!(this.reader instanceof ReadableStreamBYOBReader)) {
      return this.reader.read().then((chunk) => this.count(this.reader, chunk));
    }
    const size = this.#size;
    return this.reader.read(new Uint8Array(size)).then((chunk) => {
      // The end comes with an empty view of the buffer offered; a default reader gives no value.
      if (chunk.done) return { done: true, value: undefined };
      if (chunk.value.byteLength === size && size < MAX_READ_BYTES) this.#size = size * 2;
      return this.count(this.reader, chunk);
    });
  }
  cancel(reason?: unknown): Promise<void> {
    return this.reader.cancel(reason);
  }
  releaseLock(): void {
    this.reader.releaseLock();
  }
  get closed(): Promise<void> {
    return this.reader.closed;
  }
}

/** What a counted body does differently from a stream: every way in goes through the count. */
const COUNTED_BODY: object = Object.create(ReadableStream.prototype, {
  getReader: {
    value(this: Counted, options?: { mode?: string }) {
      const state = this[COUNTED];
      // A BYOB reader cannot count: it is refused by the counted copy (not a byte stream).
      return options?.mode
        ? state.counted().body!.getReader(options as { mode: "byob" })
        : state.countingReader();
    },
  },
  ...Object.fromEntries(
    ["pipeTo", "pipeThrough", "tee", "values", Symbol.asyncIterator].map((key) => [key, {
      value(this: Counted, ...args: unknown[]) {
        const stream = this[COUNTED].counted().body! as unknown as Record<
          PropertyKey,
          (...a: unknown[]) => unknown
        >;
        return stream[key](...args);
      },
    }]),
  ),
});

/** What a counted response does differently: its body readers read the counted copy. */
const COUNTED_RESPONSE: object = Object.create(
  Response.prototype,
  Object.fromEntries(
    ["text", "json", "arrayBuffer", "bytes", "blob", "formData", "clone"].map((key) => [key, {
      value(this: Counted, ...args: unknown[]) {
        const made = this[COUNTED].counted() as unknown as Record<
          string,
          (...a: unknown[]) => unknown
        >;
        return made[key](...args);
      },
    }]),
  ),
);

/**
 * The chunks `reader` gives, in order. `lastPiece(chunk)` may end the body early with a final
 * piece. Ending early, or the consumer going away, cancels the download.
 */
async function* readChunks(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  lastPiece?: (chunk: Uint8Array) => Uint8Array | undefined,
): AsyncGenerator<Uint8Array> {
  let finished = false;
  try {
    while (true) {
      const chunk = await reader.read();
      if (chunk.done) {
        finished = true;
        return;
      }
      const piece = lastPiece?.(chunk.value);
      if (piece) {
        yield piece;
        return;
      }
      yield chunk.value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
  }
}
