/**
 * Issue 9, finding 2: a platform that reports odd usage (negative, string, absurd token counts,
 * a negative predict_time / executionTime) through its official SDK. Each case must end as
 * exactly one row that reads back — and resuming must neither add rows nor call again.
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
  /** The row that must come out: an error naming this field, or ok with a costError. */
  expect: { field: string } | { costError: RegExp };
}

const huge = { costError: /beyond any real call|not a finite/ };
const CASES: HostileCase[] = [
  { preset: "openai", behaviour: { outputTokens: -7 }, expect: { field: "outputTokens" } },
  { preset: "anthropic", behaviour: { outputTokens: -7 }, expect: { field: "outputTokens" } },
  // The Anthropic adapter's own schema drops a string count: an ok row whose cost is unknown.
  {
    preset: "anthropic",
    behaviour: { outputTokens: "12" },
    expect: { costError: /reported no outputTokens/ },
  },
  { preset: "anthropic", behaviour: { outputTokens: 1e308 }, expect: huge },
  { preset: "gemini", behaviour: { outputTokens: "12" }, expect: { field: "outputTokens" } },
  { preset: "gemini", behaviour: { outputTokens: 1e308 }, expect: huge },
  { preset: "ollama-cloud", behaviour: { outputTokens: -7 }, expect: { field: "outputTokens" } },
  { preset: "cloudflare", behaviour: { outputTokens: -7 }, expect: { field: "outputTokens" } },
  { preset: "cloudflare", behaviour: { outputTokens: 1e308 }, expect: huge },
  { preset: "replicate", behaviour: { predictMs: -1500 }, expect: { field: "gpuSeconds" } },
  { preset: "runpod", behaviour: { executionTimeMs: -1340 }, expect: { field: "gpuSeconds" } },
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
      assertExpected(records[0], hostile.expect);
      assert.deepEqual(third.caseRecords.map((record) => record.recordId), [records[0].recordId]);
    } finally {
      await fleet.close();
    }
  });
}

function assertExpected(record: ResultRecord, expect: HostileCase["expect"]) {
  if ("field" in expect) {
    assert.equal(record.status, "error");
    assert.equal(record.error?.kind, "invalid_response");
    assert.match(record.error!.message, new RegExp(`\\b${expect.field}\\b`));
    assert.equal(record.final, true);
  } else {
    assert.equal(record.status, "ok", record.error?.message ?? "");
    assert.equal(record.costUsd, undefined, "no Infinity, no null");
    assert.equal(record.batchCostUsd, undefined);
    assert.match(record.costError ?? "", expect.costError);
  }
}

Deno.test("runCases() turns a negative or string inputTokens into an invalid_response row, not cached, not called again", async () => {
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
    // A new run would be served from the cache: the unreadable answer must not be there.
    const fresh = await runCases({ ...options, runId: `usage-${index}-again` });
    assert.equal(adapter.calls, 2, `usage ${index}: one call per run id, resume called again`);
    assert.equal(fresh.records[0].cached, false);
    const { records, problems } = await readRun(first.path);
    assert.deepEqual(problems, []);
    assert.equal(records.length, 1);
    assert.equal(records[0].error?.kind, "invalid_response");
    assert.match(
      records[0].error!.message,
      index === 2 ? /reasoningTokens/ : /inputTokens.*\(got "?-?\d+"?\)/,
    );
  }
});
