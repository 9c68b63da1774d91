/**
 * What a live run (runner.ts) and a batch run (batch/batch-runner.ts) are both asked: which
 * cases, with which request settings, recorded where. Written once so the two modes send the very
 * same requests for the same options.
 *
 * @module
 */
import type { StructuredSchema } from "../contract/adapter.ts";
import type { ImageEntry } from "../images/image-set.ts";
import type { Prompt } from "./cases.ts";

/** Options shared by {@link runCases} and `runBatchCases`, over their own kind of target. */
export interface CaseRunOptions<Target> {
  /** Names `<outDir>/<runId>.jsonl`; re-using one resumes the run. */
  runId: string;
  /** @default "results" */
  outDir?: string;
  targets: Target[];
  images: ImageEntry[];
  /** `"original"` or a longest side in px, e.g. `"512"`. */
  variants: string[];
  prompts: Prompt[];
  /**
   * Calls per case combination; each repeat index is a case of its own (and a cache entry of its
   * own, so a later run with the same repeats is answered from the cache under `cache: "use"`).
   * @default 1
   */
  repeat?: number;
  /** @default 300 */
  maxOutputTokens?: number;
  temperature?: number;
  schema?: StructuredSchema;
  /** @default `<outDir>/cache/variants` */
  variantCacheDir?: string;
  /**
   * Ctrl-C. Live: stop starting cases, abort calls in flight, record nothing for them. Batch: stop
   * submitting and polling; submitted batches keep running on the platform.
   */
  signal?: AbortSignal;
}
