/**
 * Issue 20's flag cases: repeated list values run once (with a note), an absurd --max-tokens is
 * refused before any call, batch-only flags in live mode exit 2, --batch-status / --batch-cancel
 * on an unknown run id exit 2 naming it, a cancel that failed exits non-zero, and a manifest
 * write that fails leaves no temporary file.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { main, parseBenchArgs } from "../../lib/app/cli.ts";
import { runCases } from "../../lib/run/runner.ts";
import { writeManifest } from "../../lib/run/batch/manifest.ts";

/** Runs the CLI in this process, returning its exit code and what it printed on stderr. */
async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  const printed: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => printed.push(parts.join(" "));
  try {
    return { code: await main(args), stderr: printed.join("\n") };
  } finally {
    console.error = original;
  }
}

Deno.test("repeated --resize, --platform and --prompt values run once, with a note", () => {
  const options = parseBenchArgs([
    "--resize",
    "16,16,16",
    "-p",
    "local,local",
    "--prompt",
    "Describe.",
    "--prompt",
    "Describe.",
  ]);
  assert.deepEqual(options.variants, ["16"]);
  assert.deepEqual(options.platforms, ["local"]);
  assert.equal(options.prompts?.length, 1);
  assert.deepEqual(options.notes, [
    "--platform: local given more than once; each runs once",
    "--resize: 16 given more than once; each runs once",
    "--prompt: Describe. given more than once; each runs once",
  ]);
});

Deno.test("--max-tokens beyond 1,000,000 exits 2 before any call; the library refuses it too", async () => {
  const result = await cli(["--max-tokens", "99999999999999999999", "-p", "local"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--max-tokens must be .*1000000/);
  const outDir = await Deno.makeTempDir();
  await assert.rejects(
    runCases({
      runId: "too-many",
      outDir,
      targets: [],
      images: [],
      variants: ["512"],
      prompts: [],
      maxOutputTokens: 1e20,
    }),
    /maxOutputTokens must be an integer from 1 to 1000000/,
  );
  assert.deepEqual([...Deno.readDirSync(outDir)], [], "nothing written");
});

Deno.test("batch-only flags in live mode exit 2 naming the flag", async () => {
  for (const flag of ["--no-wait", "--batch-poll=30"]) {
    const result = await cli([flag, "-p", "local"]);
    assert.equal(result.code, 2, flag);
    assert.match(result.stderr, new RegExp(`${flag.split("=")[0]} is for batch mode only`));
  }
});

Deno.test("--batch-status / --batch-cancel on an unknown run id exit 2 naming it", async () => {
  const outDir = await Deno.makeTempDir();
  for (const command of ["--batch-status", "--batch-cancel"]) {
    const result = await cli([command, "--run-id", "nope-123", "--out", outDir]);
    assert.equal(result.code, 2, command);
    assert.match(result.stderr, /no batch run "nope-123"/);
  }
});

Deno.test("--batch-cancel exits 1 when a cancel failed", async () => {
  const outDir = await Deno.makeTempDir();
  await writeManifest(outDir, {
    version: 1,
    runId: "cancel-fails",
    shards: [{
      shardId: "openai-1",
      preset: "openai",
      platform: "openai",
      model: "gpt-4o-mini",
      items: [],
      state: "submitted",
      batchId: "batch_1",
    }],
    unknownResults: [],
    problems: [],
    conflicts: [],
  });
  // No OPENAI_API_KEY in this environment: the cancel cannot be sent.
  const saved = Deno.env.get("OPENAI_API_KEY");
  Deno.env.delete("OPENAI_API_KEY");
  Deno.env.set("VISIONBENCH_ENV_FILE", "/dev/null");
  try {
    const result = await cli(["--batch-cancel", "--run-id", "cancel-fails", "--out", outDir]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /1 of 1 cancel request\(s\) failed/);
  } finally {
    if (saved) Deno.env.set("OPENAI_API_KEY", saved);
    Deno.env.delete("VISIONBENCH_ENV_FILE");
  }
});

Deno.test("a manifest write that fails leaves no temporary file behind", async () => {
  const outDir = await Deno.makeTempDir();
  const manifest = {
    version: 1 as const,
    runId: "tmp-left",
    shards: [],
    unknownResults: [],
    problems: [],
    conflicts: [],
  };
  // The manifest's place is taken by a folder with a file in it: the final rename fails.
  await Deno.mkdir(join(outDir, "tmp-left.batches.json"));
  await Deno.writeTextFile(join(outDir, "tmp-left.batches.json", "x"), "");
  await assert.rejects(writeManifest(outDir, manifest));
  assert.deepEqual([...Deno.readDirSync(outDir)].map((entry) => entry.name), [
    "tmp-left.batches.json",
  ]);
});
