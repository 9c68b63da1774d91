/**
 * Tables of "fault → expected error" cases for the adapters' fault tests.
 *
 * @module
 */
import type { ErrorKind } from "../../lib/errors.ts";
import type { Fault } from "../emulators/harness.ts";

/** One fault case: how to make the emulator fail and the error the adapter must throw. */
export interface FaultCase<E> {
  /** Names the case in the test name, e.g. "429" or "a cut stream". */
  name: string;
  setup: (emulator: E) => void;
  kind: ErrorKind;
  /** HTTP status on the error; undefined for transport faults. */
  status?: number;
  retryable: boolean;
  retryAfterMs?: number;
  /** Whether the request streams. @default false */
  stream?: boolean;
}

/**
 * The transport faults every emulator produces through the harness, with the errors every
 * adapter maps them to: a reset connection, a malformed body or stream, a cut stream.
 *
 * @example
 * ```ts
 * const FAULTS: FaultCase<GeminiEmulator>[] = [...platformCases, ...transportFaultCases()];
 * ```
 */
export function transportFaultCases(): FaultCase<{ fail(...faults: Fault[]): void }>[] {
  return [
    { name: "a reset connection", setup: (e) => e.fail("reset"), kind: "network", retryable: true },
    {
      name: "a malformed body",
      setup: (e) => e.fail("malformed"),
      kind: "invalid_response",
      retryable: false,
    },
    {
      name: "a malformed stream",
      setup: (e) => e.fail("malformed"),
      kind: "invalid_response",
      retryable: false,
      stream: true,
    },
    {
      name: "a cut stream",
      setup: (e) => e.fail("stream_cut"),
      kind: "network",
      retryable: true,
      stream: true,
    },
  ];
}
