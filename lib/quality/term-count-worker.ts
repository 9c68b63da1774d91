/**
 * A worker counting terms ({@link countTerms}) for chunks of a column's rows, for
 * lib/quality/term-match.ts: it writes into the caller's shared counts and adds one to the status
 * word per chunk (or sets it to `FAILED`), so the caller waits with `Atomics.wait` and its API
 * stays synchronous.
 *
 * @module
 */
import { countTerms, FAILED, sharedCounts } from "./term-scan.ts";
import type { ImageLabels, LabelSet } from "./labels.ts";

/** What the caller posts. */
export interface CountRequest {
  texts: (string | null)[];
  /** Label position per text (see {@link countTerms}). */
  labelIndex: Int32Array;
  /** The label set's entries, in its order: on the first chunk only (the worker keeps them). */
  labels?: [string, ImageLabels][];
  shared: SharedArrayBuffer;
  /** Rows of the whole shared buffer, and where this chunk's texts start in it. */
  rows: number;
  at: number;
}

/** The labels of the first chunk: one set, so its matcher is built once. */
let labels: LabelSet | undefined;

addEventListener("message", (event) => {
  const request = (event as MessageEvent<CountRequest>).data;
  if (request.labels) labels = new Map(request.labels);
  const { status, counts } = sharedCounts(request.shared, request.rows);
  if (Atomics.load(status, 0) === FAILED) return;
  try {
    countTerms(request.texts, request.labelIndex, labels!, counts, request.at);
    Atomics.add(status, 0, 1);
  } catch {
    Atomics.store(status, 0, FAILED);
  }
  Atomics.notify(status, 0);
});
