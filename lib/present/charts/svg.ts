/**
 * Server-side rendering of Observable Plot charts with a linkedom document, as HTML strings that
 * survive nbconvert (charts are emitted as `text/safeHtml`; `image/svg+xml` outputs get stripped).
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { HtmlFragment, raw, safeHtml } from "../../util/html.ts";
import { chartTextHtml, describeChart, DescribedChart } from "./text-view.ts";

const SVG_NS = "http://www.w3.org/2000/svg";
const XLINK_NS = "http://www.w3.org/1999/xlink";

/**
 * Adds `xmlns` (and `xmlns:xlink` when xlink is used) to every `<svg>` that lacks it: Plot's
 * output has none, and a standalone or data-URL SVG does not render without it.
 */
export function withSvgNamespace(markup: string): string {
  const xlink = markup.includes("xlink:") ? ` xmlns:xlink="${XLINK_NS}"` : "";
  return markup.replace(/<svg(?=[\s>])(?![^>]*\sxmlns=)/g, `<svg xmlns="${SVG_NS}"${xlink}`);
}

/**
 * Renders Plot options to HTML (an `<svg>`, or a `<figure>` when Plot adds a legend or title).
 *
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * renderPlot({ marks: [Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" })] }).html;
 * ```
 */
export function renderPlot(options: Plot.PlotOptions): HtmlFragment {
  return raw(withSvgNamespace(renderPlotNode(options).outerHTML));
}

/**
 * Renders Plot options to the node Plot returns, whose `scale("x")` maps data to pixels (used to
 * place labels before the final render).
 */
export function renderPlotNode(
  options: Plot.PlotOptions,
): (SVGSVGElement | HTMLElement) & Plot.Plot {
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  return Plot.plot({ ...options, document: document as unknown as Document });
}

/** Options of {@link emptyChart}. */
export interface EmptyChartOptions {
  /** @default 640 */
  width?: number;
  /** @default 120 */
  height?: number;
}

/** A chart that says why there is nothing to draw, instead of throwing on empty data. */
export function emptyChart(message = "no data", options: EmptyChartOptions = {}): HtmlFragment {
  const { width = 640, height = 120 } = options;
  return describeChart(
    safeHtml`${[
      safeHtml`<svg xmlns="${SVG_NS}" class="visionbench-empty" width="${width}" height="${height}" `,
      safeHtml`viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="14">`,
      safeHtml`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="currentColor">`,
      safeHtml`${message}</text></svg>`,
    ]}`,
    `Nothing to draw: ${message}.`,
  );
}

/** Options of {@link chartHtml}. */
export interface ChartHtmlOptions {
  /** Shown above the chart (escaped). */
  title?: string;
  /** Shown below the chart (escaped). */
  caption?: string;
  /** The chart is drawn from simulated records: its title says so. @default false */
  simulated?: boolean;
}

/**
 * Wraps a rendered chart (trusted markup string, {@link HtmlFragment} or a DOM element) in a
 * `<figure>` with an optional title, the summary a {@link describeChart}ed chart carries, the SVG
 * inline in a scroll box a keyboard can reach, and the marks as a table behind "Show as table".
 *
 * @example
 * ```ts
 * import type pl from "nodejs-polars";
 * import { latencyChart } from "./latency.ts";
 * declare const frame: pl.DataFrame;
 * chartHtml(latencyChart(frame), { title: "Latency per call" });
 * ```
 */
export function chartHtml(
  chart: string | HtmlFragment | { outerHTML: string },
  options: ChartHtmlOptions = {},
): HtmlFragment {
  const markup = typeof chart === "string"
    ? chart
    : chart instanceof HtmlFragment
    ? chart.html
    : chart.outerHTML;
  const tag = options.simulated && safeHtml` <span class="vb-simulated-tag">simulated</span>`;
  const title = options.title
    ? safeHtml`<h3 class="visionbench-chart-title">${options.title}${tag}</h3>`
    : tag && safeHtml`<p class="visionbench-chart-title">${tag}</p>`;
  const name = options.title ?? "Chart";
  const text = chartTextHtml(markup, {
    summary: chart instanceof DescribedChart ? chart.summary : undefined,
    title: name,
  });
  // The scroll box keeps a phone from shrinking chart text below 10 px (CSS: min-width); it is
  // focusable so a keyboard can scroll it. Plot labels its mark groups (`<g aria-label>`), which
  // ARIA allows only on an element with a role.
  const svg = withSvgNamespace(markup).replace(
    /<g(?=\s)(?=[^>]*\saria-label=)(?![^>]*\srole=)/g,
    '<g role="group"',
  );
  return safeHtml`${[
    safeHtml`<figure class="visionbench-chart" style="margin:0 0 1.5em 0">${title}${text.summary}`,
    safeHtml`<div class="vb-chart-scroll" role="group" tabindex="0" aria-label="${name}">`,
    safeHtml`${raw(svg)}</div>`,
    options.caption && safeHtml`<figcaption>${options.caption}</figcaption>`,
    safeHtml`${text.table}</figure>`,
  ]}`;
}
