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

Deno.test("capResponses() hands each streamed event on as it arrives, and still caps the stream", async () => {
  // A real server sends one SSE event, then waits until the client has read it before the rest:
  // a cap that held chunks back would never let the first one through.
  const encoder = new TextEncoder();
  const first = "data: first\n\n";
  const rest = `data: ${"r".repeat(200_000)}\n\n`;
  let firstRead!: () => void;
  const firstWasRead = new Promise<void>((resolve) => firstRead = resolve);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response(
        new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(encoder.encode(first));
            await firstWasRead;
            controller.enqueue(encoder.encode(rest));
            controller.close();
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      ),
  );
  try {
    const url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`;
    const reader = (await capResponses(fetch, { maxBytes: 1_000_000 })(url)).body!
      .pipeThrough(new TextDecoderStream()).getReader();
    const chunk = await reader.read();
    assert.equal(chunk.value, first);
    firstRead();
    let text = chunk.value;
    for (let read = await reader.read(); !read.done; read = await reader.read()) text += read.value;
    assert.equal(text, first + rest, "the body's bytes are unchanged");
    // The same body past a limit ends as the typed error.
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
    "text()": (response) => response.text(),
    "json()": (response) => response.json(),
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
