/**
 * The emulator harness itself: what a long-running emulator keeps of the requests it served.
 */
import assert from "node:assert/strict";
import { startAllEmulators } from "../../emulators/all.ts";
import { startOpenAIEmulator } from "../../emulators/openai.ts";

async function postChat(baseUrl: string, n: number): Promise<void> {
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer wrong" },
    body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: `#${n}` }] }),
  });
  await response.body?.cancel();
}

Deno.test("an emulator keeps every request by default, and only the latest with keepRequests", async () => {
  const everything = startOpenAIEmulator();
  const bounded = startOpenAIEmulator({ keepRequests: 2 });
  try {
    for (let n = 0; n < 5; n++) {
      await postChat(everything.url, n);
      await postChat(bounded.url, n);
    }
    assert.equal(everything.requests.length, 5);
    assert.deepEqual(
      bounded.requests.map((request) =>
        (request.body as { messages: { content: string }[] }).messages[0].content
      ),
      ["#3", "#4"],
    );
  } finally {
    await everything.close();
    await bounded.close();
  }
});

Deno.test("startAllEmulators hands keepRequests to every emulator", async () => {
  const fleet = startAllEmulators({ keepRequests: 3 });
  try {
    for (const emulator of Object.values(fleet.emulators)) {
      assert.equal(emulator.behaviour.keepRequests, 3);
    }
  } finally {
    await fleet.close();
  }
});

Deno.test("onRequest hears every request as it arrives, even one answered with an error", async () => {
  const heard: string[] = [];
  const emulator = startOpenAIEmulator({
    onRequest: (request) => heard.push(`${request.method} ${request.path}`),
  });
  try {
    await postChat(emulator.url, 0); // a wrong key: a 401, still heard
    assert.deepEqual(heard, ["POST /v1/chat/completions"]);
  } finally {
    await emulator.close();
  }
});

Deno.test("serve-emulators --request-times prints the first request's time, and the count at stop", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../scripts/serve-emulators.ts", import.meta.url).pathname,
      "--json",
      "--request-times",
      "--only",
      "openai",
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) text += (await lines.read()).value ?? "";
  const env = JSON.parse(text.split("\n")[0]).env as Record<string, string>;
  const before = performance.timeOrigin + performance.now();
  await postChat(env.OPENAI_BASE_URL.replace(/\/v1$/, ""), 0);
  await postChat(env.OPENAI_BASE_URL.replace(/\/v1$/, ""), 1);
  child.kill("SIGTERM");
  for (let chunk = await lines.read(); !chunk.done; chunk = await lines.read()) text += chunk.value;
  await child.status;
  const [first, last] = text.trim().split("\n").slice(1).map((line) => JSON.parse(line));
  // Two processes, one clock (the epoch): a few ms allowed for how each rounds its time origin.
  assert.ok(first.firstRequestAt >= before - 5, "the first request's time is when it arrived");
  assert.equal(last.requests, 2);
  assert.ok(last.lastRequestAt >= first.firstRequestAt);
});
