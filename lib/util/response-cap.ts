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
    // An async generator read by `ReadableStream.from` costs about half the CPU per chunk of a
    // pull-based ReadableStream (measured on streamed answers of ~25 chunks, see README
    // "Performance"); a streamed answer passes every chunk through here.
    const source = response.body;
    async function* limited(): AsyncGenerator<Uint8Array> {
      const reader = source.getReader();
      let seen = 0;
      let finished = false;
      try {
        while (true) {
          const chunk = await reader.read();
          if (chunk.done) {
            finished = true;
            return;
          }
          const room = limit - seen;
          seen += chunk.value.byteLength;
          if (chunk.value.byteLength <= room) {
            yield chunk.value;
            continue;
          }
          if (response.ok) throw tooLarge();
          // An error page is cut where the limit falls and ends there cleanly.
          yield chunk.value.subarray(0, Math.max(0, room));
          return;
        }
      } finally {
        // Past the limit, or the reader of the capped body went away: stop the download.
        if (!finished) await reader.cancel().catch(() => {});
      }
    }
    const headers = response.ok ? response.headers : new Headers(response.headers);
    if (!response.ok) headers.delete("content-length");
    const capped = new Response(ReadableStream.from(limited()), {
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
