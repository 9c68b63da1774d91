/**
 * The table the CLI prints at the end of a run: one row per platform × model × variant (× prompt
 * when there are several), from the run's records as stored — so a resumed run summarizes every
 * case, not only those of the last invocation. The run is read as columns by Polars
 * (`loadRunFrame`), not as one JS object per record, so the summary of a long run costs little
 * beside the run.
 *
 * @module
 */
import { rowsOf } from "../analysis/frames.ts";
import { loadLabels } from "../quality/labels.ts";
import { joinQuality, qualitySummary } from "../quality/quality-frame.ts";
import { loadRunFrame, writeRunParquet } from "../analysis/run-frame.ts";
import type { RunResult } from "../run/runner.ts";
import { summarize, type SummaryRow } from "../analysis/summary.ts";
import { dirname } from "node:path";
import pl from "nodejs-polars";
import { formatCount, formatScore, formatSeconds, formatUsd } from "../util/format.ts";

/** Options of {@link printRunSummary}. */
export interface PrintSummaryOptions {
  /** Also write (or refresh) `<runId>.parquet` beside the JSONL. @default false */
  parquet?: boolean;
  /** @default console.log */
  print?: (line: string) => void;
}

/** Prints the summary table of a finished (or cancelled) run. */
export async function printRunSummary(
  result: Pick<RunResult, "runId" | "path">,
  options: PrintSummaryOptions = {},
): Promise<void> {
  const print = options.print ?? console.log;
  const outDir = dirname(result.path);
  const { frame, problems } = await loadRunFrame(outDir, { runIds: [result.runId], from: "jsonl" });
  for (const problem of problems) {
    print(`warning: ${problem.path}:${problem.line}: ${problem.reason}`);
  }
  if (frame.height === 0) {
    print(`run ${result.runId}: no records`);
    return;
  }
  const prompts = frame.getColumn("promptId").nUnique();
  // A run with live and batch rows keeps them apart: batch rows cost half and have no latency.
  const modes = frame.getColumn("mode").nUnique();
  const by = [
    "platform",
    "model",
    "variant",
    ...(prompts > 1 ? ["promptId"] : []),
    ...(modes > 1 ? ["mode"] : []),
  ];
  const labels = await loadLabels();
  // Quality joins the table when the images have reference labels (the sample set does).
  const summary = joinQuality(summarize(frame, { by }), qualitySummary(frame, { labels, by }), {
    by,
  });
  const rows = rowsOf<SummaryRow & { meanScore?: number | null }>(summary);
  print(formatTable(rows, by));
  const cached = frame.filter(pl.col("cached")).height;
  if (cached > 0) {
    print(
      `${cached} of ${frame.height} calls came from the response cache: their latency is left ` +
        "out (–); --cache refresh measures them again",
    );
  }
  print(`records: ${result.path}`);
  if (options.parquet) {
    const parquet = await writeRunParquet(result.path, { force: true });
    print(`parquet: ${parquet.path}`);
  }
}

const seconds = (ms: unknown) => typeof ms === "number" ? formatSeconds(ms) : "–";
const count = (value: unknown) => typeof value === "number" ? formatCount(value) : "–";
const dollars = (value: unknown) => typeof value === "number" ? formatUsd(value) : "n/a";

/** Formats summary rows as an aligned text table (a quality column when any row was scored). */
export function formatTable(
  rows: (SummaryRow & { meanScore?: number | null })[],
  by: string[],
): string {
  const scored = rows.some((row) => typeof row.meanScore === "number");
  const header = [
    ...by,
    "ok",
    "errors",
    "mean s",
    "min s",
    "p50 s",
    "p90 s",
    "p50 ttft s",
    "in tok",
    "out tok",
    "$/1k",
    ...(scored ? ["quality /10"] : []),
  ];
  const body = rows.map((row) => [
    ...by.map((column) => String(row[column] ?? "")),
    count(row.ok),
    row.errors ? `${count(row.errors)} (${row.errorKinds})` : "0",
    seconds(row.meanLatencyMs),
    seconds(row.minLatencyMs),
    seconds(row.p50LatencyMs),
    seconds(row.p90LatencyMs),
    seconds(row.p50TtftMs),
    count(row.meanInputTokens),
    count(row.meanOutputTokens),
    dollars(row.costPer1k),
    ...(scored ? [typeof row.meanScore === "number" ? formatScore(row.meanScore) : "–"] : []),
  ]);
  const widths = header.map((title, index) =>
    Math.max(title.length, ...body.map((cells) => cells[index].length))
  );
  const line = (cells: string[]) =>
    cells.map((cell, index) =>
      index < by.length ? cell.padEnd(widths[index]) : cell.padStart(widths[index])
    )
      .join("  ");
  return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...body.map(line)]
    .join("\n");
}
