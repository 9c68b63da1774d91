/**
 * The descriptions a page shows, chosen from the runs without reading every record into JS: per
 * image × platform · model × size (× prompt), the latest ok record (else the latest error), plus
 * every record a human rated; repeats are summarised as counts and a latency spread. The page
 * then grows with images × platforms × sizes, not with records or repeats.
 *
 * @module
 */
import pl from "nodejs-polars";
import { recordOfRow } from "../analysis/frames.ts";
import { loadRunFrame } from "../analysis/run-frame.ts";
import type { ResultRecord } from "../contract/record.ts";
import type { Rating } from "./ratings.ts";

/** The repeats behind one shown description. */
export interface RepeatSummary {
  imageId: string;
  platform: string;
  model: string;
  variant: string;
  promptId: string;
  /** Records of the cell, and how many were ok. */
  records: number;
  ok: number;
  /** Timed latencies (ok, not cached) of the cell: fewest, median, most; null without any. */
  minLatencyMs: number | null;
  p50LatencyMs: number | null;
  maxLatencyMs: number | null;
}

/** What {@link sampleDescriptions} chose. */
export interface DescriptionSample {
  /**
   * One record per cell (the latest ok, else the latest error) and every rated record, with the
   * fields of {@link DESCRIPTION_COLUMNS} (what the pages read), not every field of the run.
   */
  records: ResultRecord[];
  /** One entry per cell, sorted by image, platform, model, size, prompt. */
  repeats: RepeatSummary[];
  /** Records read (after the image filter). */
  total: number;
  /** Unreadable lines while reading the runs. */
  problems: number;
}

/** Options of {@link sampleDescriptions}. */
export interface SampleDescriptionsOptions {
  /** Only these images. @default every image */
  imageIds?: Iterable<string>;
  /** Human ratings on file: their records are kept too (the ratings summary reads them). @default [] */
  ratings?: readonly Rating[];
  /** @default "auto" (Parquet when fresh) */
  from?: "auto" | "jsonl" | "parquet";
}

const CELL = ["imageId", "platform", "model", "variant", "promptId"];

/**
 * The columns a description page reads (the browser, the failure gallery, agreement, ratings):
 * the records {@link sampleDescriptions} returns carry these fields only.
 */
export const DESCRIPTION_COLUMNS: readonly string[] = [
  "runId",
  "recordId",
  "createdAt",
  "caseKey",
  "platform",
  "model",
  "preset",
  "imageId",
  "variant",
  "promptId",
  "repeat",
  "status",
  "ok",
  "cached",
  "mode",
  "text",
  "structured",
  "finishReason",
  "latencyMs",
  "costUsd",
  "simulated",
  "errorKind",
  "errorStatus",
  "errorCode",
  "errorMessage",
];

/**
 * Reads the runs of `out` as columns and keeps one description per cell.
 *
 * @example
 * ```ts
 * import { loadLabels } from "./labels.ts";
 * import { buildDescriptionReview } from "./description-review.ts";
 * const { records, repeats } = await sampleDescriptions("results");
 * buildDescriptionReview(records, await loadLabels(), { repeats }); // what the browser shows
 * ```
 */
export async function sampleDescriptions(
  out: string,
  options: SampleDescriptionsOptions = {},
): Promise<DescriptionSample> {
  const read = await loadRunFrame(out, { columns: DESCRIPTION_COLUMNS, from: options.from });
  let frame = read.frame.withColumns(
    ...["runId", "platform", "model", "preset", "imageId", "variant", "promptId", "status", "mode"]
      .map((column) => pl.col(column).cast(pl.Utf8)),
  ).withRowIndex("__order");
  if (options.imageIds) {
    const ids = pl.Series("imageIds", [...options.imageIds], pl.Utf8);
    frame = frame.filter(pl.col("imageId").isIn(pl.lit(ids)));
  }
  const rated = pl.Series(
    "rated",
    [...new Set((options.ratings ?? []).map((rating) => rating.recordId))],
    pl.Utf8,
  );
  // Latest: ok before error, then the latest createdAt, then the later line.
  const chosen = frame.sort(["ok", "createdAt", "__order"])
    .unique({ subset: CELL, keep: "last" })
    .select("__order");
  const kept = frame.join(chosen, { on: "__order", how: "semi" })
    .vstack(frame.filter(pl.col("recordId").isIn(pl.lit(rated))))
    .unique({ subset: ["__order"], keep: "first" })
    .sort("__order").drop("__order");
  const timed = pl.col("ok").and(pl.col("cached").not()).and(pl.col("latencyMs").isNotNull());
  const latency = pl.col("latencyMs").filter(timed);
  const repeats = frame.groupBy(CELL).agg(
    pl.len().cast(pl.Float64).alias("records"),
    pl.col("ok").sum().cast(pl.Float64).alias("ok"),
    latency.min().alias("minLatencyMs"),
    latency.median().alias("p50LatencyMs"),
    latency.max().alias("maxLatencyMs"),
  ).sort(CELL).toRecords() as unknown as RepeatSummary[];
  return {
    records: kept.toRecords().map(recordOfRow),
    repeats,
    total: frame.height,
    problems: read.problems.length,
  };
}
