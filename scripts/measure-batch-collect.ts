/**
 * Measures collecting a large batch results file (issue 20, "any size collects"): a results file
 * of `--mb` MB (default 300) holding `--cases` answers (default 50,000, OpenAI's most per batch;
 * the answers are as long as the size then needs) streams through the real collect path (OpenAI
 * batch adapter → runBatchCases → run file). Prints the file's size, the rows written and this
 * process's peak RSS (VmHWM; the generating server runs in the same process, so the figure is an
 * upper bound). Memory grows with the number of cases (their keys), not with the file's bytes.
 * Linux only.
 *
 *   deno run -A scripts/measure-batch-collect.ts --mb 300
 *   deno run -A scripts/measure-batch-collect.ts --mb 300 --cases 163310  # 1,300-char answers
 *
 * @module
 */
import { parseArgs } from "node:util";
import { collectLargeBatch, resultsFileBytes } from "./large-batch-results.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { mb: { type: "string" }, cases: { type: "string" } },
});
const megabytes = Number(values.mb ?? 300);
const cases = Number(values.cases ?? 50_000);
const sentence = "A plain sentence of a description, fifty-two letters. ";
const overhead = resultsFileBytes(1, "");
const text = sentence.repeat(
  Math.max(1, Math.ceil((megabytes * 1_000_000 / cases - overhead) / sentence.length)),
);
const outDir = await Deno.makeTempDir({ prefix: "vb-measure-" });
try {
  const started = performance.now();
  const result = await collectLargeBatch({ cases, text, outDir });
  const peak = Deno.readTextFileSync("/proc/self/status").match(/VmHWM:\s+(\d+) kB/)![1];
  console.log(
    `results file ${(resultsFileBytes(cases, text) / 1e6).toFixed(0)} MB, ${cases} cases: ` +
      `${result.written} rows (${result.errors} errors) in ${
        ((performance.now() - started) / 1000).toFixed(0)
      } s, peak RSS ${(Number(peak) / 1024).toFixed(0)} MB`,
  );
} finally {
  await Deno.remove(outDir, { recursive: true });
}
