/**
 * Chart inputs: every chart accepts a Polars frame or plain rows. Call charts accept result
 * records or the frame of {@link recordsToFrame}; summary charts a summary frame or its rows.
 *
 * @module
 */
import type pl from "nodejs-polars";
import { flattenRecord, type FrameRow, rowsOf } from "../../analysis/frames.ts";
import type { ResultRecord } from "../../contract/record.ts";
import type { SummaryRow } from "../../analysis/summary.ts";

/** Calls: records, flat frame rows, or the frame itself. */
export type CallData = pl.DataFrame | readonly ResultRecord[] | readonly FrameRow[];
/** Summary rows (e.g. `compareReport().rows`) or the summary frame. */
export type SummaryData = pl.DataFrame | readonly SummaryRow[] | readonly object[];

/** Flat rows of calls, whatever the input shape. */
export function callRows(data: CallData): FrameRow[] {
  const rows = rowsOf<ResultRecord | FrameRow>(
    data as pl.DataFrame | readonly (ResultRecord | FrameRow)[],
  );
  return rows.map((row) => ("ok" in row ? row : flattenRecord(row)));
}

/** Summary rows, whatever the input shape. */
export function summaryRows(data: SummaryData): SummaryRow[] {
  return rowsOf<SummaryRow>(data as pl.DataFrame | readonly SummaryRow[]);
}

/** "platform · model" (· variant when asked): the name a row goes by on a chart. */
export function seriesLabel(
  row: object,
  options: { variant?: boolean } = {},
): string {
  const { platform, model, variant } = row as Record<string, unknown>;
  const parts = [platform, model, options.variant ? variant : undefined];
  return parts.filter((part) => typeof part === "string" && part !== "").join(" · ") || "all";
}

/** True for a finite number (nulls and NaN are not plotted). */
export function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** The cost column to draw: at today's prices when the rows have them, else as recorded. */
export function costColumnOf(rows: readonly SummaryRow[]): "costPer1kToday" | "costPer1k" {
  return rows.some((row) => isNumber(row.costPer1kToday)) ? "costPer1kToday" : "costPer1k";
}
