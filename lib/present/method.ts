/**
 * The method section: the prompt and max tokens, the images, the runs read (and warnings where
 * unlike runs were merged), the price cards with their as-of dates beside today's, the machine.
 *
 * @module
 */
import type { RunRead } from "../analysis/provenance.ts";
import { formatCount } from "../util/format.ts";
import { type HtmlFragment, safeHtml } from "../util/html.ts";
import { peopleTable } from "./leaderboard.ts";

/** A price card as recorded and as it reads today (lib/price/reprice.ts `PriceCardChange`). */
export interface PriceCardDates {
  id: string;
  recordedAsOf: string[];
  todayAsOf?: string;
  changed: boolean;
}

/** An assumption a cost rests on (lib/app/compare-report.ts `ReportAssumption`). */
export interface AssumptionNote {
  mark: number;
  kind: string;
  text: string;
  cardId: string;
  asOf: string;
}

/** What {@link methodSection} shows (the `compareReport()` result fits). */
export interface MethodInput {
  /** The assumptions behind the costs, by footnote mark. @default none */
  assumptions?: readonly AssumptionNote[];
  prompts: readonly string[];
  maxOutputTokens: readonly number[];
  images: number;
  runs: readonly RunRead[];
  warnings: readonly string[];
  priceCards: readonly PriceCardDates[];
  machine: string;
}

/**
 * Method: prompt, max tokens, images, runs read with merge warnings, price cards, machine.
 *
 * @example
 * ```ts
 * import { compareReport } from "../app/compare-report.ts";
 * methodSection(await compareReport({ out: "results" }));
 * ```
 */
export function methodSection(input: MethodInput): HtmlFragment {
  const prompts = input.prompts.length
    ? input.prompts.map((prompt, index) => safeHtml`${index > 0 && ", "}<q>${prompt}</q>`)
    : "none recorded";
  const tokens = input.maxOutputTokens.length
    ? input.maxOutputTokens.map(formatCount).join(", ")
    : "not recorded";
  const warnings = input.warnings.length > 0 && safeHtml`${[
    safeHtml`<div class="vb-warning" role="note"><b>Merged runs.</b><ul>`,
    input.warnings.map((warning) => safeHtml`<li>${warning}</li>`),
    safeHtml`</ul></div>`,
  ]}`;
  const runs = peopleTable(input.runs, {
    caption: `Runs read (${input.runs.length})`,
    columns: [
      { header: "Run", text: (run) => run.runId },
      {
        header: "Started (UTC)",
        text: (run) => run.firstAt.slice(0, 16).replace("T", " "),
        align: "left",
      },
      {
        header: "Records",
        text: (run) => formatCount(run.records),
        sort: (run) => run.records,
      },
      { header: "Images", text: (run) => String(run.images), sort: (run) => run.images },
      {
        header: "Platforms",
        text: (run) => String(run.platforms.length),
        sort: (run) => run.platforms.length,
      },
      {
        header: "Sizes",
        text: (run) => run.variants.map((v) => v === "original" ? v : `${v} px`).join(", "),
        align: "left",
      },
      { header: "Data", text: (run) => run.simulated ? "simulated" : "measured", align: "left" },
    ],
  });
  const cards = peopleTable(input.priceCards, {
    caption: "Price cards: as recorded in the runs, and today's data/prices.json",
    columns: [
      { header: "Card", text: (card) => card.id },
      { header: "Recorded as of", text: (card) => card.recordedAsOf.join(", "), align: "left" },
      { header: "Today as of", text: (card) => card.todayAsOf ?? "gone", align: "left" },
      { header: "Price changed", text: (card) => card.changed ? "yes" : "no", align: "left" },
    ],
  });
  return safeHtml`${[
    assumptionList(input.assumptions ?? []),
    safeHtml`<div class="vb-method"><dl><dt>Prompt</dt><dd>${prompts}</dd>`,
    safeHtml`<dt>Max output tokens</dt><dd>${tokens}</dd>`,
    safeHtml`<dt>Images</dt><dd>${input.images} (credits below)</dd>`,
    safeHtml`<dt>Machine</dt><dd>${input.machine}</dd></dl>${warnings}${runs}${cards}</div>`,
  ]}`;
}

/**
 * "What the costs assume": each footnote mark of the leaderboard with its card, as-of date and
 * sentence (a subscription's volume, a server's utilisation, provisional, implied or partial
 * prices).
 *
 * @example
 * ```ts
 * assumptionList([{ mark: 1, kind: "volume", text: "$20 a month ÷ 60,000 images", cardId: "ollama-cloud/qwen3-vl:235b", asOf: "2026-11-01" }]);
 * ```
 */
export function assumptionList(assumptions: readonly AssumptionNote[]): HtmlFragment {
  if (assumptions.length === 0) return safeHtml``;
  const items = assumptions.map((note) =>
    safeHtml`<li id="vb-assumption-${note.mark}" value="${note.mark}"><b>${note.kind}</b> · <code>${note.cardId}</code> (price as of ${note.asOf}): ${note.text}</li>`
  );
  return safeHtml`${[
    safeHtml`<div class="vb-assumptions" role="note"><p><b>What the costs assume.</b> `,
    safeHtml`The marks [n] beside a cost in the leaderboard refer to these.</p>`,
    safeHtml`<ol>${items}</ol></div>`,
  ]}`;
}
