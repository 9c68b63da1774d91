/**
 * Small pieces of the report that are not charts or tables of records: image attributions, the
 * note on which platforms ran, and deltas of a summary against a base row (prompt lab).
 * Text from files and records is escaped: only our own markup reaches the page.
 *
 * @module
 */
import pl from "nodejs-polars";
import { type HtmlFragment, safeHtml } from "../util/html.ts";
import type { ManifestEntry } from "../images/manifest.ts";

/** Options of {@link attributionList}. */
export interface AttributionListOptions {
  /** Licences that require attribution. @default /^CC-BY/i (CC-BY and CC-BY-SA, any version) */
  licenses?: RegExp;
}

/**
 * Credits for the images whose licence requires attribution: file, creator, licence, source
 * (a link when it is an http(s) URL).
 *
 * @example
 * ```ts
 * import { readImageManifest } from "../images/manifest.ts";
 * attributionList((await readImageManifest("images")).values());
 * ```
 */
export function attributionList(
  entries: Iterable<ManifestEntry>,
  options: AttributionListOptions = {},
): HtmlFragment {
  const { licenses = /^CC-BY/i } = options;
  const credited = [...entries].filter((entry) => licenses.test(entry.license ?? ""))
    .sort((a, b) => a.file.localeCompare(b.file));
  if (credited.length === 0) {
    return safeHtml`<p class="visionbench-attributions">No image needs attribution.</p>`;
  }
  const items = credited.map((entry) => {
    const source = entry.source ?? "";
    const link = /^https?:\/\//.test(source) &&
      safeHtml`<a href="${source}" rel="noopener noreferrer">${source}</a>`;
    return safeHtml`${[
      safeHtml`<li><code>${entry.file}</code>${entry.shows && safeHtml` (${entry.shows})`}: `,
      safeHtml`${entry.creator ?? "unknown creator"}, ${entry.license}`,
      safeHtml`${source && safeHtml`, ${link || source}`}</li>`,
    ]}`;
  });
  const images = `${credited.length} image${credited.length === 1 ? "" : "s"}`;
  return safeHtml`${[
    // Long source URLs break anywhere: on a phone the list must not scroll sideways.
    safeHtml`<div class="visionbench-attributions" style="overflow-wrap:anywhere"><p>${images} `,
    safeHtml`used under licences that require attribution:</p><ul>${items}</ul></div>`,
  ]}`;
}

/** Options of {@link platformsNote}. */
export interface PlatformsNoteOptions {
  /** Presets that have records. */
  ran: readonly string[];
  /** From `findPlatforms()`; the ones that ran anyway (named explicitly) are left out. */
  skipped: readonly { preset: string; reason: string }[];
}

/**
 * "Ran: … · Not run: preset (reason)" — so a reader knows a platform is missing for lack of a
 * key, not because it lost.
 *
 * @example
 * ```ts
 * platformsNote({ ran: ["local"], skipped: [{ preset: "openai", reason: "OPENAI_API_KEY not set" }] });
 * ```
 */
export function platformsNote(options: PlatformsNoteOptions): HtmlFragment {
  const ran = [...new Set(options.ran)].sort();
  const skipped = options.skipped.filter((platform) => !ran.includes(platform.preset));
  const ranHtml = ran.length
    ? ran.map((preset, index) => safeHtml`${index > 0 && ", "}<code>${preset}</code>`)
    : "none";
  const skippedHtml = skipped.length
    ? safeHtml`<ul>${
      skipped.map((platform) =>
        safeHtml`<li><code>${platform.preset}</code>: ${platform.reason}</li>`
      )
    }</ul>`
    : " none";
  return safeHtml`${[
    safeHtml`<div class="visionbench-platforms"><p><strong>Platforms run:</strong> ${ranHtml}</p>`,
    safeHtml`<p><strong>Not run</strong> (add the key to <code>.env</code> to include it):`,
    safeHtml`${skippedHtml}</p></div>`,
  ]}`;
}

/** Options of {@link compareAgainst}. */
export interface CompareAgainstOptions {
  /** Column whose values are compared, e.g. `"promptId"`. */
  column: string;
  /** The value every other row is compared with. */
  base: string;
  /** Columns that must match for two rows to be compared. @default ["platform", "model", "variant"] */
  by?: string[];
  /** @default ["meanInputTokens", "meanOutputTokens", "costPer1k", "p50LatencyMs"] */
  metrics?: string[];
}

/**
 * Adds `delta<Metric>` columns (row − the base row with the same `by` values) to a summary, e.g.
 * how many more output tokens and dollars a prompt costs than the default one.
 *
 * @example
 * ```ts
 * import type pl from "nodejs-polars";
 * import { summarize } from "../analysis/summary.ts";
 * declare const frame: pl.DataFrame;
 * compareAgainst(summarize(frame), { column: "promptId", base: "default" });
 * ```
 */
export function compareAgainst(
  summary: pl.DataFrame,
  options: CompareAgainstOptions,
): pl.DataFrame {
  const {
    column,
    base,
    by = ["platform", "model", "variant"],
    metrics = ["meanInputTokens", "meanOutputTokens", "costPer1k", "p50LatencyMs"],
  } = options;
  const baseName = (metric: string) => `base_${metric}`;
  const baseRows = summary.filter(pl.col(column).eq(pl.lit(base)))
    .select(...by, ...metrics.map((metric) => pl.col(metric).alias(baseName(metric))));
  const deltaName = (metric: string) => `delta${metric[0].toUpperCase()}${metric.slice(1)}`;
  return summary.join(baseRows, { on: by, how: "left" })
    .withColumns(
      ...metrics.map((metric) =>
        pl.col(metric).sub(pl.col(baseName(metric))).alias(deltaName(metric))
      ),
    )
    .drop(metrics.map(baseName))
    .sort([...by, column]);
}
