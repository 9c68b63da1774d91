/**
 * HTML tables for notebooks and the report: descriptions per image and platform (with
 * thumbnails), and summaries with formatted numbers. Built with the `safeHtml` template, which
 * escapes every value that came from a record: model output is untrusted.
 *
 * @module
 */
import type pl from "nodejs-polars";
import { thumbnail } from "../images/thumbnail.ts";
import { rowsOf } from "../analysis/frames.ts";
import { formatCount, formatDuration, formatUsd } from "../util/format.ts";
import { type HtmlFragment, safeHtml } from "../util/html.ts";
import type { ResultRecord } from "../contract/record.ts";
import { platformAnchor } from "./anchors.ts";
import { imageAlts } from "./image-alt.ts";
import { buildDescriptionReview } from "../quality/description-review.ts";
import { type LabelSet, loadLabels } from "../quality/labels.ts";

/**
 * A box that scrolls sideways on its own (the page never does), focusable so a keyboard can
 * scroll it, and named for a screen reader.
 *
 * @example
 * ```ts
 * import { safeHtml } from "../util/html.ts";
 * scrollBox("Leaderboard", safeHtml`<table>…</table>`);
 * ```
 */
export function scrollBox(label: string, content: HtmlFragment): HtmlFragment {
  return safeHtml`${[
    // Inline overflow: a notebook has no report CSS, and a wide table must not be cut off there.
    safeHtml`<div class="vb-table-scroll" role="group" tabindex="0" aria-label="${label}" style="overflow-x:auto;max-width:100%">`,
    safeHtml`${content}</div>`,
  ]}`;
}

/** Description cells read left to right, top down, whatever CSS surrounds them. */
const CELL_STYLE = "text-align:left;vertical-align:top;min-width:16ch;max-width:60ch";
/** An image the description table can show: an `ImageEntry` from lib/images.ts fits. */
export interface ImageLike {
  id: string;
  path: string;
}

/** Options of {@link descriptionTable}. */
export interface DescriptionTableOptions {
  /** Images to show thumbnails of, or a ready map imageId → data URL. Rows follow this order. */
  images?: readonly ImageLike[] | ReadonlyMap<string, string>;
  /** @default 96 */
  thumbnailPx?: number;
  /** Only these variants (each variant is its own column). @default every variant */
  variants?: string[];
  /** Only this prompt. @default every prompt */
  promptId?: string;
  /** Reference labels: each image's alt text is its reference description. @default data/labels.json */
  labels?: LabelSet;
  /**
   * Give each platform · model's first column the id {@link platformAnchor} makes, so chart marks
   * link to it. Only one table in a page should. @default false
   */
  anchors?: boolean;
}

/**
 * One row per image; a column per platform · model · variant with the description (escaped),
 * latency and cost, or the error kind. When a case has several repeats, the first ok one shows.
 *
 * @example
 * ```ts
 * import { loadImageSet } from "../images/image-set.ts";
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const records: ResultRecord[];
 * await descriptionTable(records, { images: await loadImageSet("images") });
 * ```
 */
export async function descriptionTable(
  records: readonly ResultRecord[],
  options: DescriptionTableOptions = {},
): Promise<HtmlFragment> {
  const { images = [], thumbnailPx = 96, variants, promptId } = options;
  const shown = records.filter((record) =>
    (!variants || variants.includes(record.variant)) && (!promptId || record.promptId === promptId)
  );
  if (shown.length === 0) {
    return safeHtml`<p class="visionbench-empty">No descriptions.</p>`;
  }
  const multipleVariants = new Set(shown.map((record) => record.variant)).size > 1;
  const columnOf = (record: ResultRecord) =>
    [record.platform, record.model, ...(multipleVariants ? [record.variant] : [])].join(" · ");
  const columns = [...new Set(shown.map(columnOf))].sort();
  const ordered = images instanceof Map
    ? [...images.keys()]
    : (images as readonly ImageLike[]).map((image) => image.id);
  const imageIds = [...new Set([...ordered, ...shown.map((record) => record.imageId).sort()])]
    .filter((id) => shown.some((record) => record.imageId === id));
  const cells = new Map<string, ResultRecord>();
  for (const record of [...shown].sort(preferFirstOk)) {
    const key = `${record.imageId}\u0000${columnOf(record)}`;
    if (!cells.has(key)) cells.set(key, record);
  }
  const sources = await thumbnailSources(images, thumbnailPx);
  const alts = imageAlts(buildDescriptionReview(shown, options.labels ?? await loadLabels()));
  const anchored = new Set<string>();
  const headerCell = (column: string) => {
    const record = shown.find((candidate) => columnOf(candidate) === column)!;
    const anchor = platformAnchor(record.platform, record.model);
    const id = options.anchors && !anchored.has(anchor) && safeHtml` id="${anchor}"`;
    anchored.add(anchor);
    const simulated = record.simulated &&
      safeHtml`<span class="vb-simulated-tag" style="margin-left:.4em">simulated</span>`;
    return safeHtml`<th${id}>${column}${simulated}</th>`;
  };
  const body = imageIds.map((imageId) => {
    const source = sources.get(imageId);
    const size = `max-width:${thumbnailPx}px;max-height:${thumbnailPx}px`;
    const picture = source &&
      safeHtml`<img src="${source}" alt="${alts.get(imageId)}" style="${size}"><br>`;
    const cellsHtml = columns.map((column) =>
      descriptionCell(cells.get(`${imageId}\u0000${column}`))
    );
    return safeHtml`<tr><td style="${CELL_STYLE}">${picture}<code>${imageId}</code></td>${cellsHtml}</tr>`;
  });
  const style = "border-collapse:collapse;vertical-align:top";
  return scrollBox(
    "Descriptions per image and platform",
    safeHtml`${[
      safeHtml`<table class="visionbench-descriptions" style="${style}">`,
      safeHtml`<thead><tr><th>image</th>${columns.map(headerCell)}</tr></thead>`,
      safeHtml`<tbody>${body}</tbody></table>`,
    ]}`,
  );
}

function preferFirstOk(a: ResultRecord, b: ResultRecord): number {
  return Number(a.status !== "ok") - Number(b.status !== "ok") || a.repeat - b.repeat;
}

async function thumbnailSources(
  images: readonly ImageLike[] | ReadonlyMap<string, string>,
  px: number,
): Promise<Map<string, string>> {
  if (images instanceof Map) return new Map(images);
  const entries = await Promise.all((images as readonly ImageLike[]).map(async (image) => {
    // A broken image has no thumbnail; its row still shows the errors.
    const source = await thumbnail(image.path, px).catch(() => undefined);
    return [image.id, source] as const;
  }));
  return new Map(
    entries.filter((entry): entry is readonly [string, string] => entry[1] !== undefined),
  );
}

function descriptionCell(record: ResultRecord | undefined): HtmlFragment {
  if (!record) return safeHtml`<td class="missing" style="${CELL_STYLE}">—</td>`;
  if (record.status === "error") {
    return safeHtml`<td class="error" style="${CELL_STYLE}"><strong>${
      record.error?.kind ?? "error"
    }</strong><br><small>${record.error?.message}</small></td>`;
  }
  const facts = [
    record.latencyMs === undefined ? undefined : formatDuration(record.latencyMs),
    record.costUsd === undefined ? undefined : formatUsd(record.costUsd),
    record.cached ? "cached" : undefined,
  ].filter(Boolean);
  return safeHtml`<td style="${CELL_STYLE}">${record.text}<br><small>${
    facts.join(" · ")
  }</small></td>`;
}

/** Options of {@link summaryTable}. */
export interface SummaryTableOptions {
  /** Columns to show, in order. @default every column */
  columns?: string[];
  /** Built from simulated records: a caption says so. @default false */
  simulated?: boolean;
}

/**
 * A summary frame as an HTML table: latencies in whole ms, dollars with significant digits,
 * percentages signed, nulls as "—".
 *
 * @example
 * ```ts
 * import type pl from "nodejs-polars";
 * import { summarize } from "../analysis/summary.ts";
 * declare const frame: pl.DataFrame;
 * summaryTable(summarize(frame), { columns: ["platform", "model", "p50LatencyMs", "costPer1k"] });
 * ```
 */
export function summaryTable(
  data: pl.DataFrame | readonly Record<string, unknown>[],
  options: SummaryTableOptions = {},
): HtmlFragment {
  const rows = rowsOf<Record<string, unknown>>(data);
  const columns = options.columns ??
    (Array.isArray(data)
      ? [...new Set(rows.flatMap(Object.keys))]
      : (data as pl.DataFrame).columns);
  const header = columns.map((column) => safeHtml`<th>${column}</th>`);
  const body = rows.map((row) =>
    safeHtml`<tr>${
      columns.map((column) => {
        const value = row[column];
        const align = typeof value === "number" && safeHtml` style="text-align:right"`;
        return safeHtml`<td${align}>${formatCell(column, value)}</td>`;
      })
    }</tr>`
  );
  const simulated = options.simulated && safeHtml`${[
    safeHtml`<caption><span class="vb-simulated-tag">simulated</span> `,
    safeHtml`from emulators, not measured</caption>`,
  ]}`;
  return scrollBox(
    "Summary table",
    safeHtml`${[
      safeHtml`<table class="visionbench-summary">${simulated}`,
      safeHtml`<thead><tr>${header}</tr></thead><tbody>${body}</tbody></table>`,
    ]}`,
  );
}

/** How a summary value reads in a table (the column name says the unit). */
export function formatCell(column: string, value: unknown): string {
  if (value === null || value === undefined || (typeof value === "number" && Number.isNaN(value))) {
    return "—";
  }
  if (typeof value === "boolean") return value ? "✓" : "";
  if (typeof value !== "number") return String(value);
  if (/Pct$/.test(column)) return `${value > 0 ? "+" : ""}${value.toFixed(1)} %`;
  if (/cost/i.test(column)) return formatUsd(value);
  if (/Ms$/.test(column) || /Tokens/.test(column)) return formatCount(value);
  return Number.isInteger(value) ? formatCount(value) : value.toFixed(2);
}
