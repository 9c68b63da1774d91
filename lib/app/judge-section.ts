/**
 * The report's judge section: resolves the judge platform like a benchmark platform, runs it over
 * the benchmark's descriptions (lib/quality/judge.ts) and shows the result (lib/present). It lives
 * in app/ because it is the one place that both resolves a platform and renders.
 *
 * @module
 */
import type { ResultRecord } from "../contract/record.ts";
import type { RunEvent } from "../contract/run-events.ts";
import type { ImageEntry } from "../images/image-set.ts";
import { type Config, loadConfig } from "../platforms/config.ts";
import { runJudge } from "../quality/judge.ts";
import type { LabelSet } from "../quality/labels.ts";
import { judgeHint, judgeSummary } from "../present/quality-sections.ts";
import type { RunTarget } from "../run/cases.ts";
import type { HtmlFragment } from "../util/html.ts";
import { resolveTargets } from "./targets.ts";

/**
 * The runner target of a judge platform given as `preset` or `preset:model` (e.g. `"openai"`),
 * resolved like a benchmark platform: keys from the configuration, price card from
 * data/prices.json. Throws a `config` error naming a missing variable or an unknown preset.
 *
 * @example
 * ```ts
 * import { runJudge } from "../quality/judge.ts";
 * import type { RunJudgeOptions } from "../quality/judge.ts";
 * declare const options: Omit<RunJudgeOptions, "judge">;
 * await runJudge({ ...options, judge: await judgeTarget("openai") });
 * ```
 */
export async function judgeTarget(
  choice: string,
  config: Config = loadConfig(),
): Promise<RunTarget> {
  const [target] = await resolveTargets([choice], { config });
  return target;
}

/** Options of {@link judgeSection}. */
export interface JudgeSectionOptions {
  /** `preset` or `preset:model` of the judge (`VB_JUDGE`); unset = no judge, a hint instead. */
  judge?: string;
  /** Benchmark records to judge (ok ones; records of images not in `images` are skipped). */
  records: readonly ResultRecord[];
  images: readonly ImageEntry[];
  labels: LabelSet;
  /** The judge run's own folder, so benchmark summaries never read judge records. */
  outDir: string;
  /** The judge run id, e.g. `${runId}.judge`. */
  runId: string;
  /** @default loadConfig() */
  config?: Config;
  onEvent?: (event: RunEvent) => void;
}

/**
 * Runs the judge (when one is named) and shows its rubric beside the automatic score. Without a
 * judge: one line saying how to enable it.
 *
 * @example
 * ```ts
 * declare const options: JudgeSectionOptions;
 * await judgeSection({ ...options, judge: "openai" }); // a section to show in the notebook
 * ```
 */
export async function judgeSection(options: JudgeSectionOptions): Promise<HtmlFragment> {
  if (!options.judge) return judgeHint();
  const judged = await runJudge({
    records: options.records,
    images: options.images,
    judge: await judgeTarget(options.judge, options.config),
    runId: options.runId,
    outDir: options.outDir,
    onEvent: options.onEvent,
  });
  return judgeSummary({
    judge: options.judge,
    judged,
    records: options.records,
    labels: options.labels,
  });
}
