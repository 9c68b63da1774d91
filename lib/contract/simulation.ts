/**
 * How an answer says it was simulated: every visionbench emulator marks each response with
 * {@link SIMULATED_HEADER} (what its numbers are modelled on) and, when it compresses its waits,
 * {@link MODELLED_MS_HEADER} (the service time it modelled, which its billing follows). Adapters
 * map these headers into `Description.simulation` with {@link simulationOf}; the runner records
 * `simulated: true`, the modelled latency as `latencyMs` and the wait it measured as
 * `wallLatencyMs`. A real platform sends neither header: its answers are measured as they come.
 *
 * @module
 */

/** Present on every emulator response; its value names the model of the numbers. */
export const SIMULATED_HEADER = "x-visionbench-simulated";
/** The modelled service time of the call, ms (the emulator waited a compressed copy of it). */
export const MODELLED_MS_HEADER = "x-visionbench-modelled-ms";
/** The modelled time to first token, ms, when the answer streams. */
export const MODELLED_TTFT_MS_HEADER = "x-visionbench-modelled-ttft-ms";

/** What an emulator said about its answer. */
export interface Simulation {
  /** What the numbers are modelled on, e.g. "study profile, waits ×0.005". */
  model: string;
  /** Modelled service time, ms; absent when the emulator's wait is its latency. */
  modelledMs?: number;
  /** Modelled time to first token, ms. */
  modelledTtftMs?: number;
}

/**
 * The simulation an answer's headers declare, or `undefined` for a real platform's answer.
 *
 * @example
 * ```ts
 * simulationOf(new Headers({ "x-visionbench-simulated": "emulator", "x-visionbench-modelled-ms": "4100" }));
 * // { model: "emulator", modelledMs: 4100 }
 * simulationOf(new Headers()); // undefined
 * ```
 */
export function simulationOf(
  headers: Pick<Headers, "get"> | undefined | null,
): Simulation | undefined {
  const model = headers?.get(SIMULATED_HEADER);
  if (!headers || model === null || model === undefined) return undefined;
  const milliseconds = (name: string) => {
    const value = Number(headers.get(name) ?? NaN);
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  const simulation: Simulation = { model: model || "emulator" };
  const modelledMs = milliseconds(MODELLED_MS_HEADER);
  const modelledTtftMs = milliseconds(MODELLED_TTFT_MS_HEADER);
  if (modelledMs !== undefined) simulation.modelledMs = modelledMs;
  if (modelledTtftMs !== undefined) simulation.modelledTtftMs = modelledTtftMs;
  return simulation;
}
