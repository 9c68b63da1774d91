/**
 * A worker counting terms ({@link countTerms}) for chunks of a column's rows, for
 * lib/quality/term-match.ts: it writes into the caller's shared counts and adds one to the status
 * word per chunk (or sets it to `FAILED`), so the caller waits with `Atomics.wait` and its API
 * stays synchronous.
 *
 * @module
 */
import { countTerms, FAILED, sharedCounts } from "./term-scan.ts";
import type { ImageLabels } from "./labels.ts";

/** What the caller posts. */
export interface CountRequest {
  texts: (string | null)[];
  /** Label position per text (see {@link countTerms}). */
  labelIndex: Int32Array;
  /** The label set's entries, in its order. */
  labels: [string, ImageLabels][];
  shared: SharedArrayBuffer;
  /** Rows of the whole shared buffer, and where this chunk's texts start in it. */
  rows: number;
  at: number;
}

addEventListener("message", (event) => {
  const request = (event as MessageEvent<CountRequest>).data;
  const { status, counts } = sharedCounts(request.shared, request.rows);
  if (Atomics.load(status, 0) === FAILED) return;
  try {
    countTerms(request.texts, request.labelIndex, new Map(request.labels), counts, request.at);
    Atomics.add(status, 0, 1);
  } catch {
    Atomics.store(status, 0, FAILED);
  }
  Atomics.notify(status, 0);
});
