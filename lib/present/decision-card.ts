/**
 * The top of the report: the decision card (the pick, the rule it follows, the runner-up and
 * the trade-off, how robust it is, what would change it, and the study's own pick) and the
 * banner that says when simulated data is shown. Rendered as HTML, never as a quoted string.
 *
 * @module
 */
import type { Decision, DecisionRow } from "../analysis/decision.ts";
import {
  type BootstrapResult,
  type CostSensitivity,
  MIN_ROBUST_IMAGES,
  platformLabel,
} from "../analysis/robustness.ts";
import {
  formatCount,
  formatDuration,
  formatScore,
  formatShare,
  formatUsd,
} from "../util/format.ts";
import { type HtmlFragment, safeHtml } from "../util/html.ts";
import { platformAnchor } from "./anchors.ts";

/** What the card shows (the `compareReport()` result fits). */
export interface DecisionCardInput {
  decision: Decision<DecisionRow & { simulated?: boolean; notes?: number[] }>;
  robustness?: BootstrapResult;
  /** Cost moves that change the pick (lib/analysis/robustness.ts `costSensitivity`). */
  sensitivity?: readonly CostSensitivity[];
  /** The scale the floor used (lib/app/compare-report.ts `QualityScale`). */
  qualityScale?: { kind: "keyword" | "human"; rated: number; rows: number; ratingsFolder: string };
  /** Picked on real-time or batch-API prices. @default "live" */
  mode?: "live" | "batch";
  /** The assumptions behind the costs, by footnote mark. */
  assumptions?: readonly { mark: number; kind: string; text: string; cardId: string }[];
  published: { decision: Decision };
  /** Images behind the measured rows. */
  images: number;
  simulated: boolean;
}

function figures(
  row: DecisionRow,
  latencyWord: string,
  printed?: Decision["pickFigures"],
): HtmlFragment {
  return safeHtml`${[
    safeHtml`<b>${
      printed?.p50 ?? formatDuration(row.p50LatencyMs as number)
    }</b> per image (${latencyWord}) · `,
    safeHtml`<b>${
      printed?.costPer1k ?? formatUsd(row.costPer1k as number)
    }</b> per 1,000 images · `,
    typeof row.meanScore === "number"
      ? safeHtml`quality <b>${printed?.score ?? formatScore(row.meanScore)}/10</b>`
      : "quality not measured",
  ]}`;
}

function rule(decision: Decision, mode: "live" | "batch" = "live"): HtmlFragment {
  const plural = decision.eligible === 1 ? ["", "ies"] : ["s", "y"];
  return safeHtml`${[
    safeHtml`The cheapest option with quality ≥ ${formatScore(decision.minQuality)}/10 `,
    mode === "batch"
      ? safeHtml`through the platform's <b>batch API</b> (its price; results within 24 h, so no latency budget; <code>--pick-mode</code>) `
      : safeHtml`and p50 ≤ ${formatDuration(decision.maxP50Ms)} per image `,
    safeHtml`(<code>VB_MIN_QUALITY</code>, <code>VB_MAX_P50_MS</code>, or `,
    safeHtml`<code>--min-quality</code>, `,
    safeHtml`<code>--max-p50-ms</code>). ${decision.eligible} option${plural[0]} `,
    safeHtml`qualif${plural[1]}; ${decision.belowFloor} below the floor, `,
    safeHtml`${decision.overBudget} too slow, ${decision.unknown} without a number.`,
  ]}`;
}

/** How often the pick's platform · model wins when the images are redrawn, its sizes apart. */
function robustnessLine(robustness: BootstrapResult, pick: DecisionRow): HtmlFragment {
  const label = platformLabel(pick);
  // A few wins of a thousand are not "0 %".
  const share = (count: number) =>
    count > 0 && count / robustness.draws < 0.005 ? "< 1 %" : formatShare(count / robustness.draws);
  const sizes = robustness.optionWins.filter((win) => win.label.startsWith(`${label} · `))
    .map((win) => `${win.label.slice(label.length + 3)} in ${share(win.count)}`);
  const others = robustness.wins
    .filter((win) => win.label !== label && win.count / robustness.draws >= 0.005)
    .slice(0, 2)
    .map((win) => `${win.label} in ${share(win.count)}`);
  const few = robustness.images < MIN_ROBUST_IMAGES &&
    safeHtml` <span class="vb-warning-inline">Only ${robustness.images} images (n &lt; ${MIN_ROBUST_IMAGES}): resampling so few says little; run more images.</span>`;
  return safeHtml`${[
    safeHtml`<p class="vb-robustness">Robustness: <b>${label} in ${
      formatShare(robustness.shareOf(label))
    }</b> of ${formatCount(robustness.draws)} resamples of the n = ${robustness.images} images`,
    sizes.length > 1 && ` (sizes are its options: ${sizes.join(", ")})`,
    others.length > 0 && `; otherwise ${others.join(", ")}`,
    safeHtml`.${few}</p>`,
  ]}`;
}

/** Whether halving or doubling one platform's cost per image changes the pick. */
function sensitivityLine(changes: readonly CostSensitivity[]): HtmlFragment {
  const how = (factor: number) => factor < 1 ? "halved" : "doubled";
  const text = changes.length === 0
    ? "no single platform's cost per image halved or doubled (its price, or a subscription's monthly volume or a server's utilisation doubled or halved) changes the pick."
    : `the pick changes when ${
      changes.map((change) =>
        `${change.label}'s cost is ${how(change.factor)} (${change.winner ?? "nothing"} wins)`
      ).join("; ")
    }. A subscription's cost per image halves when its monthly volume doubles, a server's when its utilisation does.`;
  return safeHtml`<p class="vb-sensitivity">Prices and volume: ${text}</p>`;
}

/** Which quality scale the floor used, said once, and that simulated quality proves nothing. */
function qualityLine(input: DecisionCardInput): HtmlFragment {
  const scale = input.qualityScale;
  const human = scale?.kind === "human";
  const name = human
    ? safeHtml`<b>human ratings</b> (mean 1–10, every option has ≥ 10)`
    : safeHtml`the <b>keyword recall score</b> (10 × share of the labelled things named − 2 × share naming something absent), an automatic score, not the study's human 6–7/10`;
  const ratings = scale && !human &&
    safeHtml` Human ratings in <code>${scale.ratingsFolder}</code> take over when every option has ≥ 10 (${scale.rated} of ${scale.rows} have).`;
  const simulated = input.simulated &&
    safeHtml` <b>Here quality is simulated</b>: per-platform profiles chosen to give the study's shape, so the study's pick agreeing is not evidence.`;
  return safeHtml`<p class="vb-quality-scale">Quality floor applied to ${name}.${ratings}${simulated}</p>`;
}

/**
 * The decision card. Without a measured pick it leads with the study's published pick and says
 * why (no platform measured, or none meets the rule).
 *
 * @example
 * ```ts
 * import { compareReport } from "../app/compare-report.ts";
 * decisionCard(await compareReport({ out: "results" }));
 * ```
 */
export function decisionCard(input: DecisionCardInput): HtmlFragment {
  const { decision, robustness, published } = input;
  const pick = decision.pick;
  const studyPick = published.decision.pick;
  const kind = input.simulated ? "simulated" : "measured";
  const lines: HtmlFragment[] = [];
  if (pick) {
    const anchor = platformAnchor(pick.row.platform, pick.row.model);
    const images = `${input.images} image${input.images === 1 ? "" : "s"}`;
    const tag = input.simulated && safeHtml`<span class="vb-simulated-tag">simulated</span> `;
    lines.push(
      safeHtml`<p class="vb-eyebrow">${tag}The pick · ${kind} on ${images}</p>`,
      safeHtml`<h2 class="vb-pick"><a href="#${anchor}">${pick.label}</a></h2>`,
      safeHtml`<p class="vb-figures">${figures(pick.row, "p50", decision.pickFigures)}</p>`,
      safeHtml`<p class="vb-rule">${rule(decision, input.mode)}</p>`,
      safeHtml`<p class="vb-tradeoff">${decision.tradeOff}</p>`,
    );
    if (robustness) lines.push(robustnessLine(robustness, pick.row));
    if (input.sensitivity) lines.push(sensitivityLine(input.sensitivity));
    lines.push(qualityLine(input));
    const restsOn = (input.assumptions ?? []).filter((note) => pick.row.notes?.includes(note.mark));
    if (restsOn.length === 0 && input.assumptions) {
      lines.push(
        safeHtml`<p class="vb-rests-on">Its cost rests on the list price alone: no assumed volume or utilisation, nothing provisional or implied.</p>`,
      );
    } else if (restsOn.length > 0) {
      lines.push(safeHtml`${[
        safeHtml`<p class="vb-rests-on">Its cost rests on: `,
        restsOn.map((note, index) =>
          safeHtml`${
            index > 0 && "; "
          }<a href="#vb-assumption-${note.mark}">[${note.mark}]</a> ${note.text}`
        ),
        safeHtml`</p>`,
      ]}`);
    }
    if (decision.wouldChange.length) {
      const items = decision.wouldChange.map((line) => safeHtml`<li>${line}</li>`);
      lines.push(
        safeHtml`<div class="vb-change"><b>What would change it</b><ul>${items}</ul></div>`,
      );
    }
  } else {
    lines.push(
      safeHtml`<p class="vb-eyebrow">The pick · from the study's published figures</p>`,
      studyPick
        ? safeHtml`<h2 class="vb-pick">${studyPick.label}</h2><p class="vb-figures">${
          figures(studyPick.row, "published average")
        }</p>`
        : safeHtml`<h2 class="vb-pick">No pick</h2>`,
      safeHtml`${[
        safeHtml`<p class="vb-rule">Nothing measured here can be picked: ${decision.tradeOff} `,
        safeHtml`Add API keys (or run <code>deno task report --emulated</code> for a simulated `,
        safeHtml`demo) to measure the platforms yourself.</p>`,
      ]}`,
    );
  }
  if (studyPick && pick) {
    lines.push(safeHtml`${[
      safeHtml`<p class="vb-study">The study's pick on its published figures, same rule: `,
      safeHtml`<b>${studyPick.label}</b> — ${figures(studyPick.row, "published average")}.</p>`,
    ]}`);
  }
  const section = safeHtml`<section class="vb-decision" id="decision" aria-label="The pick">`;
  return safeHtml`${section}${lines}</section>`;
}

/**
 * The banner over a report that shows simulated records, or nothing when it shows none.
 *
 * @example
 * ```ts
 * simulatedBanner({ simulated: true, recordCounts: { total: 726, simulated: 660 } }); // "Simulated data: …"
 * ```
 */
export function simulatedBanner(
  input: { simulated: boolean; recordCounts: { total: number; simulated: number } },
): HtmlFragment {
  if (!input.simulated) return safeHtml``;
  const count = input.recordCounts.simulated;
  return safeHtml`${[
    safeHtml`<div class="vb-simulated-banner" role="note"><b>Simulated data.</b> `,
    safeHtml`${formatCount(count)} of ${formatCount(input.recordCounts.total)} `,
    safeHtml`records come from local emulators (<code>deno task report --emulated</code>): their `,
    safeHtml`descriptions, latencies and costs are simulated from per-platform profiles around `,
    safeHtml`the study's published figures, not measured. Every chart and table built from them `,
    safeHtml`is `,
    safeHtml`marked <span class="vb-simulated-tag">simulated</span>.</div>`,
  ]}`;
}
