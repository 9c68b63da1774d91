/**
 * Tables of "fault → expected error" cases for the adapters' platform-specific fault tests;
 * the faults every adapter shares are in `adapter-contract.ts`.
 *
 * @module
 */
import type { ErrorKind } from "../../lib/contract/errors.ts";

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
