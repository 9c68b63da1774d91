/**
 * Agreement between platforms on the same image: does a platform name the same things the others
 * name? Two measures per platform and image, each the mean Jaccard index (|A ∩ B| / |A ∪ B|)
 * against every other platform that described the same image (same variant and prompt):
 * - `matchedAgreement`: over the mustMention terms each description matched (needs labels);
 * - `keywordAgreement`: over the raw content words of each description (no labels needed).
 * High agreement with low recall means the platforms agree on what they all miss.
 *
 * @module
 */
import type { LabelSet } from "./labels.ts";
import { keywords, recordDescription, scoreDescription } from "./score.ts";
import type { ResultRecord } from "../contract/record.ts";

/** One platform on one image. */
export interface AgreementRow {
  imageId: string;
  variant: string;
  promptId: string;
  platform: string;
  model: string;
  /** Other platforms that described the same image (ok records). */
  peers: number;
  /** Mean Jaccard of matched mustMention terms; null without labels or peers. */
  matchedAgreement: number | null;
  /** Mean Jaccard of content words; null without peers. */
  keywordAgreement: number | null;
}

/** Options of {@link agreementByImage}. */
export interface AgreementOptions {
  /** Labels for `matchedAgreement` (it is null without them). */
  labels?: LabelSet;
}

/**
 * Jaccard index of two sets; null when both are empty (nothing to agree on).
 *
 * @example
 * ```ts
 * jaccard(new Set(["a", "b"]), new Set(["b", "c"])); // 1/3
 * ```
 */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number | null {
  const union = new Set([...a, ...b]);
  if (union.size === 0) return null;
  let shared = 0;
  for (const item of a) if (b.has(item)) shared++;
  return shared / union.size;
}

function mean(values: (number | null)[]): number | null {
  const present = values.filter((value): value is number => value !== null);
  return present.length === 0
    ? null
    : present.reduce((sum, value) => sum + value, 0) / present.length;
}

/**
 * Per image (× variant × prompt) and platform · model: agreement with the other platforms. A
 * platform with several repeats is represented by its first ok answer.
 *
 * @example
 * ```ts
 * import { loadLabels } from "./labels.ts";
 * import type { ResultRecord } from "../contract/record.ts";
 * declare const records: ResultRecord[];
 * const rows = agreementByImage(records, { labels: await loadLabels() });
 * rows.filter((row) => row.imageId === "o01_cat");
 * ```
 */
export function agreementByImage(
  records: readonly ResultRecord[],
  options: AgreementOptions = {},
): AgreementRow[] {
  const panels = new Map<string, Map<string, ResultRecord>>();
  const ordered = [...records].filter((record) => record.status === "ok")
    .sort((a, b) => a.repeat - b.repeat);
  for (const record of ordered) {
    const panelKey = JSON.stringify([record.imageId, record.variant, record.promptId]);
    const seriesKey = JSON.stringify([record.platform, record.model]);
    const panel = panels.get(panelKey) ?? new Map<string, ResultRecord>();
    if (!panel.has(seriesKey)) panel.set(seriesKey, record);
    panels.set(panelKey, panel);
  }
  const rows: AgreementRow[] = [];
  for (const panel of panels.values()) {
    const members = [...panel.values()].map((record) => {
      const description = recordDescription(record) ?? "";
      const labels = options.labels?.get(record.imageId);
      return {
        record,
        words: keywords(description),
        matched: labels ? new Set(scoreDescription(description, labels).matched) : undefined,
      };
    });
    for (const member of members) {
      const peers = members.filter((other) => other !== member);
      rows.push({
        imageId: member.record.imageId,
        variant: member.record.variant,
        promptId: member.record.promptId,
        platform: member.record.platform,
        model: member.record.model,
        peers: peers.length,
        matchedAgreement: member.matched
          ? mean(peers.map((peer) => jaccard(member.matched!, peer.matched!)))
          : null,
        keywordAgreement: mean(peers.map((peer) => jaccard(member.words, peer.words))),
      });
    }
  }
  return rows.sort((a, b) =>
    a.imageId.localeCompare(b.imageId) || a.variant.localeCompare(b.variant) ||
    a.promptId.localeCompare(b.promptId) || a.platform.localeCompare(b.platform) ||
    a.model.localeCompare(b.model)
  );
}
