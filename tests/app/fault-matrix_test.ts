/**
 * The hostile-platform matrix: every emulated preset × (echoed key, negative / string / huge
 * usage, oversized body, oversized error page, error in a 200, object error body, huge
 * Retry-After), streamed too where the adapter streams. Each cell is one case through
 * `runBenchmark` (preset → adapter → official SDK → emulator → runner → store): it must end as
 * a readable row of the right kind, never cached when it is an error, with no key in any file.
 * The last test prints the counts.
 */
import assert from "node:assert/strict";
import { runBenchmark } from "../../lib/app/bench.ts";
import { readRuns } from "../../lib/run/run-store.ts";
import { EMULATED_PRESETS, EMULATOR_KEYS, startAllEmulators } from "../../emulators/all.ts";
import {
  assertHostileOutcome,
  filesUnder,
  HOSTILE_FAULTS,
  MAX_RESPONSE_BYTES,
  OVERSIZED_BYTES,
  STREAMED_FAULTS,
  STREAMING_PRESETS,
  VPS_PASSWORD,
  withVpsCredentials,
} from "../support/hostile-faults.ts";

/** Faults whose row must say attempts 1 even with a retry allowed. */
const NOT_RETRIED: ReadonlySet<string> = new Set([
  "oversized_body",
  "object_error",
  "huge_retry_after",
]);
const SECRETS = [...Object.values(EMULATOR_KEYS), VPS_PASSWORD, btoa(`bench:${VPS_PASSWORD}`)];
const passed = new Map<string, number>();
let cells = 0;

for (const preset of EMULATED_PRESETS) {
  Deno.test(`${preset}: every hostile answer ends as a readable row of the right kind, with no key stored`, async () => {
    const fleet = startAllEmulators({
      only: [preset],
      behaviour: { [preset]: { oversizedBytes: OVERSIZED_BYTES } },
    });
    const emulator = fleet.emulators[preset];
    const outDir = await Deno.makeTempDir({ prefix: `matrix-${preset}-` });
    try {
      const streams = STREAMING_PRESETS.has(preset) ? [false, true] : [false];
      for (const fault of HOSTILE_FAULTS) {
        for (const stream of streams) {
          if (stream && !STREAMED_FAULTS.has(fault)) continue;
          // One folder per cell: a cached ok answer of one cell must not serve the next.
          const cellDir = `${outDir}/${fault}${stream ? "-stream" : ""}`;
          emulator.fail(fault);
          const before = emulator.requests.length;
          const result = await runBenchmark({
            platforms: [preset],
            env: withVpsCredentials(fleet.env),
            limit: 1,
            variants: ["512"],
            stream,
            // Room for a retry where the answer must not get one (a second attempt would be ok).
            retry: { maxAttempts: NOT_RETRIED.has(fault) ? 2 : 1, baseDelayMs: 1 },
            maxResponseBytes: MAX_RESPONSE_BYTES,
            outDir: cellDir,
            runId: "matrix",
          });
          assert.equal(emulator.behaviour.faults.length, 0, `${preset} ${fault}: fault not used`);
          assert.ok(emulator.requests.length > before);
          assert.equal(result.records.length, 1);
          const record = result.records[0];
          assertHostileOutcome(preset, fault, record, SECRETS);
          const stored = await readRuns(cellDir, { runIds: ["matrix"] });
          assert.deepEqual(stored.problems, [], `${preset} ${fault}: a line cannot be read back`);
          assert.equal(stored.records.length, 1);
          const files = await filesUnder(cellDir);
          for (const { path, text } of files) {
            for (const secret of SECRETS) assert.ok(!text.includes(secret), `key in ${path}`);
          }
          if (record.status === "error") {
            const cached = files.filter(({ path }) => path.includes("/cache/responses/"));
            assert.deepEqual(cached, [], `${preset} ${fault}: an error answer was cached`);
          }
          const key = `${fault}${stream ? " (stream)" : ""}`;
          passed.set(key, (passed.get(key) ?? 0) + 1);
          cells++;
        }
      }
    } finally {
      await fleet.close();
      await Deno.remove(outDir, { recursive: true });
    }
  });
}

Deno.test("fault matrix: print the counts (preset × fault cells that held)", () => {
  const lines = [...passed].map(([fault, count]) => `  ${fault.padEnd(28)} ${count} presets`);
  console.log(
    `hostile fault matrix: ${cells} cells held, ${EMULATED_PRESETS.length} presets\n${
      lines.join("\n")
    }`,
  );
  assert.ok(cells > 0);
});
