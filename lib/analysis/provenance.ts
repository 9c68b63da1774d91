/**
 * Where the numbers come from: which runs were read, what each one measured, and where runs
 * that measured different things (other images, limits, prompts, sizes, max tokens) were merged
 * into one row of a summary — a quiet way for averages to stop meaning what they say.
 *
 * @example
 * ```ts
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const records: ResultRecord[];
 * runProvenance(records);      // one entry per run id
 * mergeWarnings(records); // ["openai · gpt-4o-mini · 512 mixes 2 runs with different image sets …"]
 * ```
 *
 * @module
 */
import pl from "nodejs-polars";
import type { ResultRecord } from "../contract/record.ts";

/** What one run measured. */
export interface RunRead {
  runId: string;
  records: number;
  images: number;
  platforms: string[];
  variants: string[];
  prompts: string[];
  maxOutputTokens: number[];
  firstAt: string;
  lastAt: string;
  simulated: boolean;
}

/**
 * One entry per run id, oldest first.
 *
 * @example
 * ```ts
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const records: ResultRecord[];
 * runProvenance(records).map((run) => `${run.runId}: ${run.images} images`);
 * ```
 */
export function runProvenance(records: readonly ResultRecord[]): RunRead[] {
  const runs = Map.groupBy(records, (record) => record.runId);
  const sorted = <T>(values: Iterable<T>) => [...new Set(values)].sort() as T[];
  return [...runs].map(([runId, list]) => {
    const times = list.map((record) => record.createdAt).sort();
    return {
      runId,
      records: list.length,
      images: new Set(list.map((record) => record.imageId)).size,
      platforms: sorted(list.map((record) => `${record.platform} · ${record.model}`)),
      variants: sorted(list.map((record) => record.variant)),
      prompts: sorted(list.map((record) => record.prompt)),
      maxOutputTokens: sorted(
        list.flatMap((record) =>
          record.maxOutputTokens === undefined ? [] : [record.maxOutputTokens]
        ),
      ),
      firstAt: times[0],
      lastAt: times[times.length - 1],
      simulated: list.some((record) => record.simulated === true),
    };
  }).sort((a, b) => a.firstAt.localeCompare(b.firstAt));
}

/**
 * A warning per summary row (platform · model · variant) whose records come from several runs
 * that differ in image set, prompt or max tokens — the row's averages then mix unlike things.
 *
 * @example
 * ```ts
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const records: ResultRecord[];
 * for (const warning of mergeWarnings(records)) console.warn(warning);
 * ```
 */
export function mergeWarnings(
  records: readonly Pick<
    ResultRecord,
    "runId" | "platform" | "model" | "variant" | "imageId" | "prompt" | "maxOutputTokens"
  >[],
): string[] {
  const rows = Map.groupBy(
    records,
    (record) => `${record.platform} · ${record.model} · ${record.variant}`,
  );
  const warnings: string[] = [];
  for (const [row, list] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
    const runs = Map.groupBy(list, (record) => record.runId);
    if (runs.size < 2) continue;
    const differ: string[] = [];
    const signature = (pick: (record: (typeof list)[number]) => unknown) =>
      new Set(
        [...runs.values()].map((runRecords) =>
          JSON.stringify([...new Set(runRecords.map(pick))].sort())
        ),
      ).size > 1;
    if (signature((record) => record.imageId)) differ.push("image sets");
    if (signature((record) => record.prompt)) differ.push("prompts");
    if (signature((record) => record.maxOutputTokens ?? null)) differ.push("max tokens");
    if (differ.length === 0) continue;
    warnings.push(
      `${row} merges ${runs.size} runs (${[...runs.keys()].sort().join(", ")}) with different ${
        differ.join(", ")
      }: its averages mix them.`,
    );
  }
  return warnings;
}

/**
 * {@link runProvenance} of a run frame (`loadRunFrame`): the same entries, counted by Polars.
 *
 * @example
 * ```ts
 * import { loadRunFrame } from "./run-frame.ts";
 * runProvenanceOf((await loadRunFrame("results")).frame).map((run) => run.runId);
 * ```
 */
export function runProvenanceOf(frame: pl.DataFrame): RunRead[] {
  // Platform · model pairs from the distinct pairs, not a joined string per record.
  const pairs = frame.select("runId", "platform", "model").unique().select(
    "runId",
    pl.concatString([pl.col("platform"), pl.col("model")], " · ").alias("platforms"),
  ).groupBy("runId").agg(pl.col("platforms"));
  const runs = frame.groupBy("runId").agg(
    pl.len().cast(pl.Float64).alias("records"),
    pl.col("imageId").nUnique().cast(pl.Float64).alias("images"),
    pl.col("variant").unique().alias("variants"),
    pl.col("prompt").unique().alias("prompts"),
    pl.col("maxOutputTokens").unique().alias("maxOutputTokens"),
    pl.col("createdAt").min().alias("firstAt"),
    pl.col("createdAt").max().alias("lastAt"),
    pl.col("simulated").any().alias("simulated"),
  ).join(pairs, { on: "runId", how: "left" }).toRecords();
  const sorted = <T>(values: unknown) =>
    [...new Set((values as (T | null)[]).filter((value) => value !== null))].sort() as T[];
  return runs.map((run) => ({
    runId: String(run.runId),
    records: run.records as number,
    images: run.images as number,
    platforms: sorted<string>(run.platforms),
    variants: sorted<string>(run.variants),
    prompts: sorted<string>(run.prompts),
    maxOutputTokens: sorted<number>(run.maxOutputTokens),
    firstAt: String(run.firstAt),
    lastAt: String(run.lastAt),
    simulated: run.simulated === true,
  })).sort((a, b) => a.firstAt.localeCompare(b.firstAt));
}
