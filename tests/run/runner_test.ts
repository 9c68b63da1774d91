import assert from "node:assert/strict";
import { join } from "node:path";
import FakeTimers from "@sinonjs/fake-timers";
import { createLocal } from "../../adapters/local.ts";
import { countCases, generateCases } from "../../lib/run/cases.ts";
import { VisionBenchError } from "../../lib/contract/errors.ts";
import { type ImageEntry, loadImageSet } from "../../lib/images/image-set.ts";
import type { PriceCard } from "../../lib/contract/price-card.ts";
import { loadPriceCards } from "../../lib/price/cost.ts";
import { ResultRecordSchema } from "../../lib/contract/record.ts";
import { runCases, type RunOptions, type RunResult } from "../../lib/run/runner.ts";
import { type RunEvent } from "../../lib/contract/run-events.ts";
import { registerSecret } from "../../lib/util/secrets.ts";
import { readRun, readRuns } from "../../lib/run/run-store.ts";
import { ScriptedAdapter } from "../fixtures/scripted-adapter.ts";

const SAMPLE_IMAGES = new URL("../../images/", import.meta.url).pathname;

const tokensCard: PriceCard = {
  id: "openai/gpt-4o-mini",
  platform: "openai",
  model: "gpt-4o-mini",
  currency: "USD",
  asOf: "2026-11-01",
  source: "test card",
  basis: "tokens",
  inputPerMTok: 0.15,
  outputPerMTok: 0.6,
};

let imagesOnce: Promise<ImageEntry[]> | undefined;
/** The first two sample photos, copied once into a temp folder (real files, real sharp). */
function twoImages(): Promise<ImageEntry[]> {
  imagesOnce ??= (async () => {
    const dir = await Deno.makeTempDir();
    for (const name of ["o01_cat.png", "o04_pizza.jpg"]) {
      await Deno.copyFile(join(SAMPLE_IMAGES, name), join(dir, name));
    }
    return await loadImageSet(dir);
  })();
  return imagesOnce;
}

/** Resolves once `condition()` holds, checked every few ms; throws naming `what` after 20 s. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = performance.now() + 20_000;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Runs on fake time (timers and `performance.now`): waits and latencies are the runner's own, not
 * this machine's speed. `started` runs once the run is under way, before time is moved on.
 */
async function runOnFakeTime(
  options: RunOptions,
  started?: (clock: ReturnType<typeof installClock>) => Promise<void>,
): Promise<RunResult> {
  const clock = installClock();
  try {
    let settled = false;
    const running = runCases(options).finally(() => settled = true);
    await started?.(clock);
    while (!settled) await clock.tickAsync(1);
    return await running;
  } finally {
    clock.uninstall();
  }
}

function installClock() {
  return FakeTimers.withGlobal(globalThis).install({
    toFake: ["setTimeout", "clearTimeout", "performance"],
  });
}

async function setup(overrides: Partial<RunOptions> = {}) {
  const outDir = await Deno.makeTempDir();
  const events: RunEvent[] = [];
  const options: RunOptions = {
    runId: "test-run",
    outDir,
    targets: [],
    images: await twoImages(),
    variants: ["256"],
    prompts: [{ id: "default", text: "Describe the image." }],
    repeat: 1,
    onEvent: (event) => events.push(event),
    retry: { baseDelayMs: 1, maxDelayMs: 20 },
    ...overrides,
  };
  return { options, events, outDir };
}

Deno.test("generateCases() interleaves platforms: the target varies fastest", async () => {
  const a = { preset: "a", adapter: new ScriptedAdapter({ id: "a" }), concurrency: 1 };
  const b = { preset: "b", adapter: new ScriptedAdapter({ id: "b" }), concurrency: 1 };
  const options = {
    targets: [a, b],
    images: await twoImages(),
    variants: ["original", "256"],
    prompts: [{ id: "p", text: "x" }],
    repeat: 2,
    params: { maxOutputTokens: 300, stream: true },
  };
  const cases = [...generateCases(options)];
  assert.equal(cases.length, 2 * 2 * 2 * 2);
  assert.equal(countCases(options), cases.length);
  assert.deepEqual(cases.slice(0, 4).map((c) => c.target.preset), ["a", "b", "a", "b"]);
  assert.equal(new Set(cases.map((c) => c.key)).size, cases.length);
});

Deno.test("runCases() records every case with measured latency, ttft, tokens and cost", async () => {
  const adapter = new ScriptedAdapter({
    id: "openai",
    model: "gpt-4o-mini",
    delayMs: 20,
    firstTokenMs: 8,
  });
  const { options, events, outDir } = await setup({
    targets: [{ preset: "openai", adapter, priceCard: tokensCard, concurrency: 2 }],
    variants: ["original", "256"],
    repeat: 2,
  });
  const result = await runOnFakeTime(options);
  assert.equal(result.records.length, 2 * 2 * 2);
  assert.equal(adapter.calls, 8, "repeat N makes N real calls");
  assert.equal(result.path, join(outDir, "test-run.jsonl"));
  const { records, problems } = await readRun(result.path);
  assert.deepEqual(problems, []);
  assert.deepEqual(records, JSON.parse(JSON.stringify(result.records)));
  for (const record of records) {
    ResultRecordSchema.parse(record);
    assert.equal(record.status, "ok");
    assert.equal(record.latencyMs, 20);
    assert.equal(record.ttftMs, 8);
    assert.equal(record.attempts, 1);
    assert.equal(record.cached, false);
    assert.equal(record.concurrency, 2);
    assert.equal(record.costBasis, "tokens");
    assert.equal(record.costUsd, (1000 * 0.15 + 20 * 0.6) / 1e6);
    assert.deepEqual(record.price, tokensCard);
    assert.ok(record.estimatedImageTokens! > 0, "openai rule applies");
    assert.ok(record.width! > 0 && record.bytes! > 0);
  }
  const small = records.filter((r) => r.variant === "256");
  assert.ok(small.every((r) => Math.max(r.width!, r.height!) === 256));
  assert.deepEqual(events.map((e) => e.type).filter((t) => t !== "record"), ["start", "end"]);
  const last = events.at(-1)!;
  assert.ok(last.type === "end" && last.done === 8 && last.total === 8 && !last.cancelled);
});

Deno.test("runCases() runs the real local adapter end to end: free cost, real pixels", async () => {
  const cards = await loadPriceCards();
  const card = [...cards.values()].find((c) => c.platform === "local");
  assert.ok(card, "data/prices.json has a card for local");
  const { options } = await setup({
    targets: [{ preset: "local", adapter: createLocal(), priceCard: card, concurrency: 2 }],
    variants: ["original", "256"],
    cache: "bypass",
  });
  const result = await runCases(options);
  assert.equal(result.records.length, 4);
  for (const record of result.records) {
    assert.equal(record.status, "ok", record.error?.message ?? "");
    assert.equal(record.platform, "local");
    assert.ok(record.text.length > 0);
    assert.equal(record.costBasis, "free");
    assert.equal(record.costUsd, 0, "free is the one basis where 0 is the cost");
    assert.ok(record.latencyMs! > 0);
    assert.equal(record.estimatedImageTokens, undefined, "no documented rule for local");
  }
  const sizes = result.records.filter((r) => r.variant === "256").map((r) =>
    Math.max(r.width!, r.height!)
  );
  assert.deepEqual(sizes, [256, 256]);
});

Deno.test("runCases() never exceeds a platform's limit while platforms run side by side", async () => {
  const fast = new ScriptedAdapter({ id: "fast", delayMs: 15 });
  const slow = new ScriptedAdapter({ id: "slow", delayMs: 25 });
  let overall = 0;
  let overallPeak = 0;
  const track = (adapter: ScriptedAdapter) => {
    const describe = adapter.describe.bind(adapter);
    adapter.describe = async (request, options) => {
      overall++;
      overallPeak = Math.max(overallPeak, overall);
      try {
        return await describe(request, options);
      } finally {
        overall--;
      }
    };
  };
  track(fast);
  track(slow);
  const { options } = await setup({
    targets: [
      { preset: "fast", adapter: fast, concurrency: 3 },
      { preset: "slow", adapter: slow, concurrency: 1 },
    ],
    variants: ["256", "128"],
    repeat: 3,
    cache: "bypass",
  });
  const result = await runCases(options);
  assert.equal(result.records.length, 2 * 2 * 3 * 2);
  assert.equal(fast.peak, 3);
  assert.equal(slow.peak, 1);
  assert.equal(overallPeak, 4, "both platforms were busy at the same time");
});

Deno.test("runCases() retries retryable errors, honouring Retry-After, and records attempts", async () => {
  const adapter = new ScriptedAdapter({
    script: [
      { fail: new VisionBenchError("rate_limit", "429", { status: 429, retryAfterMs: 15 }) },
      { fail: new VisionBenchError("server", "500", { status: 500 }) },
    ],
    delayMs: 4,
    firstTokenMs: 2,
  });
  let firstRetry!: () => void;
  const retried = new Promise<void>((resolve) => firstRetry = resolve);
  const { options, events } = await setup({
    targets: [{ preset: "scripted", adapter, concurrency: 1 }],
    images: (await twoImages()).slice(0, 1),
    onEvent: (event) => {
      events.push(event);
      if (event.type === "retry") firstRetry();
    },
  });
  const result = await runOnFakeTime(options, async (clock) => {
    await retried;
    assert.equal(adapter.calls, 1);
    await clock.tickAsync(14);
    assert.equal(adapter.calls, 1, "no call before the Retry-After has passed");
  });
  assert.equal(adapter.calls, 3);
  assert.equal(result.records[0].status, "ok");
  assert.equal(result.records[0].attempts, 3);
  assert.equal(result.records[0].latencyMs, 4, "latency is the successful attempt only");
  assert.equal(result.records[0].ttftMs, 2);
  const retries = events.filter((e) => e.type === "retry");
  assert.deepEqual(retries.map((e) => e.type === "retry" && e.kind), ["rate_limit", "server"]);
  assert.ok(retries[0].type === "retry" && retries[0].delayMs === 15);
});

Deno.test("runCases() records a non-retryable error once, with attempts 1, and goes on", async () => {
  const adapter = new ScriptedAdapter({
    script: [{
      fail: new VisionBenchError("auth", "401 invalid key", {
        status: 401,
        code: "invalid_api_key",
      }),
    }],
  });
  const { options } = await setup({ targets: [{ preset: "scripted", adapter, concurrency: 1 }] });
  const result = await runCases(options);
  const [failed, passed] = result.records;
  assert.equal(failed.status, "error");
  assert.deepEqual(failed.error, {
    kind: "auth",
    status: 401,
    code: "invalid_api_key",
    message: "401 invalid key",
  });
  assert.equal(failed.attempts, 1);
  assert.equal(failed.costUsd, undefined);
  assert.equal(passed.status, "ok");
  assert.equal(adapter.calls, 2);
});

Deno.test("runCases() turns a hung call into a timeout that is retried, then recorded", async () => {
  const adapter = new ScriptedAdapter({ script: [{ hang: true }, { hang: true }, { hang: true }] });
  const { options } = await setup({
    targets: [{ preset: "scripted", adapter, concurrency: 1 }],
    images: (await twoImages()).slice(0, 1),
    timeoutMs: 40,
    retry: { maxAttempts: 2, baseDelayMs: 1 },
  });
  const first = await runCases(options);
  assert.equal(first.records[0].status, "error");
  assert.equal(first.records[0].error?.kind, "timeout");
  assert.equal(first.records[0].attempts, 2);
  // Same run again: the error case is tried again; one more hang, then an answer.
  const second = await runCases(options);
  assert.equal(second.records[0].status, "ok");
  assert.equal(second.records[0].attempts, 2);
  assert.equal(adapter.calls, 4);
});

Deno.test("runCases() on cancel aborts calls in flight, records nothing for them, resumes later", async () => {
  // Calls 1-3 answer fast; call 4 is slow, so it is the one in flight when the run is cancelled.
  const adapter = new ScriptedAdapter({
    decide: (_request, call) => ({ answer: `call ${call}`, delayMs: call <= 3 ? 10 : 2000 }),
  });
  const callSignals: AbortSignal[] = [];
  const describe = adapter.describe.bind(adapter);
  adapter.describe = (request, callOptions) => {
    callSignals.push(callOptions!.signal!);
    return describe(request, callOptions);
  };
  const controller = new AbortController();
  const { options, events } = await setup({
    targets: [{ preset: "scripted", adapter, concurrency: 2 }],
    variants: ["256", "128", "64"],
    repeat: 2,
    signal: controller.signal,
    onEvent(event) {
      events.push(event);
      if (event.type === "record" && event.done === 3) controller.abort();
    },
  });
  const result = await runCases(options);
  assert.equal(callSignals.length, 4);
  assert.ok(callSignals[3].aborted, "the slow call in flight was aborted");
  assert.ok(callSignals.slice(0, 3).every((signal) => !signal.aborted), "finished calls were not");
  assert.equal(result.cancelled, true);
  assert.equal(result.records.length, 3, "the call in flight at abort is not recorded");
  assert.ok(result.records.every((r) => r.status === "ok"));
  assert.equal(adapter.calls, 4, "no case started after the cancel");
  const end = events.at(-1);
  assert.ok(end?.type === "end" && end.cancelled);
  const onDisk = await readRun(result.path);
  assert.equal(onDisk.records.length, 3);

  const resumed = await runCases({
    ...options,
    targets: [{ preset: "scripted", adapter: new ScriptedAdapter(), concurrency: 2 }],
    signal: undefined,
    onEvent: undefined,
  });
  assert.equal(resumed.skipped, 3);
  assert.equal(resumed.records.length, 2 * 3 * 2 - 3);
  const all = await readRuns(options.outDir!);
  assert.equal(all.records.length, 12);
  assert.equal(new Set(all.records.map((r) => r.caseKey)).size, 12);
});

Deno.test("runCases() serves a later run from the cache with cached:true and the original latency", async () => {
  const adapter = new ScriptedAdapter({ delayMs: 30 });
  const { options, outDir } = await setup({
    targets: [{ preset: "scripted", adapter, concurrency: 2 }],
    repeat: 2,
  });
  const first = await runCases(options);
  assert.equal(adapter.calls, 4, "repeats are distinct calls, not cache hits");
  const second = await runCases({ ...options, runId: "second-run" });
  assert.equal(adapter.calls, 4, "no call on a cache hit");
  const byKey = new Map(first.records.map((r) => [r.caseKey, r]));
  for (const record of second.records) {
    const original = byKey.get(record.caseKey)!;
    assert.equal(record.cached, true);
    assert.equal(record.attempts, 0);
    assert.equal(record.latencyMs, original.latencyMs);
    assert.equal(record.ttftMs, original.ttftMs);
    assert.equal(record.inputTokens, original.inputTokens);
    assert.equal(record.text, original.text);
  }
  const entries = [...Deno.readDirSync(join(outDir, "cache", "responses"))];
  assert.equal(entries.length, 4);

  await runCases({ ...options, runId: "bypass-run", cache: "bypass" });
  assert.equal(adapter.calls, 8, "bypass calls again");
  const refreshed = await runCases({ ...options, runId: "refresh-run", cache: "refresh" });
  assert.equal(adapter.calls, 12, "refresh calls again");
  assert.ok(refreshed.records.every((r) => !r.cached));
  const third = await runCases({ ...options, runId: "third-run" });
  assert.equal(adapter.calls, 12);
  const refreshedByKey = new Map(refreshed.records.map((r) => [r.caseKey, r]));
  for (const record of third.records) {
    assert.equal(
      record.latencyMs,
      refreshedByKey.get(record.caseKey)!.latencyMs,
      "refresh rewrote",
    );
  }
});

Deno.test("runCases() with cache bypass neither reads nor writes the cache", async () => {
  const adapter = new ScriptedAdapter();
  const { options, outDir } = await setup({
    targets: [{ preset: "scripted", adapter, concurrency: 1 }],
    cache: "bypass",
  });
  await runCases(options);
  await assert.rejects(Deno.stat(join(outDir, "cache", "responses")), Deno.errors.NotFound);
});

Deno.test("runCases() resume skips ok cases and retries only the error cases", async () => {
  const failing = new Set<number>([1, 3]);
  const adapter = new ScriptedAdapter({
    decide: (_request, call) =>
      failing.has(call)
        ? { fail: new VisionBenchError("bad_request", "nope", { status: 400 }) }
        : undefined,
  });
  const { options } = await setup({
    targets: [{ preset: "scripted", adapter, concurrency: 1 }],
    repeat: 2,
    cache: "bypass",
  });
  const first = await runCases(options);
  assert.equal(first.records.filter((r) => r.status === "error").length, 2);
  const second = await runCases(options);
  assert.equal(second.skipped, 2);
  assert.equal(second.records.length, 2);
  assert.ok(second.records.every((r) => r.status === "ok"));
  assert.equal(adapter.calls, 6);
  const third = await runCases(options);
  assert.equal(third.records.length, 0);
  assert.equal(third.skipped, 4);
  const { records } = await readRuns(options.outDir!);
  assert.equal(records.length, 4);
  assert.ok(records.every((r) => r.status === "ok"));
});

Deno.test("runCases() turns image failures into image_* error records without calling the platform", async () => {
  const dir = await Deno.makeTempDir();
  const [good] = await twoImages();
  await Deno.copyFile(good.path, join(dir, "a_good.png"));
  await Deno.writeFile(join(dir, "b_empty.jpg"), new Uint8Array());
  await Deno.writeTextFile(join(dir, "c_text.png"), "this is not a picture");
  await Deno.copyFile(
    new URL("../fixtures/bad-images/truncated-progressive.jpeg", import.meta.url).pathname,
    join(dir, "d_truncated.jpeg"),
  );
  const images = await loadImageSet(dir);
  const adapter = new ScriptedAdapter();
  const { options } = await setup({
    targets: [{ preset: "scripted", adapter, concurrency: 2 }],
    images,
    variants: ["256", "original"],
    cache: "bypass",
  });
  const result = await runCases(options);
  assert.equal(result.records.length, images.length * 2);
  const byImage = Object.groupBy(result.records, (r) => r.imageId);
  assert.ok(byImage["a_good"]!.every((r) => r.status === "ok"));
  for (const id of ["b_empty", "c_text"]) {
    for (const record of byImage[id]!) {
      assert.equal(record.status, "error");
      assert.match(record.error!.kind, /^image_/);
      assert.equal(record.attempts, 0);
      assert.equal(record.width, undefined);
    }
  }
  assert.equal(byImage["b_empty"]![0].error!.kind, "image_empty");
  const okCount = result.records.filter((r) => r.status === "ok").length;
  assert.equal(adapter.calls, okCount, "no platform call for an image that failed");
});

Deno.test("runCases() prepares the next image while the cases of one are in flight", async () => {
  // One call at a time: without preparing ahead, the second image is read and resized only after
  // the first image's call returns, so the first call would never see its variant on disk.
  const variantCacheDir = await Deno.makeTempDir();
  const sidecars = async () => {
    let count = 0;
    for await (const entry of Deno.readDir(variantCacheDir)) {
      if (entry.name.endsWith(".json")) count++;
    }
    return count;
  };
  const seen: number[] = [];
  const adapter = new ScriptedAdapter({
    decide: () => undefined,
    delayMs: 1,
  });
  const describe = adapter.describe.bind(adapter);
  adapter.describe = async (request, options) => {
    if (seen.length === 0) await until(async () => (await sidecars()) >= 2, "the next image");
    seen.push(await sidecars());
    return await describe(request, options);
  };
  const { options } = await setup({
    targets: [{ preset: "scripted", adapter, concurrency: 1 }],
    variantCacheDir,
    cache: "bypass",
  });
  const result = await runCases(options);
  assert.deepEqual(result.records.map((record) => record.status), ["ok", "ok"]);
  assert.deepEqual(seen, [2, 2], "the second image was ready while the first one's call ran");
});

Deno.test("runCases() writes an unknown cost as costError, never 0", async () => {
  const noUsage = new ScriptedAdapter({ usage: {} });
  const noCard = new ScriptedAdapter({ id: "other" });
  const { options } = await setup({
    targets: [
      { preset: "no-usage", adapter: noUsage, priceCard: tokensCard, concurrency: 1 },
      { preset: "no-card", adapter: noCard, concurrency: 1 },
    ],
    images: (await twoImages()).slice(0, 1),
  });
  const result = await runCases(options);
  for (const record of result.records) {
    assert.equal(record.status, "ok");
    assert.equal(record.costUsd, undefined);
    assert.ok(record.costError && record.costError.length > 0);
  }
  const line = await Deno.readTextFile(result.path);
  assert.ok(!line.includes('"costUsd"'));
});

Deno.test("runCases() never writes a registered secret: error messages are redacted", async () => {
  const secret = "sk-test-RUNNER-0123456789abcdef";
  registerSecret(secret);
  const adapter = new ScriptedAdapter({
    script: [{
      fail: new VisionBenchError("auth", `401: Incorrect API key provided: ${secret}`, {
        status: 401,
      }),
    }],
  });
  const { options } = await setup({
    targets: [{ preset: "scripted", adapter, concurrency: 1 }],
    images: (await twoImages()).slice(0, 1),
  });
  const result = await runCases(options);
  const text = await Deno.readTextFile(result.path);
  assert.ok(!text.includes(secret));
  assert.match(result.records[0].error!.message, /Incorrect API key provided: \*\*\*/);
});

Deno.test("runCases() rejects a run id that is not file-safe", async () => {
  const { options } = await setup({ runId: "../escape" });
  await assert.rejects(
    runCases(options),
    (error) => error instanceof VisionBenchError && error.kind === "config",
  );
});

Deno.test("a run killed with SIGKILL resumes without duplicates or lost records", async () => {
  const outDir = await Deno.makeTempDir();
  const runId = "killed-run";
  const path = join(outDir, `${runId}.jsonl`);
  const fixture = new URL("../fixtures/kill-run.ts", import.meta.url).pathname;
  const start = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", fixture, runId, outDir, ...args],
      stdout: "piped",
      stderr: "piped",
    }).spawn();

  const child = start([]);
  // Wait until some records are on disk, then kill without warning.
  await until(async () => {
    const text = await Deno.readTextFile(path).catch(() => "");
    return text.split("\n").length - 1 >= 6;
  }, "6 records on disk");
  child.kill("SIGKILL");
  const killed = await child.output();
  assert.equal(killed.signal, "SIGKILL");
  const before = await readRun(path);
  assert.ok(before.records.length >= 6, `records before the kill: ${before.records.length}`);
  assert.ok(before.records.length < 24, "killed before the end");

  const resumed = await start([]).output();
  assert.equal(resumed.code, 0, new TextDecoder().decode(resumed.stderr));
  const summary = JSON.parse(new TextDecoder().decode(resumed.stdout));
  assert.equal(summary.total, 24);

  const after = await readRun(path);
  const okKeys = after.records.filter((r) => r.status === "ok").map((r) => r.caseKey);
  assert.equal(new Set(okKeys).size, okKeys.length, "no duplicate ok caseKeys in the file");
  const merged = await readRuns(outDir);
  assert.equal(merged.records.length, 24);
  assert.ok(merged.records.every((r) => r.status === "ok"));
  const afterIds = new Set(after.records.map((r) => r.recordId));
  assert.ok(before.records.every((r) => afterIds.has(r.recordId)), "nothing recorded was lost");
  assert.equal(summary.skipped, before.records.filter((r) => r.status === "ok").length);
});

Deno.test("runCases() pulls cases on demand: repeat 1e9 starts at once, a cancel leaves only the calls in flight", async () => {
  const adapter = new ScriptedAdapter({ delayMs: 2 });
  const controller = new AbortController();
  const { options, events } = await setup({
    targets: [{ preset: "scripted", adapter, concurrency: 2 }],
    images: (await twoImages()).slice(0, 1),
    // Built up front, 10⁹ cases would exhaust memory before the first call.
    repeat: 1e9,
    cache: "bypass",
    keepRecords: false,
    signal: controller.signal,
    onEvent: (event) => {
      events.push(event);
      if (event.type === "record" && event.done >= 5) controller.abort();
    },
  });
  const result = await runCases(options);
  // `start` names the platforms (per-platform progress) and the models without a price card.
  assert.deepEqual(events[0], {
    type: "start",
    runId: "test-run",
    total: 1e9,
    alreadyDone: 0,
    presets: ["scripted"],
    unpriced: [{ preset: "scripted", model: "scripted-1" }],
  });
  assert.ok(result.cancelled);
  assert.equal(result.total, 1e9);
  assert.ok(result.written >= 5 && result.written <= 5 + 2, `written ${result.written}`);
  assert.ok(adapter.calls <= 5 + 2, `calls ${adapter.calls}: only the cases in flight ran`);
  assert.deepEqual(result.records, [], "keepRecords: false holds no records");
  assert.deepEqual(result.caseKeys, []);
});

Deno.test("runCases() refuses a timeout a timer cannot hold before calling anything", async () => {
  const adapter = new ScriptedAdapter();
  const { options } = await setup({
    targets: [{ preset: "scripted", adapter, concurrency: 1 }],
    // 3,000,000 s: setTimeout would fire after 1 ms and every call would "time out".
    timeoutMs: 3_000_000_000,
  });
  await assert.rejects(
    runCases(options),
    (error) =>
      error instanceof VisionBenchError && error.kind === "config" &&
      /timeout must be between 1 ms and 2147483647 ms/.test(error.message),
  );
  assert.equal(adapter.calls, 0);
});

Deno.test("runCases() memory does not grow with the number of calls (keepRecords: false)", async () => {
  const outDir = await Deno.makeTempDir();
  const fixture = new URL("../fixtures/memory-run.ts", import.meta.url).pathname;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", fixture, outDir, "5000", "1000", "5000"],
    stderr: "inherit",
  }).output();
  assert.ok(output.success);
  const heap = JSON.parse(new TextDecoder().decode(output.stdout));
  const growth = heap["5000"] - heap["1000"];
  // Holding the 4,000 records written in between adds ~2.4 MB (measured with keepRecords: true).
  assert.ok(growth < 2 ** 20, `heap grew ${(growth / 2 ** 20).toFixed(2)} MB over 4,000 calls`);
  await Deno.remove(outDir, { recursive: true });
});
