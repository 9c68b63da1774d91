/**
 * Issue 20 against batch emulators made hostile: an echoed key and escape sequences, a results
 * file on another origin, Gemini answers without keys, a batch the platform no longer knows.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runBenchmark } from "../../lib/app/bench.ts";
import { readBatchManifest, writeManifest } from "../../lib/run/batch/manifest.ts";
import { readRun } from "../../lib/run/run-store.ts";
import { repoPath } from "../../lib/util/paths.ts";
import { BATCH_PRESETS, startBatchFleet } from "../support/batch-fleet.ts";

const FAST_POLL = { pollIntervalMs: 5, maxPollIntervalMs: 20 };
const outDir = await Deno.makeTempDir({ prefix: "vb-hostile-batch-" });

async function filesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...await filesUnder(path));
    else if (!/\.(png|jpe?g|webp)$/.test(entry.name)) files.push(path);
  }
  return files;
}

Deno.test("a batch server echoing the key (with escape sequences) in a malformed line and an unknown custom_id: the key is in no file and no output, no ESC is printed", async () => {
  const fleet = startBatchFleet({
    queuedMs: 0,
    runningMs: 0,
    malformedLine: true,
    unknownResult: true,
    echoCredentials: true,
  });
  const out = await Deno.makeTempDir({ prefix: "vb-echo-" });
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        repoPath("lib/app/cli.ts"),
        "--mode=batch",
        "--platform=openai,anthropic,gemini",
        "--limit=1",
        "--resize=64",
        "--batch-poll=1",
        `--out=${out}`,
        "--run-id=echo",
      ],
      env: { ...fleet.env, NO_COLOR: "1", VISIONBENCH_ENV_FILE: "/dev/null" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const printed = new TextDecoder().decode(output.stdout) +
      new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, printed);
    assert.match(printed, /unknown custom_id not-submitted-by-anyone/, "the warning is there");
    const keys = Object.entries(fleet.env).filter(([name]) => /KEY/.test(name))
      .map(([, value]) => value);
    assert.equal(keys.length, 3);
    const texts = [printed];
    for (const path of await filesUnder(out)) texts.push(await Deno.readTextFile(path));
    for (const text of texts) {
      for (const key of keys) assert.ok(!text.includes(key), `a key leaked: ${text.slice(0, 400)}`);
    }
    assert.ok(!printed.includes("\u001b"), "an escape sequence reached the terminal");
    const manifest = await Deno.readTextFile(join(out, "echo.batches.json"));
    assert.ok(!manifest.includes("\\u001b"), "no control character in the manifest");
  } finally {
    await fleet.close();
  }
});

for (const resultsOrigin of ["foreign", "redirect"] as const) {
  Deno.test(`an Anthropic results_url ${resultsOrigin === "foreign" ? "on another origin" : "redirecting to another origin"} receives no credentials`, async () => {
    const fleet = startBatchFleet({ queuedMs: 0, runningMs: 0, resultsOrigin });
    try {
      const problems: string[] = [];
      const result = await runBenchmark({
        platforms: ["anthropic"],
        mode: "batch",
        runId: `results-${resultsOrigin}`,
        outDir,
        limit: 1,
        variants: ["64"],
        env: fleet.env,
        batch: FAST_POLL,
        onBatchEvent: (event) => event.type === "batch-problem" && problems.push(event.message),
      });
      const downloads = fleet.emulators.anthropic.requests.filter((request) =>
        request.path.endsWith("/results")
      );
      const elsewhere = downloads.filter((request) =>
        request.headers.host.startsWith("localhost:")
      );
      assert.equal(elsewhere.length, 1);
      assert.equal(elsewhere[0].headers["x-api-key"], undefined);
      assert.equal(elsewhere[0].headers.authorization, undefined);
      if (resultsOrigin === "redirect") {
        // The platform's own origin was asked with the key.
        const home = downloads.find((request) => request.headers.host.startsWith("127.0.0.1:"))!;
        assert.ok(home.headers["x-api-key"] ?? home.headers.authorization);
      }
      assert.equal(result.caseRecords[0].status, "ok", "the results were read all the same");
      if (resultsOrigin === "foreign") {
        assert.match(
          problems.join("\n"),
          /on localhost:\d+, not 127\.0\.0\.1:\d+: read without the API key/,
        );
      }
    } finally {
      await fleet.close();
    }
  });
}

Deno.test("Gemini answers without metadata.key, one missing: none is attributed by position", async () => {
  const fleet = startBatchFleet({ queuedMs: 0, runningMs: 0, unkeyedResults: true });
  try {
    const problems: string[] = [];
    const result = await runBenchmark({
      platforms: ["gemini"],
      mode: "batch",
      runId: "unkeyed",
      outDir,
      limit: 3,
      variants: ["64"],
      env: fleet.env,
      batch: FAST_POLL,
      onBatchEvent: (event) => event.type === "batch-problem" && problems.push(event.message),
    });
    assert.equal(result.caseRecords.length, 3);
    assert.ok(
      result.caseRecords.every((record) => record.error?.code === "batch_result_missing"),
      JSON.stringify(result.caseRecords.map((record) => record.status)),
    );
    assert.equal(problems.filter((message) => /has no metadata\.key/.test(message)).length, 2);
  } finally {
    await fleet.close();
  }
});

Deno.test("a batch the platform answers 404 for: its cases become final error rows after a clear message; the next run submits nothing", async () => {
  const fleet = startBatchFleet({ queuedMs: 0, runningMs: 60_000 });
  try {
    const options = {
      platforms: [...BATCH_PRESETS],
      mode: "batch" as const,
      runId: "gone",
      outDir,
      limit: 1,
      variants: ["64"],
      env: fleet.env,
    };
    await runBenchmark({ ...options, batch: { ...FAST_POLL, wait: false } });
    const manifest = await readBatchManifest(outDir, "gone");
    for (const shard of manifest.shards) shard.batchId = `${shard.batchId}x`; // unknown there
    await writeManifest(outDir, manifest);
    const problems: string[] = [];
    const result = await runBenchmark({
      ...options,
      batch: FAST_POLL,
      onBatchEvent: (event) => event.type === "batch-problem" && problems.push(event.message),
    });
    assert.equal(problems.length, 3, problems.join("\n"));
    assert.ok(problems.every((message) => /does not know batch .* final errors/.test(message)));
    assert.ok(
      result.caseRecords.every((record) => record.final && record.error?.kind === "not_found"),
    );
    const again = await runBenchmark({ ...options, batch: FAST_POLL });
    assert.equal(again.batch!.submitted, 0);
    for (const preset of BATCH_PRESETS) assert.equal(fleet.creations(preset), 1, preset);
    assert.equal((await readRun(result.path)).records.length, 3);
  } finally {
    await fleet.close();
  }
});

Deno.test("an OpenAI batch answer whose content is not a string is a typed invalid_response naming the field", async () => {
  const { createOpenAIBatch } = await import("../../adapters/openai-batch.ts");
  const line = {
    custom_id: "case-1",
    response: {
      status_code: 200,
      body: { choices: [{ message: { content: 42 }, finish_reason: "stop" }], usage: {} },
    },
    error: null,
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) =>
      new URL(request.url).pathname.startsWith("/v1/batches/")
        ? Response.json({
          id: "batch_1",
          status: "completed",
          created_at: 1733500000,
          output_file_id: "file-1",
          error_file_id: null,
        })
        : new Response(JSON.stringify(line) + "\n"),
  );
  try {
    const batch = createOpenAIBatch({
      apiKey: "sk-test-123456",
      baseUrl: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/v1`,
      model: "gpt-4o-mini",
    });
    const entries = [];
    for await (
      const chunk of batch.results({ id: "batch_1", state: "ended", rawStatus: "completed" })
    ) {
      entries.push(...chunk);
    }
    assert.equal(entries.length, 1);
    const [entry] = entries;
    assert.ok("customId" in entry && !entry.ok);
    assert.equal(entry.error.kind, "invalid_response");
    assert.match(entry.error.message, /choices\.0\.message\.content is unreadable/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("one custom_id answered twice, differently: the first is recorded, the conflict is in the manifest and said", async () => {
  const fleet = startBatchFleet({ queuedMs: 0, runningMs: 0, conflictingDuplicate: true });
  try {
    const problems: string[] = [];
    const result = await runBenchmark({
      platforms: ["openai"],
      mode: "batch",
      runId: "conflict",
      outDir,
      limit: 2,
      variants: ["64"],
      env: fleet.env,
      batch: FAST_POLL,
      onBatchEvent: (event) => event.type === "batch-problem" && problems.push(event.message),
    });
    assert.equal((await readRun(result.path)).records.length, 2);
    assert.ok(result.caseRecords.every((record) => record.status === "ok"));
    // The emulator writes its output in reverse: the different answer comes first, and is kept.
    assert.equal(
      result.caseRecords.filter((record) => record.text.startsWith("A different answer")).length,
      1,
    );
    const manifest = await readBatchManifest(outDir, "conflict");
    assert.equal(manifest.conflicts.length, 1);
    assert.match(problems.join("\n"), /answered custom_id .* twice, differently/);
  } finally {
    await fleet.close();
  }
});
