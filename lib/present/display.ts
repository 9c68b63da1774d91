/**
 * Notebook display for the Deno Jupyter kernel: charts shown as HTML (not SVG, so nbconvert keeps
 * them) and the kernel handle a progress bar updates in place. Everything degrades to a no-op or
 * a plain return value outside a kernel (tests, CLI). Markup of your own: `safeHtml` and `raw()`
 * of lib/util/html.ts.
 *
 * @module
 */
import { chartHtml, type ChartHtmlOptions } from "./charts/svg.ts";
import { type HtmlFragment, raw } from "../util/html.ts";

/** The part of `Deno.jupyter` used here. */
export interface JupyterDisplay {
  display(value: unknown, options?: { display_id?: string; update?: boolean }): unknown;
}

/**
 * `Deno.jupyter` when running in a kernel, else undefined. (Outside `deno jupyter`, merely
 * reading `Deno.jupyter` throws, hence the try.)
 */
export function jupyter(): JupyterDisplay | undefined {
  try {
    return (Deno as unknown as { jupyter?: JupyterDisplay }).jupyter;
  } catch {
    return undefined;
  }
}

/** Options of {@link showChart}. */
export interface ShowChartOptions extends ChartHtmlOptions {
  /** Where to display. @default `Deno.jupyter` when in a kernel */
  target?: JupyterDisplay;
}

/**
 * Displays a chart now (so a cell can show several) and resolves once the kernel has sent it:
 * `await` it, so the chart is out before the cell ends and lands under that cell (a display sent
 * after the cell's reply shows under whichever cell runs next). Outside a kernel nothing is
 * displayed and the fragment is returned instead; inside one it resolves to undefined, so a cell
 * ending with `await showChart(…)` does not show the chart twice.
 *
 * @example
 * ```ts
 * import type pl from "nodejs-polars";
 * import { latencyChart } from "./charts/latency.ts";
 * declare const frame: pl.DataFrame;
 * await showChart(latencyChart(frame), { title: "Latency per call" });
 * ```
 */
export async function showChart(
  chart: string | HtmlFragment | { outerHTML: string },
  options: ShowChartOptions = {},
): Promise<HtmlFragment | undefined> {
  const { target = jupyter(), ...figure } = options;
  const fragment = chartHtml(chart, figure);
  if (!target) return fragment;
  await target.display(withoutPlatformLinks(fragment));
  return undefined;
}

/**
 * A mark's link to a platform's descriptions (`#platform-…`) leads somewhere only in the report,
 * where notebook 06 sits on the same page: in a notebook the link is parked in `data-vb-href`
 * (an `<a>` without `href` is no link), and the report's script puts it back.
 */
function withoutPlatformLinks(fragment: HtmlFragment): HtmlFragment {
  return raw(
    fragment.html.replace(/(<a\b[^>]*?)\shref="(#platform-[^"]*)"/g, '$1 data-vb-href="$2"'),
  );
}
