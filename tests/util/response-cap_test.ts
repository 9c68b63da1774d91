import assert from "node:assert/strict";
import { capResponses } from "../../lib/util/response-cap.ts";
import { isVisionBenchError } from "../../lib/contract/errors.ts";

/** A fetch that answers `body` with `status`, streamed in 16 KiB chunks (no content-length). */
function serving(body: string, status = 200, type = "application/json"): typeof fetch {
  return () => {
    const bytes = new TextEncoder().encode(body);
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= bytes.length) return controller.close();
        controller.enqueue(bytes.subarray(at, at += 16 * 1024));
      },
    });
    return Promise.resolve(new Response(stream, { status, headers: { "content-type": type } }));
  };
}

Deno.test("capResponses() passes a body under the limit through unchanged", async () => {
  const capped = capResponses(serving('{"ok":true}'), { maxBytes: 1024 });
  const response = await capped("http://x.test");
  assert.deepEqual(await response.json(), { ok: true });
});

Deno.test("capResponses() fails a 2xx body past the limit with a typed, not-retryable error", async () => {
  const capped = capResponses(serving("x".repeat(300_000)), { maxBytes: 100_000, platform: "t" });
  const response = await capped("http://x.test");
  await assert.rejects(response.text(), (error) => {
    assert.ok(isVisionBenchError(error, "invalid_response"));
    assert.equal(error.code, "response_too_large");
    assert.equal(error.retryable, false);
    assert.match(error.message, /larger than 100000 bytes/);
    return true;
  });
});

Deno.test("capResponses() refuses a declared content-length past the limit before reading", async () => {
  const big: typeof fetch = () =>
    Promise.resolve(new Response("x".repeat(2000), { headers: { "content-length": "2000" } }));
  await assert.rejects(
    capResponses(big, { maxBytes: 1000 })("http://x.test"),
    (error) => isVisionBenchError(error, "invalid_response"),
  );
});

Deno.test("capResponses() cuts a huge error page and keeps its status, so the status decides the kind", async () => {
  const page = `<html>${"x".repeat(5_000_000)}</html>`;
  const capped = capResponses(serving(page, 500, "text/html"), { maxErrorBytes: 64 * 1024 });
  const response = await capped("http://x.test");
  assert.equal(response.status, 500);
  const text = await response.text();
  assert.equal(text.length, 64 * 1024);
  assert.ok(text.startsWith("<html>"));
});

Deno.test("capResponses() counts a compressed body as it inflates, whatever its declared length", async () => {
  // A real server and a real gzip: 20 KB on the wire, 2 MB once fetch inflates it.
  const inflated = "x".repeat(2_000_000);
  const gzipped = new Uint8Array(
    await new Response(
      new Blob([inflated]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer(),
  );
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response(gzipped, {
        headers: { "content-encoding": "gzip", "content-length": String(gzipped.length) },
      }),
  );
  try {
    const { port } = server.addr as Deno.NetAddr;
    const response = await capResponses(fetch, { maxBytes: 100_000 })(`http://127.0.0.1:${port}/`);
    await assert.rejects(response.text(), (error) => isVisionBenchError(error, "invalid_response"));
  } finally {
    await server.shutdown();
  }
});

Deno.test("capResponses() reads a streamed HTTP body into small new buffers, and still caps it", async () => {
  // Events of a few hundred bytes, as a streamed answer sends them, then 200 KB in one piece.
  const events = Array.from({ length: 5 }, (_, index) => `data: ${String(index).repeat(300)}\n\n`);
  const tail = "t".repeat(200_000);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    const encoder = new TextEncoder();
    return new Response(
      new ReadableStream<Uint8Array>({
        async start(controller) {
          for (const event of events) {
            controller.enqueue(encoder.encode(event));
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
          controller.enqueue(encoder.encode(tail));
          controller.close();
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    );
  });
  try {
    const url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`;
    const reader = (await capResponses(fetch, { maxBytes: 1_000_000 })(url)).body!.getReader();
    const chunks: Uint8Array[] = [];
    const copies: Uint8Array[] = [];
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      chunks.push(read.value);
      copies.push(read.value.slice());
    }
    const decoder = new TextDecoder();
    assert.equal(chunks.map((chunk) => decoder.decode(chunk)).join(""), events.join("") + tail);
    // Deno's own reader would hand out views of a new 64 KiB buffer for every event.
    assert.ok(chunks[0].buffer.byteLength <= 4096, `first buffer ${chunks[0].buffer.byteLength} B`);
    assert.ok(chunks.every((chunk) => chunk.buffer.byteLength <= 65536));
    // No buffer is written again once handed out.
    assert.equal(new Set(chunks.map((chunk) => chunk.buffer)).size, chunks.length);
    chunks.forEach((chunk, index) => assert.deepEqual(chunk, copies[index]));
    // The same body past a limit still ends as the typed error.
    const capped = await capResponses(fetch, { maxBytes: 100_000 })(url);
    await assert.rejects(capped.text(), (error) => isVisionBenchError(error, "invalid_response"));
  } finally {
    await server.shutdown();
  }
});

Deno.test("capResponses() passes a plain body with a declared length as it came", async () => {
  const original = new Response('{"ok":true}', { headers: { "content-length": "11" } });
  const response = await capResponses(() => Promise.resolve(original), { maxBytes: 1024 })(
    "http://x.test",
  );
  assert.equal(response, original);
});

Deno.test("capResponses() stops the download when the reader of a capped body cancels it", async () => {
  let cancelled = false;
  const endless: typeof fetch = () =>
    Promise.resolve(
      new Response(
        new ReadableStream<Uint8Array>({
          pull: (controller) => controller.enqueue(new Uint8Array(1024)),
          cancel: () => {
            cancelled = true;
          },
        }),
      ),
    );
  const response = await capResponses(endless, { maxBytes: 1_000_000 })("http://x.test");
  const reader = response.body!.getReader();
  await reader.read();
  await reader.cancel();
  assert.ok(cancelled);
});

Deno.test("capResponses() counts a 2xx body whichever way an SDK reads it", async () => {
  const capped = capResponses(serving("x".repeat(300_000)), { maxBytes: 100_000 });
  const drain = async (stream: ReadableStream<unknown>) => {
    for await (const _chunk of stream) { /* read to the end */ }
  };
  const ways: Record<string, (response: Response) => Promise<unknown>> = {
    "body.getReader()": async (response) => {
      const reader = response.body!.getReader();
      while (!(await reader.read()).done) { /* read to the end */ }
    },
    "for await of body": (response) => drain(response.body!),
    "body.pipeThrough()": (response) => drain(response.body!.pipeThrough(new TextDecoderStream())),
    "body.tee()": (response) => drain(response.body!.tee()[0]),
    "body.values()": (response) => drain(response.body!),
    "text()": (response) => response.text(),
    "json()": (response) => response.json(),
    "arrayBuffer()": (response) => response.arrayBuffer(),
    "bytes()": (response) => response.bytes(),
    "blob()": (response) => response.blob(),
    "clone().text()": (response) => response.clone().text(),
  };
  for (const [way, read] of Object.entries(ways)) {
    await assert.rejects(
      read(await capped("http://x.test")),
      (error) => isVisionBenchError(error, "invalid_response"),
      way,
    );
  }
  // Under the limit, each way reads the whole body.
  const small = capResponses(serving('{"ok":true}'), { maxBytes: 100_000 });
  assert.equal(await (await small("http://x.test")).text(), '{"ok":true}');
  assert.deepEqual(await (await small("http://x.test")).clone().json(), { ok: true });
  assert.equal((await (await small("http://x.test")).bytes()).length, 11);
});
