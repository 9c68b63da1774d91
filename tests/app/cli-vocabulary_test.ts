/**
 * One command-line vocabulary for `bench` and `report`: the same flags mean the same thing in
 * both, an old spelling is an unknown flag, and numeric flags are bounded.
 */
import assert from "node:assert/strict";
import { isVisionBenchError } from "../../lib/contract/errors.ts";
import { parseBenchArgs } from "../../lib/app/cli.ts";
import { parseReportArgs } from "../../lib/app/report-args.ts";
import { FLAG_BOUNDS } from "../../lib/app/cli-vocabulary.ts";
import { repoPath } from "../../lib/util/paths.ts";

const SHARED = [
  "--platform",
  "openai,gemini",
  "-p",
  "local",
  "--images",
  "photos",
  "--limit",
  "3",
  "--resize",
  "original, 512",
  "--repeat",
  "2",
  "--run-id",
  "r1",
  "--out",
  "out",
];

Deno.test("bench and report read the same shared flags the same way", () => {
  for (const cache of ["use", "refresh", "off"]) {
    const bench = parseBenchArgs([...SHARED, "--cache", cache]);
    const report = parseReportArgs([...SHARED, "--cache", cache]).params;
    const expected = cache === "off" ? "bypass" : cache;
    assert.deepEqual(
      {
        platforms: bench.platforms,
        images: bench.images,
        limit: bench.limit,
        resize: bench.variants,
        repeat: bench.repeat,
        runId: bench.runId,
        out: bench.outDir,
        cache: bench.cache,
      },
      {
        platforms: ["openai", "gemini", "local"],
        images: "photos",
        limit: 3,
        resize: ["original", "512"],
        repeat: 2,
        runId: "r1",
        out: "out",
        cache: expected,
      },
    );
    assert.deepEqual(report, {
      platforms: ["openai", "gemini", "local"],
      images: "photos",
      limit: 3,
      resize: ["original", "512"],
      repeat: 2,
      runId: "r1",
      out: "out",
      cache: expected,
    });
  }
});

Deno.test("old spellings are unknown flags, and an unknown cache mode is a config error", () => {
  const old = [
    ["--no-cache"],
    ["--refresh-cache"],
    ["--platforms", "local,openai"],
  ];
  for (const args of old) {
    for (const parse of [parseBenchArgs, parseReportArgs]) {
      assert.throws(
        () => parse(args),
        (error) => isVisionBenchError(error, "config") && error.message.includes(args[0]),
        args.join(" "),
      );
    }
  }
  assert.throws(
    () => parseReportArgs(["--timeout", "60"]),
    (error) => isVisionBenchError(error, "config") && error.message.includes("--timeout"),
  );
  for (const parse of [parseBenchArgs, parseReportArgs]) {
    for (const mode of ["bypass", "sometimes"]) {
      assert.throws(
        () => parse(["--cache", mode]),
        (error) =>
          isVisionBenchError(error, "config") &&
          error.message === `--cache must be use, refresh, off, got "${mode}"`,
      );
    }
  }
});

Deno.test("numeric flags are bounded with config errors that name the flag and the bound", () => {
  const refused: [string[], RegExp][] = [
    [["--repeat", "1e9"], /--repeat must be at most 1000000, got "1e9"/],
    [["--limit", "2000000"], /--limit must be at most 1000000/],
    [["--concurrency", "100000"], /--concurrency must be at most 1024/],
    // 3,000,000 s overflows setTimeout (2^31−1 ms): every call would "time out" at once.
    [["--timeout", "3000000"], /--timeout must be at most 2147483/],
    [["--repeat", "0"], /--repeat must be a positive integer/],
  ];
  for (const [args, message] of refused) {
    assert.throws(
      () => parseBenchArgs(args),
      (error) => isVisionBenchError(error, "config") && message.test(error.message),
      args.join(" "),
    );
  }
  for (const args of [["--repeat", "1e9"], ["--limit", "2000000"]]) {
    assert.throws(() => parseReportArgs(args), /must be at most/);
  }
  assert.equal(parseBenchArgs(["--repeat", "1e6"]).repeat, FLAG_BOUNDS.repeat);
  assert.equal(
    parseBenchArgs(["--timeout", String(FLAG_BOUNDS.timeoutSeconds)]).timeoutMs,
    FLAG_BOUNDS.timeoutSeconds * 1000,
  );
});

Deno.test("the real CLI exits 2 on an old spelling, naming it, and prints help", async () => {
  const run = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", repoPath("lib/app/cli.ts"), ...args],
      env: { VISIONBENCH_ENV_FILE: "/dev/null", NO_COLOR: "1" },
    }).output();
  const old = await run(["--no-cache"]);
  assert.equal(old.code, 2);
  assert.match(new TextDecoder().decode(old.stderr), /^visionbench: .*--no-cache/m);
  const help = await run(["--help"]);
  const stdout = new TextDecoder().decode(help.stdout);
  assert.equal(help.code, 0);
  assert.match(stdout, /--cache use\|refresh\|off/);
  assert.match(stdout, /--platform, -p ID\[:MODEL\]/);
  assert.doesNotMatch(stdout, /[Dd]eprecated/);
});
