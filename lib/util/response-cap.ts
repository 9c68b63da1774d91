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
 * The body is counted by a stream that reads it a chunk at a time when its reader asks for one,
 * so a streamed answer still streams. (A `TransformStream` does the same, but its pipe cost the
 * bench 0.5–0.8 s more CPU over 1,860 streamed calls, and 80–120 MB more peak RSS.)
 *
 * @module
 */
import { VisionBenchError } from "../contract/errors.ts";

/** Default cap of a 2xx body: far above any description, below what hurts (docs/robustness.md). */
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
    if (response.ok && declared > limit) {
      await response.body.cancel();
      throw tooLarge();
    }
    // A declared length within the limit bounds the body (the HTTP client stops there), unless
    // it is compressed: then it is the length on the wire, not of what the body inflates to.
    if (
      response.ok && response.headers.has("content-length") &&
      !response.headers.has("content-encoding")
    ) {
      return response;
    }
    // The body only ever grows by what its reader asked for: no read ahead (highWaterMark 0).
    let seen = 0;
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        const room = limit - seen;
        seen += value.byteLength;
        if (value.byteLength <= room) return controller.enqueue(value);
        await reader.cancel().catch(() => {});
        if (response.ok) return controller.error(tooLarge());
        controller.enqueue(value.subarray(0, room));
        controller.close();
      },
      cancel: (reason) => reader.cancel(reason),
    }, { highWaterMark: 0 });
    const headers = new Headers(response.headers);
    if (!response.ok) headers.delete("content-length");
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}
