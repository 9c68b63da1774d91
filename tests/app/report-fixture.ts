/**
 * Shared by the report tests: renders the real notebooks on the offline `local` platform into a
 * temporary results folder that also holds one hostile record — a description that is markup —
 * so the tests can check it reaches the page as text and never runs — and three human-rated
 * descriptions of growing quality, so the quality notebook has ratings to correlate.
 *
 * @module
 */
import { loadImageSet } from "../../lib/images/image-set.ts";
import { loadLabels } from "../../lib/quality/labels.ts";
import { repoPath } from "../../lib/util/paths.ts";
import { addRating } from "../../lib/quality/ratings.ts";
import type { NotebookParams } from "../../lib/app/notebook-params.ts";
import { type RenderedReport, renderReport } from "../../lib/app/notebook-runner.ts";
import { type ResultRecord, ResultRecordSchema } from "../../lib/contract/record.ts";
import { resultRecord } from "../support/result-record.ts";

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
  const record = ResultRecordSchema.parse(resultRecord({
    runId: "injected-description",
    recordId: "injected-1",
    caseKey: `injected|${image.id}|original|default|0`,
    platform: "injected",
    model: "markup-writer",
    preset: "injected",
    imageId: image.id,
    imageSha256: image.sha256,
    variant: "original",
    prompt: "Describe everything you see in this image in detail.",
    text: INJECTED_TEXT,
    latencyMs: 1234,
    costUsd: 0,
    costBasis: "free",
  }));
  await Deno.mkdir(outDir, { recursive: true });
  await Deno.writeTextFile(`${outDir}/injected-description.jsonl`, JSON.stringify(record) + "\n");
  return record;
}

/** Human ratings {@link writeRatedRun} gives its three descriptions (best description first). */
export const FIXTURE_RATINGS = [9, 6, 2] as const;

/**
 * Writes a three-record run for the first three images — one naming every labelled item, one
 * naming half, one naming none — and rates them {@link FIXTURE_RATINGS} in
 * `<outDir>/ratings/ratings.jsonl`, so rating and automatic score rank the three the same way.
 */
export async function writeRatedRun(outDir: string): Promise<ResultRecord[]> {
  const images = await loadImageSet(repoPath("images"), { limit: FIXTURE_RATINGS.length });
  const labels = await loadLabels();
  const records = images.map((image, index) => {
    const terms = labels.get(image.id)?.mustMention.map((item) => item.term) ?? [];
    const named = index === 0 ? terms : index === 1 ? terms.slice(0, terms.length / 2) : [];
    return ResultRecordSchema.parse(resultRecord({
      runId: "rated-descriptions",
      recordId: `rated-${index + 1}`,
      caseKey: `rated|${image.id}|original|default|0`,
      platform: "human-check",
      model: "fixture-writer",
      preset: "human-check",
      imageId: image.id,
      imageSha256: image.sha256,
      variant: "original",
      prompt: "Describe everything you see in this image in detail.",
      text: named.length ? `A photo showing ${named.join(", ")}.` : "An image.",
      latencyMs: 2000 + index * 500,
      costUsd: 0.001 * (index + 1),
      costBasis: "tokens",
    }));
  });
  await Deno.mkdir(outDir, { recursive: true });
  await Deno.writeTextFile(
    `${outDir}/rated-descriptions.jsonl`,
    records.map((record) => JSON.stringify(record) + "\n").join(""),
  );
  for (const [index, record] of records.entries()) {
    await addRating({ record, rating: FIXTURE_RATINGS[index] }, {
      path: `${outDir}/ratings/ratings.jsonl`,
    });
  }
  return records;
}

/** Options of {@link renderTestReport}. */
export interface TestReportOptions {
  /** @default { platforms: ["local"], limit: REPORT_TEST_LIMIT, runId: "report-test" } */
  params?: NotebookParams;
  /** Extra kernel environment (emulator keys and base URLs). */
  env?: Record<string, string>;
}

/** Renders the notebooks with the injected and the rated records, quietly, into a temp folder. */
export async function renderTestReport(
  options: TestReportOptions = {},
): Promise<RenderedReport & { outDir: string }> {
  const outDir = await Deno.makeTempDir({ prefix: "visionbench-report-" });
  await writeInjectedRun(outDir);
  await writeRatedRun(outDir);
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
