/**
 * Shared by the report tests: renders the real notebooks on the offline `local` platform into a
 * temporary results folder that also holds one hostile record — a description that is markup —
 * so the tests can check it reaches the page as text and never runs.
 *
 * @module
 */
import { loadImageSet } from "../lib/images.ts";
import { repoPath } from "../lib/paths.ts";
import { type NotebookParams, type RenderedReport, renderReport } from "../lib/report.ts";
import { type ResultRecord, ResultRecordSchema } from "../lib/record.ts";

/** Images the report tests run on (the first N of images/). */
export const REPORT_TEST_LIMIT = 3;

/** The hostile description: it would set `window.__visionbenchInjected` if it ever ran. */
export const INJECTED_TEXT =
  `<script>window.__visionbenchInjected = "script"</script><img src=x onerror="window.__visionbenchInjected = 'img'"> a cat`;

/** True when the system python can execute notebooks (Debian's jupyter-nbconvert). */
export function jupyterAvailable(): boolean {
  try {
    return new Deno.Command("/usr/bin/python3", { args: ["-c", "import nbclient, nbconvert"] })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** Writes a one-record run whose description is {@link INJECTED_TEXT}, for the first image. */
export async function writeInjectedRun(outDir: string): Promise<ResultRecord> {
  const [image] = await loadImageSet(repoPath("images"), { limit: 1 });
  const record = ResultRecordSchema.parse({
    runId: "injected-description",
    recordId: "injected-1",
    createdAt: new Date("2026-11-25T00:00:00Z").toISOString(),
    caseKey: `injected|${image.id}|original|default|0`,
    platform: "injected",
    model: "markup-writer",
    preset: "injected",
    imageId: image.id,
    imageSha256: image.sha256,
    variant: "original",
    promptId: "default",
    prompt: "Describe everything you see in this image in detail.",
    repeat: 0,
    status: "ok",
    text: INJECTED_TEXT,
    latencyMs: 1234,
    costUsd: 0,
    costBasis: "free",
    attempts: 1,
    cached: false,
  });
  await Deno.mkdir(outDir, { recursive: true });
  await Deno.writeTextFile(`${outDir}/injected-description.jsonl`, JSON.stringify(record) + "\n");
  return record;
}

/** Options of {@link renderTestReport}. */
export interface TestReportOptions {
  /** @default { platforms: ["local"], limit: REPORT_TEST_LIMIT, runId: "report-test" } */
  params?: NotebookParams;
  /** Extra kernel environment (emulator keys and base URLs). */
  env?: Record<string, string>;
}

/** Renders the four notebooks with the injected record, quietly, into a temp folder. */
export async function renderTestReport(
  options: TestReportOptions = {},
): Promise<RenderedReport & { outDir: string }> {
  const outDir = await Deno.makeTempDir({ prefix: "visionbench-report-" });
  await writeInjectedRun(outDir);
  const lines: string[] = [];
  const params = options.params ??
    { platforms: ["local"], limit: REPORT_TEST_LIMIT, runId: "report-test" };
  try {
    const report = await renderReport({
      params: { ...params, out: outDir },
      // A developer's .env must not reach the test kernels.
      env: { VISIONBENCH_ENV_FILE: "/dev/null", ...options.env },
      onLine: (line) => lines.push(line),
    });
    return { ...report, outDir };
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : error}\n--- executor output ---\n${
        lines.join("\n")
      }`,
    );
  }
}
