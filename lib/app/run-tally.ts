/**
 * The closing summary of a fresh run, kept as the records stream by: per group a few counters,
 * sums and the latencies (8 bytes a call, for the percentiles) — no record is held, the run file
 * is not read back and no frame is built, so the summary adds neither time nor memory at the end
 * of a long run. Its rows have the meaning of `summarize` + `qualitySummary`'s `meanScore`
 * (ok-and-not-cached latencies, linear-interpolated percentiles, nulls skipped), which the tests
 * check against the Polars summary of the same records.
 *
 * A resumed run also holds records of earlier invocations: that one is summarized from the file.
 *
 * @module
 */
import type { ResultRecord } from "../contract/record.ts";
import type { LabelSet } from "../quality/labels.ts";
import { asStructured, type DescriptionInput, scoreDescription } from "../quality/score.ts";
import type { SummaryRow } from "../analysis/summary.ts";

/** A running summary made by {@link createRunTally}. */
export interface RunTally {
  /** Counts one record (call it once per record, in the order they were written). */
  add(record: ResultRecord): void;
  /** Records counted. */
  readonly count: number;
  /** Records answered from the response cache. */
  readonly cached: number;
  /** One row per group, sorted by the grouping columns. */
  rows(): (SummaryRow & { meanScore: number | null })[];
}

/** Options of {@link createRunTally}. */
export interface RunTallyOptions {
  /** Grouping columns (record fields). @default ["platform", "model", "variant"] */
  by?: readonly ("platform" | "model" | "variant" | "promptId" | "preset")[];
  /** Reference labels: when given, ok descriptions of labelled images are scored. */
  labels?: LabelSet;
}

interface Group {
  keys: string[];
  n: number;
  ok: number;
  cached: number;
  errorKinds: Map<string, number>;
  latencies: number[];
  ttfts: number[];
  input: Mean;
  output: Mean;
  cost: Mean;
  batchCost: Mean;
  score: Mean;
}

interface Mean {
  sum: number;
  count: number;
}

const mean = (value: Mean) => value.count === 0 ? null : value.sum / value.count;
const addTo = (value: Mean, x: number | undefined | null) => {
  if (typeof x === "number") {
    value.sum += x;
    value.count++;
  }
};

/**
 * A running summary of records, for the CLI's closing table.
 *
 * @example
 * ```ts
 * const tally = createRunTally({ labels: await loadLabels() });
 * await runBenchmark({ onEvent: (event) => event.type === "record" && tally.add(event.record) });
 * console.log(formatTable(tally.rows(), ["platform", "model", "variant"]));
 * ```
 */
export function createRunTally(options: RunTallyOptions = {}): RunTally {
  const by = options.by ?? ["platform", "model", "variant"];
  const groups = new Map<string, Group>();
  let count = 0;
  let cached = 0;
  return {
    get count() {
      return count;
    },
    get cached() {
      return cached;
    },
    add(record) {
      count++;
      if (record.cached) cached++;
      const keys = by.map((column) => String(record[column]));
      const id = keys.join("\u0000");
      let group = groups.get(id);
      if (!group) {
        group = {
          keys,
          n: 0,
          ok: 0,
          cached: 0,
          errorKinds: new Map(),
          latencies: [],
          ttfts: [],
          input: { sum: 0, count: 0 },
          output: { sum: 0, count: 0 },
          cost: { sum: 0, count: 0 },
          batchCost: { sum: 0, count: 0 },
          score: { sum: 0, count: 0 },
        };
        groups.set(id, group);
      }
      group.n++;
      if (record.cached) group.cached++;
      if (record.status !== "ok") {
        const kind = record.error?.kind ?? "unknown";
        group.errorKinds.set(kind, (group.errorKinds.get(kind) ?? 0) + 1);
        return;
      }
      group.ok++;
      if (!record.cached && record.latencyMs !== undefined) {
        group.latencies.push(record.latencyMs);
        if (record.ttftMs !== undefined) group.ttfts.push(record.ttftMs);
      }
      addTo(group.input, record.inputTokens);
      addTo(group.output, record.outputTokens);
      addTo(group.cost, record.costUsd);
      addTo(group.batchCost, record.batchCostUsd);
      const imageLabels = options.labels?.get(record.imageId);
      if (imageLabels) addTo(group.score, scoreDescription(describe(record), imageLabels).score);
    },
    rows() {
      return [...groups.values()]
        .sort((a, b) => compareKeys(a.keys, b.keys))
        .map((group) => {
          const latencies = Float64Array.from(group.latencies).sort();
          const ttfts = Float64Array.from(group.ttfts).sort();
          const costPer1k = group.cost.count === 0 ? null : mean(group.cost)! * 1000;
          const batchCostPer1k = group.batchCost.count === 0 ? null : mean(group.batchCost)! * 1000;
          return {
            ...Object.fromEntries(by.map((column, index) => [column, group.keys[index]])),
            n: group.n,
            ok: group.ok,
            errors: group.n - group.ok,
            errorKinds: [...group.errorKinds]
              .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
              .map(([kind, times]) => `${kind}:${times}`)
              .join(", "),
            cached: group.cached,
            timedCalls: latencies.length,
            meanLatencyMs: latencies.length ? sum(latencies) / latencies.length : null,
            minLatencyMs: latencies.length ? latencies[0] : null,
            p50LatencyMs: quantile(latencies, 0.5),
            p90LatencyMs: quantile(latencies, 0.9),
            p50TtftMs: quantile(ttfts, 0.5),
            meanInputTokens: mean(group.input),
            meanOutputTokens: mean(group.output),
            costPer1k,
            batchCostPer1k,
            costAt10k: costPer1k === null ? null : costPer1k * 10,
            costAt1M: costPer1k === null ? null : costPer1k * 1000,
            batchCostAt10k: batchCostPer1k === null ? null : batchCostPer1k * 10,
            batchCostAt1M: batchCostPer1k === null ? null : batchCostPer1k * 1000,
            meanScore: mean(group.score),
          };
        });
    },
  };
}

/** What is scored: the structured answer's tags and scene when there are any, else the text. */
function describe(record: ResultRecord): DescriptionInput {
  const structured = asStructured(record.structured);
  if (structured && (structured.tags !== undefined || structured.scene !== undefined)) {
    return structured;
  }
  return record.text;
}

function compareKeys(a: string[], b: string[]): number {
  for (let index = 0; index < a.length; index++) {
    if (a[index] !== b[index]) return a[index] < b[index] ? -1 : 1;
  }
  return 0;
}

function sum(values: Float64Array): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** Linear interpolation between closest ranks (numpy's default, Polars' "linear"). */
function quantile(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (sorted.length - 1) * q;
  const low = Math.floor(rank);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}
