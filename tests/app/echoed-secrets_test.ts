/**
 * Issue 9, finding 1: platforms that echo every header they receive (the `Authorization` /
 * `x-api-key` / `x-goog-api-key` carrying the key, a VPS proxy's Basic credentials) must not get
 * a registered secret into anything the run writes — the JSONL records, the response cache, the
 * Parquet export, stdout or stderr — nor SDK console chatter into the summary on stdout.
 */
import assert from "node:assert/strict";
import { repoPath } from "../../lib/util/paths.ts";
import { EMULATED_PRESETS, EMULATOR_KEYS, startAllEmulators } from "../../emulators/all.ts";
import { filesUnder, VPS_PASSWORD, withVpsCredentials } from "../support/hostile-faults.ts";

const SECRETS = [...Object.values(EMULATOR_KEYS), VPS_PASSWORD, btoa(`bench:${VPS_PASSWORD}`)];

Deno.test("a run against servers that echo every header stores and prints no registered secret", async () => {
  const echo = { echoHeaders: true };
  const fleet = startAllEmulators({
    behaviour: Object.fromEntries(EMULATED_PRESETS.map((preset) => [preset, echo])),
  });
  // A 500 HTML page makes the Ollama SDK print "Getting text from response" on its own.
  fleet.emulators["ollama-local"].fail("oversized_error");
  const out = await Deno.makeTempDir({ prefix: "echoed-secrets-" });
  try {
    const platforms = EMULATED_PRESETS.flatMap((preset) => ["--platform", preset]);
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        repoPath("lib/app/cli.ts"),
        ...platforms,
        ...["--limit", "2", "--resize", "512", "--out", out, "--run-id", "echo", "--parquet"],
      ],
      env: {
        PATH: Deno.env.get("PATH") ?? "",
        HOME: Deno.env.get("HOME") ?? "/tmp",
        NO_COLOR: "1",
        VISIONBENCH_ENV_FILE: "/dev/null",
        ...withVpsCredentials(fleet.env),
      },
      clearEnv: true,
      cwd: out,
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    const files = await filesUnder(out);
    assert.ok(files.some(({ path }) => path.endsWith("echo.jsonl")), "the run was recorded");
    assert.ok(files.some(({ path }) => path.includes("/cache/responses/")), "answers were cached");
    const records = files.find(({ path }) => path.endsWith("echo.jsonl"))!.text;
    assert.match(records, /\*\*\*/, "the echoed keys were there, and redacted");
    for (const secret of SECRETS) {
      for (const { path, text } of files) assert.ok(!text.includes(secret), `${secret} in ${path}`);
      assert.ok(!stdout.includes(secret), `${secret} on stdout`);
      assert.ok(!stderr.includes(secret), `${secret} on stderr`);
    }
    assert.ok(!stdout.includes("Getting text from response"), "SDK chatter kept out of stdout");
  } finally {
    await fleet.close();
    await Deno.remove(out, { recursive: true });
  }
});
