/**
 * A second fault queue for faults only one platform has (a 403 permission error, an error event
 * mid-stream, …), consumed one per request next to the harness's queue.
 *
 * @module
 */
import {
  type Emulator,
  type EmulatorBehaviour,
  type HandlerContext,
  startEmulator,
} from "./harness.ts";

/** An emulator that also takes platform-specific faults. */
export interface EmulatorWithOwnFaults<F> extends Emulator {
  /** Queues platform-specific faults, consumed one per request that reaches the handler. */
  failWith(...faults: F[]): void;
}

/** Handles one request, given the platform-specific fault for it (if any). */
export type OwnFaultHandler<F> = (
  request: Request,
  context: HandlerContext & { ownFault: F | undefined },
) => Response | Promise<Response>;

/**
 * Starts a harness emulator whose handler also receives the next platform-specific fault.
 *
 * @example
 * ```ts
 * const emulator = startWithOwnFaults<"permission">((request, context) =>
 *   context.ownFault === "permission" ? json({ error: "denied" }, 403) : json({ ok: true }), {});
 * emulator.failWith("permission");
 * ```
 */
export function startWithOwnFaults<F>(
  handler: OwnFaultHandler<F>,
  behaviour: Partial<EmulatorBehaviour> = {},
): EmulatorWithOwnFaults<F> {
  const ownFaults: F[] = [];
  const emulator = startEmulator(
    (request, context) => handler(request, { ...context, ownFault: ownFaults.shift() }),
    behaviour,
  );
  return { ...emulator, failWith: (...faults) => ownFaults.push(...faults) };
}
