/**
 * A chart's text view, for screen readers, keyboards and touch screens, which SVG tooltips do not
 * reach: a short summary (what the chart shows and its main finding) and the chart's marks as a
 * table behind a disclosure. The table is read from the marks' tooltips (`<title>`), so a row says
 * exactly what its mark's tooltip says: one source for both.
 *
 * @module
 */
import { parseHTML } from "linkedom";
import { HtmlFragment, safeHtml } from "../../util/html.ts";
import { scrollBox } from "../tables.ts";

/** A rendered chart that carries its summary (see {@link describeChart}). */
export class DescribedChart extends HtmlFragment {
  constructor(html: string, readonly summary: string) {
    super(html);
  }
}

/**
 * Attaches a summary to a rendered chart; {@link chartHtml} shows it above the chart.
 *
 * @example
 * ```ts
 * import { renderPlot } from "./svg.ts";
 * describeChart(renderPlot({ marks: [] }), "Each dot is one call. The fastest is 0.8 s.");
 * ```
 */
export function describeChart(chart: HtmlFragment, summary: string): DescribedChart {
  return new DescribedChart(chart.html, summary);
}

/** The rows of a chart's table: one per distinct mark tooltip. */
export interface MarkTable {
  /** Value columns after the first (the mark's name): tooltip keys, or "values". */
  columns: string[];
  rows: { name: string; cells: string[] }[];
}

/** "key: value" tooltip lines become columns; other lines go to a "values" column. */
const KEYED_LINE = /^([^:]{1,30}): (.+)$/;

/**
 * The marks of a chart as table rows, from their tooltips: the first line names the mark, each
 * `key: value` line fills the column `key`, other lines the "values" column. Marks with the same
 * tooltip (a dot and its rule) make one row.
 *
 * @example
 * ```ts
 * markTable(`<svg><circle><title>gemini · flash\np50: 1.2 s</title></circle></svg>`);
 * // { columns: ["p50"], rows: [{ name: "gemini · flash", cells: ["1.2 s"] }] }
 * ```
 */
export function markTable(markup: string): MarkTable {
  const { document } = parseHTML(`<!doctype html><html><body>${markup}</body></html>`);
  const tooltips = [...document.querySelectorAll("title")]
    .map((title) => (title.textContent ?? "").trim())
    .filter((text) => text !== "");
  const columns: string[] = [];
  const parsed = [...new Set(tooltips)].map((tooltip) => {
    const [name, ...lines] = tooltip.split("\n");
    const values = new Map<string, string>();
    for (const line of lines) {
      const [, key = "values", value = line] = line.match(KEYED_LINE) ?? [];
      values.set(key, values.has(key) ? `${values.get(key)} · ${value}` : value);
      if (!columns.includes(key)) columns.push(key);
    }
    return { name, values };
  });
  return {
    columns,
    rows: parsed.map(({ name, values }) => ({
      name,
      cells: columns.map((column) => values.get(column) ?? ""),
    })),
  };
}

/**
 * The summary paragraph and, when the chart has marks with tooltips, a "Show as table" disclosure
 * whose table scrolls in its own focusable box.
 */
export function chartTextHtml(
  markup: string,
  options: { summary?: string; title?: string },
): { summary: HtmlFragment | false; table: HtmlFragment | false } {
  const { columns, rows } = markTable(markup);
  const name = options.title ?? "Chart";
  const summary = options.summary !== undefined &&
    safeHtml`<p class="vb-chart-summary">${options.summary}</p>`;
  if (rows.length === 0) return { summary, table: false };
  const header = ["", ...columns].map((column) =>
    safeHtml`<th scope="col">${column || "mark"}</th>`
  );
  const body = rows.map((row) =>
    safeHtml`<tr><th scope="row">${row.name}</th>${
      row.cells.map((cell) => safeHtml`<td>${cell}</td>`)
    }</tr>`
  );
  const table = safeHtml`${[
    safeHtml`<details class="vb-chart-table"><summary>Show as table `,
    safeHtml`<span class="vb-visually-hidden">: ${name}</span></summary>`,
    scrollBox(
      `${name}: data table`,
      safeHtml`${[
        safeHtml`<table class="vb-table"><thead><tr>${header}</tr></thead>`,
        safeHtml`<tbody>${body}</tbody></table>`,
      ]}`,
    ),
    safeHtml`</details>`,
  ]}`;
  return { summary, table };
}

/**
 * The row with the smallest `value` (the largest with `{ largest: true }`), for a summary's
 * finding; undefined when there are no rows.
 *
 * @example
 * ```ts
 * extreme([{ usd: 2 }, { usd: 1 }], (row) => row.usd); // { usd: 1 }
 * ```
 */
export function extreme<Row>(
  rows: readonly Row[],
  value: (row: Row) => number,
  options: { largest?: boolean } = {},
): Row | undefined {
  const sign = options.largest ? -1 : 1;
  return rows.reduce<Row | undefined>(
    (best, row) => best === undefined || sign * value(row) < sign * value(best) ? row : best,
    undefined,
  );
}
