/**
 * What a run tells its listeners while it goes: the terminal and notebook progress bars (lib/present)
 * listen to these without depending on the runner that emits them.
 *
 * @module
 */
import type { ErrorKind } from "./errors.ts";
import type { ResultRecord } from "./record.ts";

/** Progress events; terminal and notebook progress bars both listen to these. */
export type RunEvent =
  | {
    type: "start";
    runId: string;
    total: number;
    alreadyDone: number;
    /** The presets the run calls, each for an equal share of `total` (live runs). */
    presets?: string[];
    /** Presets whose model has no price card: their costs will be unknown (a typo?). */
    unpriced?: { preset: string; model: string }[];
  }
  | { type: "record"; record: ResultRecord; done: number; total: number; errors: number }
  | {
    type: "retry";
    preset: string;
    imageId: string;
    attempt: number;
    delayMs: number;
    kind: ErrorKind;
  }
  | {
    type: "end";
    runId: string;
    done: number;
    total: number;
    errors: number;
    cancelled: boolean;
    elapsedMs: number;
  };
