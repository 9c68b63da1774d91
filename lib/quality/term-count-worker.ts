/**
 * A worker counting terms ({@link countTerms}) for a share of a column's rows, for
 * lib/quality/term-match.ts: it writes into the caller's shared counts and sets the status word,
 * so the caller waits with `Atomics.wait` and its API stays synchronous.
 *
 * @module
 */
import { countTerms, DONE, FAILED, sharedCounts, STARTED } from "./term-scan.ts";
import type { ImageLabels } from "./labels.ts";

/** What the caller posts. */
export interface CountRequest {
  texts: (string | null)[];
  /** Label position per text (see {@link countTerms}). */
  labelIndex: Int32Array;
  /** The label set's entries, in its order. */
  labels: [string, ImageLabels][];
  shared: SharedArrayBuffer;
  /** Rows of the whole shared buffer, and where these texts start in it. */
  rows: number;
  at: number;
}

addEventListener("message", (event) => {
  const request = (event as MessageEvent<CountRequest>).data;
  const { status, counts } = sharedCounts(request.shared, request.rows);
  Atomics.store(status, 0, STARTED);
  Atomics.notify(status, 0);
  let outcome = DONE;
  try {
    countTerms(request.texts, request.labelIndex, new Map(request.labels), counts, request.at);
  } catch {
    outcome = FAILED;
  }
  Atomics.store(status, 0, outcome);
  Atomics.notify(status, 0);
});
