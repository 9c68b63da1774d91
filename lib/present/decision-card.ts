/**
 * The top of the report: the decision card (the pick, the rule it follows, the runner-up and
 * the trade-off, how robust it is, what would change it, and the study's own pick) and the
 * banner that says when simulated data is shown. Rendered as HTML, never as a quoted string.
 *
 * @module
 */
import {
  type Decision,
  type DecisionRow,
  formatScore,
  formatSeconds,
  formatUsd,
} from "../analysis/decision.ts";
import type { BootstrapResult } from "../analysis/robustness.ts";
import { escapeHtml, HtmlFragment } from "../util/html.ts";
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

const percent = (share: number) => `${Math.round(share * 100)} %`;

function figures(row: DecisionRow, latencyWord: string): string {
  const parts = [
    `<b>${escapeHtml(formatSeconds(row.p50LatencyMs as number))}</b> per image (${latencyWord})`,
    `<b>${escapeHtml(formatUsd(row.costPer1k as number))}</b> per 1,000 images`,
    typeof row.meanScore === "number"
      ? `quality <b>${escapeHtml(formatScore(row.meanScore))}/10</b>`
      : "quality not measured",
  ];
  return parts.join(" · ");
}

function rule(decision: Decision): string {
  return `The cheapest option with quality ≥ ${escapeHtml(formatScore(decision.minQuality))}/10 ` +
    `and p50 ≤ ${escapeHtml(formatSeconds(decision.maxP50Ms))} per image ` +
    `(<code>VB_MIN_QUALITY</code>, <code>VB_MAX_P50_MS</code>, or <code>--min-quality</code>, ` +
    `<code>--max-p50-ms</code>). ${decision.eligible} option${
      decision.eligible === 1 ? "" : "s"
    } qualif${decision.eligible === 1 ? "ies" : "y"}; ${decision.belowFloor} below the floor, ` +
    `${decision.overBudget} too slow, ${decision.unknown} without a number.`;
}

/**
 * The decision card. Without a measured pick it leads with the study's published pick and says
 * why (no platform measured, or none meets the rule).
 *
 * @example
 * ```ts
 * decisionCard(await compareReport({ out: "results" }));
 * ```
 */
export function decisionCard(input: DecisionCardInput): HtmlFragment {
  const { decision, robustness, published } = input;
  const pick = decision.pick;
  const studyPick = published.decision.pick;
  const kind = input.simulated ? "simulated" : "measured";
  const lines: string[] = [];
  if (pick) {
    const anchor = platformAnchor(pick.row.platform, pick.row.model);
    lines.push(
      `<p class="vb-eyebrow">${
        input.simulated ? '<span class="vb-simulated-tag">simulated</span> ' : ""
      }The pick · ${kind} on ${input.images} image${input.images === 1 ? "" : "s"}</p>`,
      `<h2 class="vb-pick"><a href="#${anchor}">${escapeHtml(pick.label)}</a></h2>`,
      `<p class="vb-figures">${figures(pick.row, "p50")}</p>`,
      `<p class="vb-rule">${rule(decision)}</p>`,
      `<p class="vb-tradeoff">${escapeHtml(decision.tradeOff)}</p>`,
    );
    if (robustness) {
      const share = robustness.shareOf(pick.label);
      const others = robustness.wins
        .filter((win) => win.label !== pick.label && win.count / robustness.draws >= 0.005)
        .slice(0, 2)
        .map((win) => `${escapeHtml(win.label)} in ${percent(win.count / robustness.draws)}`);
      lines.push(
        `<p class="vb-robustness">Robustness: <b>the pick in ${percent(share)}</b> of ${
          robustness.draws.toLocaleString("en-US")
        } resamples of the ${robustness.images} images${
          others.length ? ` (otherwise ${others.join(", ")})` : ""
        }.</p>`,
      );
    }
    if (decision.wouldChange.length) {
      lines.push(
        `<div class="vb-change"><b>What would change it</b><ul>${
          decision.wouldChange.map((line) => `<li>${escapeHtml(line)}</li>`).join("")
        }</ul></div>`,
      );
    }
  } else {
    lines.push(
      `<p class="vb-eyebrow">The pick · from the study's published figures</p>`,
      studyPick
        ? `<h2 class="vb-pick">${escapeHtml(studyPick.label)}</h2>` +
          `<p class="vb-figures">${figures(studyPick.row, "published average")}</p>`
        : `<h2 class="vb-pick">No pick</h2>`,
      `<p class="vb-rule">Nothing measured here can be picked: ${
        escapeHtml(decision.tradeOff)
      } Add API keys (or run <code>deno task report --emulated</code> for a simulated demo) to ` +
        `measure the platforms yourself.</p>`,
    );
  }
  if (studyPick && pick) {
    lines.push(
      `<p class="vb-study">The study's pick on its published figures, same rule: <b>${
        escapeHtml(studyPick.label)
      }</b> — ${figures(studyPick.row, "published average")}.</p>`,
    );
  }
  return new HtmlFragment(
    `<section class="vb-decision" id="decision" aria-label="The pick">${lines.join("")}</section>`,
  );
}

/**
 * The banner over a report that shows simulated records, or nothing when it shows none.
 *
 * @example
 * ```ts
 * simulatedBanner({ simulated: true, records }); // "Simulated data: …"
 * ```
 */
export function simulatedBanner(
  input: { simulated: boolean; records: readonly { simulated?: boolean }[] },
): HtmlFragment {
  if (!input.simulated) return new HtmlFragment("");
  const count = input.records.filter((record) => record.simulated).length;
  return new HtmlFragment(
    `<div class="vb-simulated-banner" role="note"><b>Simulated data.</b> ${
      count.toLocaleString(
        "en-US",
      )
    } of ${input.records.length.toLocaleString("en-US")} records come from local emulators ` +
      `(<code>deno task report --emulated</code>): their descriptions, latencies and costs are ` +
      `simulated from per-platform profiles around the study's published figures, not measured. ` +
      `Every chart and table built from them is marked <span class="vb-simulated-tag">simulated</span>.</div>`,
  );
}
