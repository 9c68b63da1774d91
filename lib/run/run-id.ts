/**
 * Run ids name the JSONL file of a run (`results/<runId>.jsonl`), so they must sort by time and
 * be safe as a file name on every OS.
 *
 * @module
 */
import { VisionBenchError } from "../contract/errors.ts";

/** Letters, digits, `.`, `_`, `-`; starts with a letter or digit; at most 128 characters. */
const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Options of {@link newRunId}. */
export interface NewRunIdOptions {
  /** @default new Date() */
  now?: Date;
  /** Source of the random suffix. @default Math.random */
  random?: () => number;
}

/**
 * A new run id: the UTC time to the second plus 4 random hex digits, so ids sort by start time
 * and two runs started in the same second do not collide.
 *
 * @example
 * ```ts
 * newRunId({ now: new Date("2026-11-25T19:40:12Z") }); // "2026-11-25T19-40-12-ab12"
 * ```
 */
export function newRunId(options: NewRunIdOptions = {}): string {
  const now = options.now ?? new Date();
  const random = options.random ?? Math.random;
  const stamp = now.toISOString().slice(0, 19).replaceAll(":", "-");
  const suffix = Math.floor(random() * 0x10000).toString(16).padStart(4, "0");
  return `${stamp}-${suffix}`;
}

/**
 * Returns `runId` when it is a safe file name, else throws a `config` error. User-given ids pass
 * through here because they become paths (`../x` must not escape the results folder).
 *
 * @example
 * ```ts
 * validateRunId("my-run_1"); // "my-run_1"
 * ```
 */
export function validateRunId(runId: string): string {
  if (!RUN_ID_PATTERN.test(runId) || runId.includes("..")) {
    throw new VisionBenchError(
      "config",
      `run id ${
        JSON.stringify(runId)
      } is not file-safe: use letters, digits, ".", "_" or "-" (max 128)`,
    );
  }
  return runId;
}
