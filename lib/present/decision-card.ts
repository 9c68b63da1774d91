/**
 * The top of the report: the decision card (the pick, the rule it follows, the runner-up and
 * the trade-off, how robust it is, what would change it, and the study's own pick) and the
 * banner that says when simulated data is shown. Rendered as HTML, never as a quoted string.
 *
 * @module
 */
import type { Decision, DecisionRow } from "../analysis/decision.ts";
import type { BootstrapResult } from "../analysis/robustness.ts";
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
  decision: Decision<DecisionRow & { simulated?: boolean }>;
  robustness?: BootstrapResult;
  published: { decision: Decision };
  /** Images behind the measured rows. */
  images: number;
  simulated: boolean;
}

function figures(row: DecisionRow, latencyWord: string): HtmlFragment {
  return safeHtml`${[
    safeHtml`<b>${formatDuration(row.p50LatencyMs as number)}</b> per image (${latencyWord}) · `,
    safeHtml`<b>${formatUsd(row.costPer1k as number)}</b> per 1,000 images · `,
    typeof row.meanScore === "number"
      ? safeHtml`quality <b>${formatScore(row.meanScore)}/10</b>`
      : "quality not measured",
  ]}`;
}

function rule(decision: Decision): HtmlFragment {
  const plural = decision.eligible === 1 ? ["", "ies"] : ["s", "y"];
  return safeHtml`${[
    safeHtml`The cheapest option with quality ≥ ${formatScore(decision.minQuality)}/10 `,
    safeHtml`and p50 ≤ ${formatDuration(decision.maxP50Ms)} per image `,
    safeHtml`(<code>VB_MIN_QUALITY</code>, <code>VB_MAX_P50_MS</code>, or `,
    safeHtml`<code>--min-quality</code>, `,
    safeHtml`<code>--max-p50-ms</code>). ${decision.eligible} option${plural[0]} `,
    safeHtml`qualif${plural[1]}; ${decision.belowFloor} below the floor, `,
    safeHtml`${decision.overBudget} too slow, ${decision.unknown} without a number.`,
  ]}`;
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
      safeHtml`<p class="vb-figures">${figures(pick.row, "p50")}</p>`,
      safeHtml`<p class="vb-rule">${rule(decision)}</p>`,
      safeHtml`<p class="vb-tradeoff">${decision.tradeOff}</p>`,
    );
    if (robustness) {
      const share = robustness.shareOf(pick.label);
      const others = robustness.wins
        .filter((win) => win.label !== pick.label && win.count / robustness.draws >= 0.005)
        .slice(0, 2)
        .map((win) => `${win.label} in ${formatShare(win.count / robustness.draws)}`);
      lines.push(safeHtml`${[
        safeHtml`<p class="vb-robustness">Robustness: <b>the pick in ${formatShare(share)}</b> of `,
        safeHtml`${formatCount(robustness.draws)} resamples of the `,
        safeHtml`${robustness.images} images`,
        others.length > 0 && ` (otherwise ${others.join(", ")})`,
        safeHtml`.</p>`,
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
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const records: ResultRecord[];
 * simulatedBanner({ simulated: true, records }); // "Simulated data: …"
 * ```
 */
export function simulatedBanner(
  input: { simulated: boolean; records: readonly { simulated?: boolean }[] },
): HtmlFragment {
  if (!input.simulated) return safeHtml``;
  const count = input.records.filter((record) => record.simulated).length;
  return safeHtml`${[
    safeHtml`<div class="vb-simulated-banner" role="note"><b>Simulated data.</b> `,
    safeHtml`${formatCount(count)} of ${formatCount(input.records.length)} `,
    safeHtml`records come from local emulators (<code>deno task report --emulated</code>): their `,
    safeHtml`descriptions, latencies and costs are simulated from per-platform profiles around `,
    safeHtml`the study's published figures, not measured. Every chart and table built from them `,
    safeHtml`is `,
    safeHtml`marked <span class="vb-simulated-tag">simulated</span>.</div>`,
  ]}`;
}
