/**
 * How numbers read for a person, one name per meaning: dollars, durations, seconds in a column
 * whose header says "s", counts, quality scores and shares. Tables, cards, chart tooltips, the
 * progress bars and the CLI summary all format through these, so a quantity reads the same
 * everywhere.
 *
 * @example
 * ```ts
 * formatUsd(0.0031); // "$0.0031"
 * formatDuration(2400); // "2.4 s"
 * ```
 *
 * @module
 */

/** Dollars, digits enough to tell cheap platforms apart: "$0", "$0.0031", "$1.87", "$9,035". */
export function formatUsd(value: number): string {
  if (value === 0) return "$0";
  if (value >= 100) return `$${formatCount(value)}`;
  if (value >= 0.1) return `$${value.toFixed(2)}`;
  return `$${Number(value.toPrecision(2))}`;
}

/** A duration of `ms`, two significant digits: "850 ms", "2.4 s", "49 s", "3.1 min", "2.5 h". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Number(ms.toPrecision(2))} ms`;
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** `ms` as bare seconds, for a column whose header says "s": "0.012", "2.4", "49", "1,234". */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return seconds >= 10 ? formatCount(seconds) : String(Number(seconds.toPrecision(2)));
}

/** A count (or a mean of counts), whole, with thousands separators: "1,234". */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

/** A quality score or rating out of 10, one decimal: "6.5". */
export function formatScore(score: number): string {
  return (Math.round(score * 10) / 10).toFixed(1);
}

/** A share of a whole (0–1) as a whole percent: "64 %". */
export function formatShare(share: number): string {
  return `${Math.round(share * 100)} %`;
}

/** `format` for a finite number, "—" for anything else (a table cell that may be empty). */
export function orDash(
  format: (value: number) => string,
): (value: number | null | undefined) => string {
  return (value) => typeof value === "number" && Number.isFinite(value) ? format(value) : "—";
}
