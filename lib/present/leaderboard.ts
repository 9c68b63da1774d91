/**
 * Tables for people: readable headers with units, seconds per image (the study's unit), one
 * dollar format, a frozen first column, sortable columns (the report's small inline script reads
 * `data-sort`), and a scroll container of their own so the page never scrolls sideways.
 *
 * @module
 */
import { optionLabel } from "../analysis/decision.ts";
import type { ReferenceFigure } from "../analysis/reference-figures.ts";
import { formatScore, formatSeconds, formatShare, formatUsd, orDash } from "../util/format.ts";
import { type HtmlFragment, safeHtml } from "../util/html.ts";
import { platformAnchor } from "./anchors.ts";
import { scrollBox } from "./tables.ts";

/** A column of a people table. */
export interface PeopleColumn<Row> {
  /** Header text, with its unit. */
  header: string;
  /** Tooltip on the header: what the column means. */
  title?: string;
  /** The cell's text (escaped). */
  text: (row: Row) => string;
  /** Sort key; numbers sort numerically. @default the text */
  sort?: (row: Row) => number | string | null;
  /** @default "right" for sortable numbers, "left" otherwise */
  align?: "left" | "right";
}

/** Options of {@link peopleTable}. */
export interface PeopleTableOptions<Row> {
  columns: PeopleColumn<Row>[];
  /** Marks the table (and its caption) as built from simulated data. @default false */
  simulated?: boolean;
  caption?: string;
  /** Extra class on the table. */
  className?: string;
  /** Markup for the first cell (an `safeHtml` template), instead of the text. */
  firstCell?: (row: Row) => HtmlFragment;
}

/**
 * A sortable table with a frozen first column inside its own scroll container. The report's
 * script turns the headers into sort buttons; in a notebook they stay plain headers, so nothing
 * promises a sort that does not happen there.
 *
 * @example
 * ```ts
 * declare const rows: { platform: string }[];
 * peopleTable(rows, { columns: [{ header: "Platform", text: (row) => row.platform }] });
 * ```
 */
export function peopleTable<Row>(
  rows: readonly Row[],
  options: PeopleTableOptions<Row>,
): HtmlFragment {
  const { columns, simulated = false } = options;
  const numeric = (column: PeopleColumn<Row>, index: number) =>
    index > 0 && column.align !== "left" && safeHtml` class="vb-num"`;
  const header = columns.map((column, index) =>
    safeHtml`<th scope="col"${column.title && safeHtml` title="${column.title}"`}${
      numeric(column, index)
    }>${column.header}</th>`
  );
  const body = rows.map((row) =>
    safeHtml`<tr>${
      columns.map((column, index) => {
        const sort = column.sort?.(row);
        const attributes = safeHtml`${
          sort !== undefined && sort !== null && safeHtml` data-sort="${sort}"`
        }${numeric(column, index)}`;
        return index === 0
          ? safeHtml`<th scope="row"${attributes}>${
            options.firstCell?.(row) ?? column.text(row)
          }</th>`
          : safeHtml`<td${attributes}>${column.text(row)}</td>`;
      })
    }</tr>`
  );
  const tag = simulated && safeHtml`<span class="vb-simulated-tag">simulated</span> `;
  const caption = (options.caption || simulated) &&
    safeHtml`<caption>${tag}${options.caption}</caption>`;
  const className = options.className && ` ${options.className}`;
  return scrollBox(
    options.caption ?? "Table",
    safeHtml`${[
      safeHtml`<table class="vb-table vb-sortable${className}">`,
      safeHtml`${caption}<thead><tr>${header}</tr></thead><tbody>${body}</tbody></table>`,
    ]}`,
  );
}

const seconds = orDash(formatSeconds);
const usd = orDash(formatUsd);
const score = orDash(formatScore);
const share = orDash(formatShare);
const sortable = (value: number | null | undefined) =>
  typeof value === "number" && Number.isFinite(value) ? value : null;

/** $/1k, and the cost per 1,000 successes with billed failures when that differs. */
function withBilledFailures(row: LeaderboardRow): string {
  const perSuccess = row.costPerSuccess1k;
  if (typeof perSuccess !== "number" || row.costPer1k === null) return usd(row.costPer1k);
  if (Math.abs(perSuccess - row.costPer1k) <= 0.005 * row.costPer1k) return usd(row.costPer1k);
  return `${usd(row.costPer1k)} (${usd(perSuccess)} per 1,000 successes with billed failures)`;
}

/** The fields {@link leaderboardTable} reads (a `LeaderRow` of `compareReport()` fits). */
export interface LeaderboardRow {
  platform: string;
  model: string;
  variant: string;
  n: number;
  errors: number;
  p50LatencyMs: number | null;
  p90LatencyMs: number | null;
  /** Mean recorded cost × 1,000 (the cards stored in the records). */
  costPer1k: number | null;
  /** All recorded cost, billed failures included, per successful image × 1,000. */
  costPerSuccess1k?: number | null;
  /** The same calls at today's prices (data/prices.json). */
  costPer1kToday: number | null;
  /**
   * The same calls through the platform's batch API at today's prices: measured (`--mode batch`
   * rows of the same platform · model · size) when there are any, else projected from the card's
   * batch price; null without a batch API.
   */
  batchCostPer1kToday?: number | null;
  meanScore: number | null;
  meanRecall: number | null;
  hallucinationRate: number | null;
  onFrontier: boolean;
  /** Some of the row's records came from an emulator. */
  simulated: boolean;
  /** Left out of the pick (the offline baseline). */
  baseline: boolean;
  /** Footnote marks of the assumptions today's cost rests on (see the Method section). */
  notes?: number[];
}

/** Footnote marks as the cost cell shows them: " [1, 3]". */
export function footnoteMarks(notes: readonly number[] | undefined): string {
  return notes?.length ? ` [${notes.join(", ")}]` : "";
}

/**
 * The leaderboard: one row per platform · model · size, best quality per dollar first is left to
 * the reader — rows start sorted by today's cost; every header sorts.
 *
 * @example
 * ```ts
 * import { compareReport } from "../app/compare-report.ts";
 * leaderboardTable((await compareReport({ out: "results" })).rows);
 * ```
 */
export function leaderboardTable(
  rows: readonly LeaderboardRow[],
  options: { pickLabel?: string } = {},
): HtmlFragment {
  if (rows.length === 0) {
    return safeHtml`<p class="vb-empty">No platform was measured.</p>`;
  }
  const sorted = [...rows].sort((a, b) =>
    (a.costPer1kToday ?? a.costPer1k ?? Infinity) - (b.costPer1kToday ?? b.costPer1k ?? Infinity)
  );
  const simulated = rows.some((row) => row.simulated);
  return peopleTable(sorted, {
    simulated,
    caption: simulated
      ? "Simulated rows come from emulators, not measurements."
      : "Measured here. Latency counts only calls that ran (cache hits keep their first latency).",
    firstCell: (row) => {
      const label = `${row.platform} · ${row.model}`;
      const pick = options.pickLabel === optionLabel(row);
      const tags = [
        pick && safeHtml`<span class="vb-tag vb-pick-tag">pick</span>`,
        row.simulated &&
        safeHtml`<span class="vb-simulated-tag" style="margin-left:.4em">simulated</span>`,
        row.baseline && safeHtml`<span class="vb-tag">baseline, not a model</span>`,
      ];
      return safeHtml`<a href="#${platformAnchor(row.platform, row.model)}">${label}</a>${tags}`;
    },
    columns: [
      { header: "Platform · model", text: (row) => `${row.platform} · ${row.model}` },
      {
        header: "Image size",
        text: (row) => row.variant === "original" ? "original" : `${row.variant} px`,
        align: "left",
      },
      {
        header: "Calls",
        title: "calls made (errors in brackets)",
        text: (row) => `${row.n}${row.errors ? ` (${row.errors} failed)` : ""}`,
        sort: (row) => row.n,
      },
      {
        header: "p50 s / image",
        title: "median seconds per image",
        text: (row) => seconds(row.p50LatencyMs),
        sort: (row) => sortable(row.p50LatencyMs),
      },
      {
        header: "p90 s / image",
        title: "9 in 10 images answered within",
        text: (row) => seconds(row.p90LatencyMs),
        sort: (row) => sortable(row.p90LatencyMs),
      },
      {
        header: "$ / 1,000 recorded",
        title: "mean cost per image × 1,000, with the price card stored in each record; " +
          "when failed calls were billed too, what 1,000 successful images cost with them",
        text: (row) => withBilledFailures(row),
        sort: (row) => sortable(row.costPer1k),
      },
      {
        header: "$ / 1,000 today",
        title:
          "the same calls priced with today's data/prices.json; [n]: an assumption the cost rests on, listed in Method",
        text: (row) => `${usd(row.costPer1kToday)}${footnoteMarks(row.notes)}`,
        sort: (row) => sortable(row.costPer1kToday),
      },
      {
        header: "Keyword score / 10",
        title:
          "keyword recall score: 10 × share of the labelled things named − 2 × share naming something absent (automatic, not a human rating)",
        text: (row) => score(row.meanScore),
        sort: (row) => sortable(row.meanScore),
      },
      {
        header: "Recall",
        title: "share of the labelled things named",
        text: (row) => share(row.meanRecall),
        sort: (row) => sortable(row.meanRecall),
      },
      {
        header: "Hallucinates",
        title: "share of descriptions naming something that is not there",
        text: (row) => share(row.hallucinationRate),
        sort: (row) => sortable(row.hallucinationRate),
      },
      {
        header: "Frontier",
        title: "no other row is at least as cheap, as fast and as good",
        text: (row) => row.onFrontier ? "✓" : "",
        sort: (row) => row.onFrontier ? 1 : 0,
      },
    ],
  });
}

/**
 * The study's ten published rows, always shown (with or without keys), its pick marked.
 *
 * @example
 * ```ts
 * import { loadReferenceFigures } from "../analysis/reference-figures.ts";
 * publishedTable(await loadReferenceFigures(), { pickPreset: "gemini" });
 * ```
 */
export function publishedTable(
  figures: readonly ReferenceFigure[],
  options: { pickPreset?: string } = {},
): HtmlFragment {
  return peopleTable(figures, {
    caption: `Published by the study (${figures[0]?.images ?? 20} images, one prompt); ` +
      "not measured here.",
    className: "vb-published",
    firstCell: (figure) =>
      safeHtml`${figure.model}${
        figure.preset === options.pickPreset &&
        safeHtml`<span class="vb-tag vb-pick-tag">study's pick</span>`
      }`,
    columns: [
      { header: "Study's platform · model", text: (figure) => figure.model },
      { header: "Preset", text: (figure) => figure.preset, align: "left" },
      {
        header: "Average s / image",
        text: (figure) => String(figure.avgSeconds),
        sort: (figure) => figure.avgSeconds,
      },
      {
        header: "Fastest s",
        text: (figure) => figure.fastestSeconds === null ? "—" : String(figure.fastestSeconds),
        sort: (figure) => figure.fastestSeconds,
      },
      {
        header: "$ / 1,000",
        text: (figure) => usd(figure.usdPer1000),
        sort: (figure) => figure.usdPer1000,
      },
      {
        header: "Quality / 10",
        title: "only where the study stated one",
        text: (figure) => score(figure.quality),
        sort: (figure) => figure.quality ?? null,
      },
      {
        header: "Note",
        title:
          "why the study's figure cannot be reproduced from today's price cards, where it cannot",
        text: (figure) => figure.costNote ?? figure.note ?? "",
        align: "left",
      },
    ],
  });
}
