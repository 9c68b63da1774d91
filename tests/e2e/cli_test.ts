/**
 * The CLI as a user runs it: a real `deno run lib/cli.ts` process per preset, pointed at that
 * platform's emulator through `<PLATFORM>_BASE_URL`, then the JSONL it wrote.
 */
import assert from "node:assert/strict";
import { recomputeCost } from "../../lib/price/cost.ts";
import { readRun } from "../../lib/run/run-store.ts";
import { repoPath } from "../../lib/util/paths.ts";
import { EMULATED_PRESETS, EMULATOR_KEYS, startAllEmulators } from "../../emulators/all.ts";
import { waitFor } from "../support/wait-for.ts";

const CLI = repoPath("lib/app/cli.ts");

async function cli(args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    // A clean environment: only what the test gives, so no real key on this machine leaks in.
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "/tmp",
      NO_COLOR: "1",
      VISIONBENCH_ENV_FILE: "/dev/null", // a developer's .env must not reach the test
      ...env,
    },
    clearEnv: true,
    cwd: await Deno.makeTempDir(),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** `bench --platform <preset> --resize 512 …` into a fresh folder; the run's output and records. */
async function benchPreset(preset: string, env: Record<string, string>, args: string[]) {
  const out = await Deno.makeTempDir();
  const result = await cli(
    ["--platform", preset, "--resize", "512", "--out", out, "--run-id", "cli", ...args],
    env,
  );
  assert.equal(result.code, 0, `${preset}: ${result.stderr}`);
  const path = `${out}/cli.jsonl`;
  return { ...result, path, ...(await readRun(path)) };
}

Deno.test("bench exits 2 with one clear line on a config error", async () => {
  const unknown = await cli(["--platform", "openia"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr.trim(), /^visionbench: unknown platform "openia"; known: .*openai/);
  assert.equal(unknown.stderr.trim().split("\n").length, 1);

  const missing = await cli(["--platform", "anthropic"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /anthropic needs ANTHROPIC_API_KEY/);

  const badFlag = await cli(["--limit", "0"]);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /--limit must be/);

  const unknownFlag = await cli(["--colour"]);
  assert.equal(unknownFlag.code, 2);
});

Deno.test("bench --platform <preset> --limit 3 gives ok records with cost recomputable from the record, for every preset", async () => {
  const fleet = startAllEmulators();
  try {
    for (const preset of ["local", ...EMULATED_PRESETS]) {
      const result = await benchPreset(preset, fleet.env, ["--limit", "3"]);
      assert.match(
        result.stdout,
        new RegExp(`^${preset.split("-")[0]}`, "m"),
        `${preset}: summary row`,
      );
      const { records, problems } = result;
      assert.deepEqual(problems, []);
      assert.equal(records.length, 3, preset);
      for (const record of records) {
        assert.equal(record.status, "ok", `${preset}: ${record.error?.message}`);
        assert.ok(record.text.length > 0, `${preset}: text`);
        assert.ok(record.latencyMs! > 0, `${preset}: latency`);
        assert.equal(record.variant, "512");
        assert.ok(Math.max(record.width!, record.height!) <= 512);
        if (record.costBasis === "tokens") {
          assert.ok(record.inputTokens! > 0 && record.outputTokens! > 0, `${preset}: tokens`);
        }
        if (record.costBasis === "gpu_seconds") {
          assert.ok(record.gpuSeconds! > 0, `${preset}: gpu seconds`);
        }
        assert.ok(record.costUsd !== undefined, `${preset}: ${record.costError}`);
        assert.equal(recomputeCost(record).costUsd, record.costUsd, `${preset}: recomputable cost`);
      }
      const all = result.stdout + result.stderr + await Deno.readTextFile(result.path);
      for (const key of Object.values(EMULATOR_KEYS)) {
        assert.equal(all.includes(key), false, `${preset}: key leaked`);
      }
    }
  } finally {
    await fleet.close();
  }
});

Deno.test("bench discovers every platform whose keys are set and says which it skipped and why", async () => {
  const fleet = startAllEmulators({ only: ["openai", "gemini"] });
  try {
    const out = await Deno.makeTempDir();
    const result = await cli(["--limit", "1", "--resize", "512", "--out", out], fleet.env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /platforms: local, openai, gemini/);
    assert.match(result.stderr, /skipped anthropic: ANTHROPIC_API_KEY not set/);
    assert.match(result.stderr, /skipped ollama-local: nothing answering at/);
  } finally {
    await fleet.close();
  }
});

Deno.test("Ctrl-C stops a run cleanly: exit 130, finished calls kept, in-flight ones dropped, resume completes it", async () => {
  const fleet = startAllEmulators({ only: ["openai"], behaviour: { openai: { latencyMs: 300 } } });
  const out = await Deno.makeTempDir();
  const args = ["--platform", "openai", "--limit", "6", "--resize", "512", "--concurrency", "1"];
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, ...args, "--out", out, "--run-id", "interrupted"],
      env: { VISIONBENCH_ENV_FILE: "/dev/null", NO_COLOR: "1", ...fleet.env },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const path = `${out}/interrupted.jsonl`;
    // Wait for the first finished call, then interrupt while the next one is in flight.
    await waitFor(async () => (await Deno.readTextFile(path).catch(() => "")).includes("\n"), {
      what: "the first finished call",
    });
    child.kill("SIGINT");
    const status = await child.output();
    assert.equal(status.code, 130);
    assert.match(new TextDecoder().decode(status.stderr), /stopping/);
    const partial = await readRun(path);
    assert.deepEqual(partial.problems, []);
    assert.ok(partial.records.length >= 1 && partial.records.length < 6);
    assert.ok(
      partial.records.every((record) => record.status === "ok"),
      "no cancelled call is recorded",
    );

    const resumed = await cli([...args, "--out", out, "--run-id", "interrupted"], fleet.env);
    assert.equal(resumed.code, 0, resumed.stderr);
    const { records } = await readRun(path);
    assert.equal(records.length, 6);
    assert.equal(new Set(records.map((record) => record.caseKey)).size, 6, "no duplicates");
  } finally {
    await fleet.close();
  }
});

Deno.test("--schema venue gives validated structured output, or an explicit unsupported warning, on every preset", async () => {
  const fleet = startAllEmulators();
  try {
    for (const preset of ["local", ...EMULATED_PRESETS]) {
      const [record] = (await benchPreset(preset, fleet.env, ["--limit", "1", "--schema", "venue"]))
        .records;
      assert.equal(record.status, "ok", `${preset}: ${record.error?.message}`);
      assert.equal(record.schemaName, "image_tags");
      if (record.structured === undefined) {
        assert.ok(
          record.warnings?.some((warning) => /structured output unsupported/.test(warning)),
          `${preset}: neither structured output nor an unsupported warning`,
        );
      } else {
        const venue = record.structured as { tags: unknown; scene: unknown; isEventVenue: unknown };
        assert.ok(Array.isArray(venue.tags), `${preset}: tags`);
        assert.equal(typeof venue.scene, "string", `${preset}: scene`);
        assert.equal(typeof venue.isEventVenue, "boolean", `${preset}: isEventVenue`);
      }
    }
  } finally {
    await fleet.close();
  }
});

Deno.test("the summary shows a quality column for labelled images only", async () => {
  const labelled = await benchPreset("local", {}, ["--limit", "2"]);
  assert.match(labelled.stdout, /quality \/10/);
  const folder = await Deno.makeTempDir();
  await Deno.copyFile(repoPath("images/o01_cat.png"), `${folder}/my_own_photo.png`);
  const unlabelled = await benchPreset("local", {}, ["--images", folder]);
  assert.equal(unlabelled.records.length, 1);
  assert.doesNotMatch(unlabelled.stdout, /quality/);
});

Deno.test("the summary says when calls came from the cache and how to measure them again", async () => {
  const out = await Deno.makeTempDir();
  const args = ["--platform", "local", "--limit", "1", "--resize", "512", "--out", out];
  const first = await cli(args);
  assert.doesNotMatch(first.stdout, /from the response cache/);
  const second = await cli(args);
  assert.match(second.stdout, /1 of 1 calls came from the response cache/);
  assert.match(second.stdout, /--cache refresh/);
});
