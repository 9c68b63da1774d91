/**
 * Names the points of a Pareto frontier on a chart without letting labels overlap: the chart is
 * drawn once for its scales, each label is placed greedily in pixels (right of its point, else
 * left, above, below) where it touches no point, no other label and stays in the plot, and the
 * points no label had room for are named in the caption (every frontier point is named somewhere).
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { HtmlFragment } from "../../util/html.ts";
import { CHART_FONT_PX } from "./readable.ts";
import { renderPlot, renderPlotNode } from "./svg.ts";

/** What {@link plotWithFrontierLabels} labels. */
export interface FrontierLabels {
  /** Channels (row fields) of the x and y position. */
  x: string;
  y: string;
  /** The frontier, each with its label; labels are placed in this order. */
  frontier: readonly (Record<string, unknown> & { name: string })[];
  /** Every drawn point: labels keep off them. */
  points: readonly Record<string, unknown>[];
  /** Distance from a point to its label, px. */
  gap: number;
  /** Marks drawn over the labels (a caller's own). @default [] */
  over?: Plot.Markish[];
}

const SIDES = ["right", "left", "above", "below"] as const;
type Side = typeof SIDES[number];
type Box = { x1: number; y1: number; x2: number; y2: number };

/**
 * A white halo behind a label, so a grid or reference line crossing it does not strike it out
 * (with a stroke, Plot would leave the text unfilled: the fill is said again).
 */
const LABEL_HALO = { fill: "currentColor", stroke: "white", strokeWidth: 4, paintOrder: "stroke" };

/**
 * Renders `plot` (its `width`, `height` and margins set) with the frontier points named in bold.
 */
export function plotWithFrontierLabels(
  plot: Plot.PlotOptions & { marks: Plot.Markish[] },
  labels: FrontierLabels,
): HtmlFragment {
  const { x, y, frontier, gap, over = [] } = labels;
  const sketch = renderPlotNode(plot);
  const [scaleX, scaleY] = [sketch.scale("x")!, sketch.scale("y")!];
  const pixel = (point: Record<string, unknown>) => ({
    x: scaleX.apply(point[x]) as number,
    y: scaleY.apply(point[y]) as number,
  });
  const area = {
    left: plot.marginLeft as number,
    right: (plot.width as number) - (plot.marginRight as number),
    bottom: (plot.height as number) - (plot.marginBottom as number),
  };
  // Every point is an obstacle; each placed label becomes one.
  const boxes: Box[] = labels.points.map(pixel)
    .map((point) => ({ x1: point.x - 5, y1: point.y - 5, x2: point.x + 5, y2: point.y + 5 }));
  const sideOf = new Map<string, Side>();
  for (const point of frontier) {
    const at = pixel(point);
    // Bold labels run wider than regular text: estimate generously so they never touch.
    const width = point.name.length * CHART_FONT_PX * 0.68;
    const height = CHART_FONT_PX + 4;
    for (const side of SIDES) {
      const { dx, dy } = offset(side, gap);
      const x1 = side === "right"
        ? at.x + dx
        : side === "left"
        ? at.x + dx - width
        : at.x - width / 2;
      const box = { x1, y1: at.y + dy - height / 2, x2: x1 + width, y2: at.y + dy + height / 2 };
      if (box.x1 < area.left || box.x2 > area.right || box.y1 < 0 || box.y2 > area.bottom) continue;
      if (boxes.some((other) => overlap(box, other))) continue;
      boxes.push(box);
      sideOf.set(point.name, side);
      break;
    }
  }
  const unlabelled = frontier.filter((point) => !sideOf.has(point.name)).map((p) => p.name);
  const note = unlabelled.length > 0 &&
    `Also on the frontier (no room for a label): ${unlabelled.join(", ")}`;
  return renderPlot({
    ...plot,
    caption: !note
      ? plot.caption
      : typeof plot.caption === "string" && plot.caption
      ? `${plot.caption}. ${note}`
      : note,
    marks: [
      ...plot.marks,
      ...SIDES.map((side) =>
        Plot.text(frontier.filter((point) => sideOf.get(point.name) === side), {
          x,
          y,
          text: "name",
          ...offset(side, gap),
          fontWeight: "bold",
          ...LABEL_HALO,
        })
      ),
      ...over,
    ],
  });
}

/** Plot text options that put a label on `side` of its point, `gap` px away. */
function offset(side: Side, gap: number) {
  const vertical = gap + CHART_FONT_PX / 2 + 2;
  switch (side) {
    case "right":
      return { dx: gap, dy: 0, textAnchor: "start" as const };
    case "left":
      return { dx: -gap, dy: 0, textAnchor: "end" as const };
    case "above":
      return { dx: 0, dy: -vertical, textAnchor: "middle" as const };
    case "below":
      return { dx: 0, dy: vertical, textAnchor: "middle" as const };
  }
}

function overlap(a: Box, b: Box): boolean {
  return a.x1 < b.x2 && a.x2 > b.x1 && a.y1 < b.y2 && a.y2 > b.y1;
}
