/**
 * Issue 9, finding 2: a platform that reports odd usage (negative, string, absurd token counts,
 * a negative predict_time / executionTime) through its official SDK. Each case must end as
 * exactly one row that reads back — and resuming must neither add rows nor call again. The
 * implausible count is left out with a warning naming it (lib/contract/usage-sanity.ts), so the
 * description is kept and the cost is "unknown", never computed from garbage.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runBenchmark } from "../../lib/app/bench.ts";
import type { Description } from "../../lib/contract/adapter.ts";
import type { ResultRecord } from "../../lib/contract/record.ts";
import { loadImageSet } from "../../lib/images/image-set.ts";
import { readRun } from "../../lib/run/run-store.ts";
import { runCases } from "../../lib/run/runner.ts";
import type { EmulatorBehaviour } from "../../emulators/harness.ts";
import { type EmulatedPreset, startAllEmulators } from "../../emulators/all.ts";
import { ScriptedAdapter } from "../fixtures/scripted-adapter.ts";

const SAMPLE_IMAGES = new URL("../../images/", import.meta.url).pathname;

/** One sample photo in a folder of its own: one case per platform. */
const imagesDir = await Deno.makeTempDir();
await Deno.copyFile(join(SAMPLE_IMAGES, "o01_cat.png"), join(imagesDir, "o01_cat.png"));

interface HostileCase {
  preset: EmulatedPreset;
  /** What the emulator reports (replicate / runpod options ride along, hence the cast). */
  behaviour: Record<string, unknown>;
  /** The usage field left out (named in a warning), or undefined where the adapter drops it. */
  dropped?: string;
  /** Why the row has no cost; absent where the bill does not depend on the count (subscription). */
  costError?: RegExp;
}

const CASES: HostileCase[] = [
  {
    preset: "openai",
    behaviour: { outputTokens: -7 },
    dropped: "outputTokens",
    costError: /no outputTokens/,
  },
  {
    preset: "anthropic",
    behaviour: { outputTokens: -7 },
    dropped: "outputTokens",
    costError: /no outputTokens/,
  },
  // The Anthropic adapter's own schema drops a string count before the sanity check sees it.
  { preset: "anthropic", behaviour: { outputTokens: "12" }, costError: /no outputTokens/ },
  {
    preset: "anthropic",
    behaviour: { outputTokens: 1e308 },
    dropped: "outputTokens",
    costError: /no outputTokens/,
  },
  {
    preset: "gemini",
    behaviour: { outputTokens: "12" },
    dropped: "outputTokens",
    costError: /no outputTokens/,
  },
  {
    preset: "gemini",
    behaviour: { outputTokens: 1e308 },
    dropped: "outputTokens",
    costError: /no outputTokens/,
  },
  {
    preset: "ollama-cloud",
    behaviour: { outputTokens: -7 },
    dropped: "outputTokens",
  },
  {
    preset: "cloudflare",
    behaviour: { outputTokens: -7 },
    dropped: "outputTokens",
    costError: /no outputTokens/,
  },
  {
    preset: "cloudflare",
    behaviour: { outputTokens: 1e308 },
    dropped: "outputTokens",
    costError: /no outputTokens/,
  },
  {
    preset: "replicate",
    behaviour: { predictMs: -1500 },
    dropped: "gpuSeconds",
    costError: /gpuSeconds/,
  },
  {
    preset: "runpod",
    behaviour: { executionTimeMs: -1340 },
    dropped: "gpuSeconds",
    costError: /gpuSeconds/,
  },
];

function platformCalls(requests: { method: string }[]): number {
  // Every platform call is a POST; Replicate and RunPod polls are GETs.
  return requests.filter((request) => request.method === "POST").length;
}

for (const hostile of CASES) {
  const label = `${hostile.preset} reporting ${JSON.stringify(hostile.behaviour)}`;
  Deno.test(`${label}: one readable row, and two resumes neither add a row nor call again`, async () => {
    const fleet = startAllEmulators({
      only: [hostile.preset],
      behaviour: { [hostile.preset]: hostile.behaviour as Partial<EmulatorBehaviour> },
    });
    const outDir = await Deno.makeTempDir();
    try {
      const run = () =>
        runBenchmark({
          platforms: [hostile.preset],
          env: fleet.env,
          images: imagesDir,
          variants: ["256"],
          runId: "hostile",
          outDir,
          retry: { maxAttempts: 1 },
        });
      const first = await run();
      const emulator = fleet.emulators[hostile.preset];
      const callsAfterFirst = platformCalls(emulator.requests);
      assert.ok(callsAfterFirst >= 1);
      await run();
      const third = await run();
      assert.equal(platformCalls(emulator.requests), callsAfterFirst, "resume called again");
      assert.equal(third.skipped, 1);

      const { records, problems } = await readRun(first.path);
      assert.deepEqual(problems, [], "every line reads back");
      assert.equal(records.length, 1, "one row for the one case");
      assertExpected(records[0], hostile);
      assert.deepEqual(third.caseRecords.map((record) => record.recordId), [records[0].recordId]);
    } finally {
      await fleet.close();
    }
  });
}

function assertExpected(record: ResultRecord, hostile: HostileCase) {
  assert.equal(record.status, "ok", record.error?.message ?? "");
  if (hostile.dropped) {
    assert.ok(
      record.warnings?.some((warning) =>
        warning.startsWith(`usage: ${hostile.dropped} = `) && warning.endsWith("left out")
      ),
      `a warning names ${hostile.dropped}: ${JSON.stringify(record.warnings)}`,
    );
    assert.equal((record as Record<string, unknown>)[hostile.dropped], undefined);
  }
  if (!hostile.costError) {
    assert.ok(Number.isFinite(record.costUsd), "a subscription's share does not use the count");
    return;
  }
  assert.equal(record.costUsd, undefined, "no Infinity, no null, no cost from garbage");
  assert.equal(record.batchCostUsd, undefined);
  assert.match(record.costError ?? "", hostile.costError);
}

Deno.test("runCases() leaves a negative, string or NaN count out with a warning, and caches the cleaned answer", async () => {
  const images = await loadImageSet(imagesDir);
  const outDir = await Deno.makeTempDir();
  const usages = [
    { inputTokens: -5, outputTokens: 20 },
    { inputTokens: "900" as unknown as number, outputTokens: 20 },
    { inputTokens: 900, outputTokens: 20, reasoningTokens: Number.NaN },
  ] satisfies Description["usage"][];
  for (const [index, usage] of usages.entries()) {
    const adapter = new ScriptedAdapter({ id: "openai", model: `m${index}`, usage });
    const options = {
      runId: `usage-${index}`,
      outDir,
      targets: [{ preset: "openai", adapter, concurrency: 1 }],
      images,
      variants: ["256"],
      prompts: [{ id: "p", text: "Describe." }],
    };
    const first = await runCases(options);
    await runCases(options);
    // A new run is served from the cache: what was cached is the cleaned answer.
    const fresh = await runCases({ ...options, runId: `usage-${index}-again` });
    assert.equal(adapter.calls, 1, `usage ${index}: one call in all, resume and cache held`);
    const { records, problems } = await readRun(first.path);
    assert.deepEqual(problems, []);
    assert.equal(records.length, 1);
    const field = index === 2 ? "reasoningTokens" : "inputTokens";
    for (const record of [records[0], fresh.records[0]]) {
      assert.equal(record.status, "ok");
      assert.equal((record as Record<string, unknown>)[field], undefined);
      assert.ok(record.warnings?.some((warning) => warning.startsWith(`usage: ${field} = `)));
    }
    assert.equal(fresh.records[0].cached, true);
  }
});
