/**
 * What makes a chart readable for a person: dollar ticks without trailing zeros ($0.3, $1), log
 * ticks that do not crowd, margins that fit the longest label, a tooltip per mark, labels that
 * never overlap (placed greedily in pixel space, the rest left to tooltips), and a size that
 * stays legible when the chart is shown on a phone. Durations and scores: lib/util/format.ts.
 *
 * @module
 */
import type * as Plot from "@observablehq/plot";
import { formatDuration, formatScore, formatUsd } from "../../util/format.ts";

/** Width charts are drawn at; CSS stretches them to the page (and scrolls below 760 px). */
export const CHART_WIDTH = 960;
/** Font size in the SVG: ≥ 10 px on screen down to the 760 px minimum display width. */
export const CHART_FONT_PX = 13;
/** Plot `style` for every chart. */
export const CHART_STYLE = { fontSize: `${CHART_FONT_PX}px`, overflow: "visible" } as const;

/** "$0.01", "$0.3", "$1", "$250": a tick needs no trailing zeros. */
export function usdTick(value: number): string {
  if (value >= 100) return formatUsd(value);
  return `$${Number(value.toPrecision(2))}`;
}

/** Room under the plot for the x tick labels AND the axis label, which must not touch. */
export const X_AXIS_ROOM = { marginBottom: 50, labelOffset: 42 } as const;

/** Options of {@link logTicks}. */
export interface LogTicksOptions {
  /** Width of the plot area the axis spans, px. @default 600 */
  widthPx?: number;
  /** Least distance between two tick labels, px. @default 64 */
  minGapPx?: number;
}

/**
 * Tick values for a log axis from `min` to `max`: the richest of 1-2-5, 1-2-3, 1-3, 1-2 and
 * powers of ten whose labels are at least `minGapPx` apart, and that d3 will label — on a log
 * scale Plot hands the format to d3's log tickFormat, which blanks the labels of the higher
 * digits of each decade when the axis spans several decades.
 *
 * @example
 * ```ts
 * logTicks(0.03, 4); // [0.03, 0.1, 0.2, 0.3, 1, 2, 3]
 * ```
 */
export function logTicks(min: number, max: number, options: LogTicksOptions = {}): number[] {
  const { widthPx = 600, minGapPx = 64 } = options;
  if (!(min > 0) || !(max > min)) return [];
  const low = Math.floor(Math.log10(min));
  const high = Math.ceil(Math.log10(max));
  const candidates = (steps: number[]) => {
    const values: number[] = [];
    for (let exponent = low; exponent <= high; exponent++) {
      for (const step of steps) {
        const value = Number((step * 10 ** exponent).toPrecision(6));
        if (value >= min * 0.999 && value <= max * 1.001) values.push(value);
      }
    }
    return values;
  };
  // d3 keeps the label of digit i when i ≤ k = max(1, 10 × 10 / (its own tick count)).
  const decades = Math.log10(max / min);
  const d3Ticks = high - low >= 10
    ? high - low + 1
    : candidates([1, 2, 3, 4, 5, 6, 7, 8, 9]).length;
  const kept = Math.max(1, 100 / Math.max(1, d3Ticks));
  const pxPerDecade = widthPx / decades;
  for (const steps of [[1, 2, 5], [1, 2, 3], [1, 3], [1, 2], [1]]) {
    if (Math.max(...steps) > kept) continue;
    const values = candidates(steps);
    const gaps = values.slice(1).map((value, index) => Math.log10(value / values[index]));
    if (values.length >= 2 && Math.min(...gaps) * pxPerDecade >= minGapPx) return values;
  }
  const powers = candidates([1]);
  const every = Math.max(1, Math.ceil(minGapPx / pxPerDecade));
  return powers.filter((_, index) => index % every === 0);
}

/** A log domain padded by a fraction of a decade on each side, so no mark sits on the edge. */
export function logDomain(values: number[], pad = 0.15): [number, number] {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const factor = 10 ** pad;
  return max / min < 1.5 ? [min / 2, max * 2] : [min / factor, max * factor];
}

/** True when values span more than 10× (then the axis is logarithmic). */
export function spansDecade(values: number[]): boolean {
  const positive = values.filter((value) => value > 0);
  return positive.length > 1 && Math.max(...positive) / Math.min(...positive) > 10;
}

/** Left margin that fits the longest label of a categorical y axis. */
export function labelMargin(labels: Iterable<string>, min = 80, max = 340): number {
  let longest = 0;
  for (const label of labels) longest = Math.max(longest, label.length);
  return Math.min(max, Math.max(min, Math.ceil(longest * CHART_FONT_PX * 0.58) + 16));
}

/** The tooltip of a summary row: platform, model, size, p50, $/1k, quality, n. */
export function rowTooltip(row: Record<string, unknown>): string {
  const number = (value: unknown) => typeof value === "number" && Number.isFinite(value);
  const lines = [
    `${row.platform} · ${row.model}`,
    row.variant === undefined
      ? undefined
      : `size: ${row.variant === "original" ? "original" : `${row.variant} px`}`,
    `p50: ${number(row.p50LatencyMs) ? formatDuration(row.p50LatencyMs as number) : "—"}`,
    `$/1k images: ${
      number(row.costPer1kToday ?? row.costPer1k)
        ? formatUsd((row.costPer1kToday ?? row.costPer1k) as number)
        : "—"
    }`,
    `quality: ${number(row.meanScore) ? `${formatScore(row.meanScore as number)}/10` : "—"}`,
    `n: ${number(row.n) ? row.n : "—"}`,
    row.simulated === true ? "simulated, not measured" : undefined,
  ];
  return lines.filter((line) => line !== undefined).join("\n");
}

/**
 * A quantitative scale for `values`: logarithmic with uncrowded 1-2-5 ticks when they span more
 * than 10×, linear otherwise; ticks written by `format`.
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * Plot.plot({ x: { ...scaleFor([0.04, 4.43], usdTick), label: "USD per 1,000 images →" } });
 * ```
 */
export function scaleFor(values: number[], format: (value: number) => string): Plot.ScaleOptions {
  const positive = values.filter((value) => value > 0);
  if (spansDecade(positive) && positive.length === values.length) {
    const domain = logDomain(positive);
    return {
      type: "log",
      domain,
      ticks: logTicks(...domain),
      tickFormat: format,
      labelOffset: X_AXIS_ROOM.labelOffset,
    };
  }
  return {
    type: "linear",
    nice: true,
    ticks: 6,
    tickFormat: format,
    labelOffset: X_AXIS_ROOM.labelOffset,
  };
}

/**
 * What every chart with one row per platform shares: the page's width and type, room for the
 * x-axis label, and no y-axis title (the rows are named).
 */
export const ROW_CHART = {
  width: CHART_WIDTH,
  style: CHART_STYLE,
  marginBottom: X_AXIS_ROOM.marginBottom,
  y: { label: null },
};
