/**
 * One command-line vocabulary for `bench` and `report`: the same flags mean the same thing in
 * both, old spellings still work with a deprecation note, and numeric flags are bounded.
 */
import assert from "node:assert/strict";
import { isVisionBenchError } from "../../lib/contract/errors.ts";
import { parseBenchArgs } from "../../lib/app/cli.ts";
import { parseReportArgs } from "../../lib/app/report-args.ts";
import { FLAG_BOUNDS } from "../../lib/app/cli-vocabulary.ts";
import { repoPath } from "../../lib/util/paths.ts";

function collect() {
  const notes: string[] = [];
  return { notes, warn: (note: string) => notes.push(note) };
}

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
    const { notes, warn } = collect();
    const bench = parseBenchArgs([...SHARED, "--cache", cache], warn);
    const report = parseReportArgs([...SHARED, "--cache", cache], warn).params;
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
    assert.deepEqual(notes, [], "the current spellings print no note");
  }
});

Deno.test("old spellings still work and each prints a deprecation note", () => {
  const cases: [string[], Partial<{ cache: string; platforms: string[] }>, RegExp][] = [
    [["--no-cache"], { cache: "bypass" }, /--no-cache is deprecated; use --cache off/],
    [
      ["--refresh-cache"],
      { cache: "refresh" },
      /--refresh-cache is deprecated; use --cache refresh/,
    ],
    [["--cache", "bypass"], { cache: "bypass" }, /--cache bypass is deprecated; use --cache off/],
    [
      ["--platforms", "local,openai"],
      { platforms: ["local", "openai"] },
      /--platforms is deprecated/,
    ],
  ];
  for (const [args, expected, note] of cases) {
    const bench = collect();
    const parsedBench = parseBenchArgs(args, bench.warn);
    const report = collect();
    const parsedReport = parseReportArgs(args, report.warn).params;
    for (const [field, value] of Object.entries(expected)) {
      assert.deepEqual(parsedBench[field as keyof typeof parsedBench], value, `bench ${args}`);
      assert.deepEqual(parsedReport[field as keyof typeof parsedReport], value, `report ${args}`);
    }
    assert.equal(bench.notes.length, 1, `bench ${args}: ${bench.notes}`);
    assert.match(bench.notes[0], note);
    assert.deepEqual(report.notes, bench.notes);
  }
  const report = collect();
  assert.equal(parseReportArgs(["--timeout", "60"], report.warn).cellTimeoutSeconds, 60);
  assert.match(report.notes[0], /--timeout is deprecated here; use --cell-timeout/);
});

Deno.test("two cache spellings at once, or an unknown mode, are config errors", () => {
  const silent = () => {};
  for (const args of [["--no-cache", "--refresh-cache"], ["--cache", "use", "--no-cache"]]) {
    assert.throws(() => parseBenchArgs(args, silent), /exclude each other/);
    assert.throws(() => parseReportArgs(args, silent), /exclude each other/);
  }
  assert.throws(
    () => parseBenchArgs(["--cache", "sometimes"], silent),
    (error) =>
      isVisionBenchError(error, "config") &&
      /--cache must be use, refresh, off, got "sometimes"/.test(error.message),
  );
});

Deno.test("numeric flags are bounded with config errors that name the flag and the bound", () => {
  const silent = () => {};
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
      () => parseBenchArgs(args, silent),
      (error) => isVisionBenchError(error, "config") && message.test(error.message),
      args.join(" "),
    );
  }
  for (const args of [["--repeat", "1e9"], ["--limit", "2000000"]]) {
    assert.throws(() => parseReportArgs(args, silent), /must be at most/);
  }
  assert.equal(parseBenchArgs(["--repeat", "1e6"], silent).repeat, FLAG_BOUNDS.repeat);
  assert.equal(
    parseBenchArgs(["--timeout", String(FLAG_BOUNDS.timeoutSeconds)], silent).timeoutMs,
    FLAG_BOUNDS.timeoutSeconds * 1000,
  );
});

Deno.test("the deprecation note reaches stderr of the real CLI, help still prints", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", repoPath("lib/app/cli.ts"), "--no-cache", "--help"],
    env: { VISIONBENCH_ENV_FILE: "/dev/null", NO_COLOR: "1" },
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  const stdout = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 0, stderr);
  assert.match(stderr, /^visionbench: --no-cache is deprecated; use --cache off$/m);
  assert.match(stdout, /--cache use\|refresh\|off/);
  assert.match(stdout, /--platform, -p ID\[:MODEL\]/);
});
