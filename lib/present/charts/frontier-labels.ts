/**
 * Names the points of a Pareto frontier on a chart without letting labels overlap: the chart is
 * drawn once for its scales, the labels are placed in pixels ({@link placeLabels}), and whatever
 * found no room is named in the caption instead (every frontier point is named somewhere).
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { HtmlFragment } from "../../util/html.ts";
import { captionNaming, LABEL_HALO, labelOffset, placeLabels } from "./readable.ts";
import { renderPlot, renderPlotNode } from "./svg.ts";

/** What {@link plotWithFrontierLabels} labels. */
export interface FrontierLabels {
  /** Channels (row fields) of the x and y position. */
  x: string;
  y: string;
  /** The frontier, each with its label; labels are tried in this order. */
  frontier: readonly (Record<string, unknown> & { name: string })[];
  /** Every drawn point: labels keep off them. */
  points: readonly Record<string, unknown>[];
  /** Distance from a point to its label, px. */
  gap: number;
  /** Marks drawn over the labels (a caller's own). @default [] */
  over?: Plot.Markish[];
}

/**
 * Renders `plot` (its `width`, `height` and margins set) with the frontier points named in bold.
 *
 * @example
 * ```ts
 * plotWithFrontierLabels({ ...base, marks: dots }, { x: "cost", y: "quality", frontier, points, gap: 9 });
 * ```
 */
export function plotWithFrontierLabels(
  plot: Plot.PlotOptions & { marks: Plot.Markish[] },
  labels: FrontierLabels,
): HtmlFragment {
  const { x, y, frontier, gap, over = [] } = labels;
  // First pass for the scales: labels are placed in pixels, so they can be kept apart.
  const sketch = renderPlotNode(plot);
  const scaleX = sketch.scale("x")!;
  const scaleY = sketch.scale("y")!;
  const pixel = (point: Record<string, unknown>) => ({
    x: scaleX.apply(point[x]) as number,
    y: scaleY.apply(point[y]) as number,
  });
  const placed = placeLabels(
    frontier.map((point) => ({ ...pixel(point), text: point.name, priority: 1 })),
    {
      left: plot.marginLeft as number,
      right: (plot.width as number) - (plot.marginRight as number),
      top: 0,
      bottom: (plot.height as number) - (plot.marginBottom as number),
      points: labels.points.map(pixel),
      gap,
    },
  );
  const byText = new Map(placed.map((label) => [label.text, label]));
  const labelled = frontier.filter((point) => byText.has(point.name));
  const unlabelled = frontier.filter((point) => !byText.has(point.name)).map((p) => p.name);
  return renderPlot({
    ...plot,
    caption: captionNaming(plot.caption, unlabelled),
    marks: [
      ...plot.marks,
      ...(["right", "left", "above", "below"] as const).map((side) =>
        Plot.text(labelled.filter((point) => byText.get(point.name)!.side === side), {
          x,
          y,
          text: "name",
          ...labelOffset(side, gap),
          fontWeight: "bold",
          ...LABEL_HALO,
        })
      ),
      ...over,
    ],
  });
}
