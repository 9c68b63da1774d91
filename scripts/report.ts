/**
 * `deno task report`: executes the notebooks (notebooks/NN-*.ipynb, or the ones given) with the
 * Deno kernel and writes one self-contained results/report.html. The flags are bench's
 * vocabulary (`--platform`, `--images`, `--limit`, `--resize`, `--run-id`, `--repeat`,
 * `--cache use|refresh|off`, `--out`); see `deno task report --help` and lib/app/report-args.ts.
 *
 * Flags become the notebooks' VB_* variables; VB_* already in the environment pass through too.
 *
 * @module
 */
import { VisionBenchError } from "../lib/contract/errors.ts";
import { renderReport } from "../lib/app/notebook-runner.ts";
import { parseReportArgs, pricingEnv, REPORT_USAGE } from "../lib/app/report-args.ts";
import { startAllEmulators } from "../emulators/all.ts";
import { simulatedAnswers } from "../emulators/profiles.ts";

async function main(): Promise<number> {
  const args = parseReportArgs(Deno.args);
  if (args.help) {
    console.log(REPORT_USAGE);
    return 0;
  }
  const fleet = args.emulated
    ? startAllEmulators({
      behaviour: await simulatedAnswers({ scale: args.latencyScale }),
      keepRequests: 100,
    })
    : undefined;
  let report;
  try {
    report = await renderReport({
      notebooks: args.notebooks.length > 0 ? args.notebooks : undefined,
      // Emulated answers mark themselves simulated (a response header the adapters map): the
      // records say so at the source; the local baseline stays measured.
      params: args.params,
      cellTimeoutSeconds: args.cellTimeoutSeconds,
      // Every preset points at its emulator; a .env with real keys stays out of it. Pricing
      // assumptions travel as VB_MONTHLY_IMAGES / VB_UTILISATION / VB_PICK_MODE.
      env: {
        ...(fleet ? { ...fleet.env, VISIONBENCH_ENV_FILE: "/dev/null" } : {}),
        ...pricingEnv(args.pricing),
      },
      onLine: (line) => console.log(line),
    });
  } finally {
    await fleet?.close();
  }
  const megabytes = (report.bytes / 1_000_000).toFixed(2);
  const seconds = (report.elapsedMs / 1000).toFixed(1);
  console.log(`report: ${report.reportPath} (${megabytes} MB) in ${seconds} s`);
  return 0;
}

try {
  Deno.exit(await main());
} catch (error) {
  if (error instanceof VisionBenchError && error.kind !== "notebook") {
    console.error(`report: ${error.message}`);
    if (error.kind === "config" || error.kind === "usage") {
      console.error("(deno task report --help lists the flags)");
    }
    Deno.exit(2);
  }
  // A failed notebook's details were already streamed above: repeat only the headline.
  const message = error instanceof Error ? error.message : String(error);
  console.error(`report: ${message.split("\n")[0]}`);
  Deno.exit(1);
}
