/**
 * `deno run -A scripts/hostile-sizes.ts`: what a runaway answer costs now (issue 9, finding 3).
 * The emulators run in this process and answer 50 MB — a description that ignores the output
 * limit, or an HTML error page — and each case runs in a fresh child process of its own, which
 * prints its peak RSS (sampled every 10 ms), the row it recorded and the size of the JSONL line;
 * an ordinary answer ("none") gives the baseline.
 *
 * Flags: --mb N (answer size, default 50), --presets a,b (default openai,anthropic,gemini,ollama-local).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { runBenchmark } from "../lib/app/bench.ts";
import { type EmulatedPreset, startAllEmulators } from "../emulators/all.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    child: { type: "boolean" },
    preset: { type: "string" },
    env: { type: "string" },
    mb: { type: "string", default: "50" },
    presets: { type: "string", default: "openai,anthropic,gemini,ollama-local" },
  },
});

if (values.child) {
  // One case, default limits; the emulator in the parent already has the fault queued.
  let peak = Deno.memoryUsage().rss;
  const sampler = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 10);
  const outDir = await Deno.makeTempDir();
  const result = await runBenchmark({
    platforms: [values.preset!],
    env: JSON.parse(values.env!),
    limit: 1,
    variants: ["512"],
    retry: { maxAttempts: 1 },
    outDir,
    runId: "sizes",
  });
  clearInterval(sampler);
  peak = Math.max(peak, Deno.memoryUsage().rss);
  const line = (await Deno.readTextFile(`${outDir}/sizes.jsonl`)).length;
  const record = result.records[0];
  await Deno.remove(outDir, { recursive: true });
  console.log(JSON.stringify({
    status: record.status,
    kind: record.error?.kind,
    message: record.error?.message.slice(0, 90),
    peakRssMb: Math.round(peak / 1e6),
    jsonlLineBytes: line,
  }));
  Deno.exit(0);
}

const bytes = Number(values.mb) * 1_000_000;
console.log(`answers of ${values.mb} MB; default limits (16 MiB body, 64 KiB error body)`);
console.log("preset        fault            status  kind               peak RSS  JSONL line");
for (const preset of values.presets!.split(",") as EmulatedPreset[]) {
  for (const fault of ["none", "oversized_body", "oversized_error"] as const) {
    const fleet = startAllEmulators({
      only: [preset],
      behaviour: { [preset]: { oversizedBytes: bytes } },
    });
    // "none": an ordinary answer, the baseline RSS of one call.
    if (fault !== "none") fleet.emulators[preset].fail(fault);
    try {
      const output = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL(import.meta.url).pathname,
          "--child",
          "--preset",
          preset,
          "--env",
          JSON.stringify({ ...fleet.env, VISIONBENCH_ENV_FILE: "/dev/null" }),
        ],
        stderr: "null",
      }).output();
      const row = JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!);
      console.log(
        `${preset.padEnd(13)} ${fault.padEnd(16)} ${row.status.padEnd(7)} ${
          String(row.kind ?? "").padEnd(18)
        } ${String(row.peakRssMb).padStart(5)} MB  ${row.jsonlLineBytes} B`,
      );
    } finally {
      await fleet.close();
    }
  }
}
