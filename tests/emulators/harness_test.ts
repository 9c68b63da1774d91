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
