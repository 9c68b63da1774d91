/**
 * Assertions on failures: "it rejects with a VisionBenchError of this kind" and "the key never
 * appears in the error".
 *
 * @module
 */
import assert from "node:assert/strict";
import { type ErrorKind, VisionBenchError } from "../../lib/contract/errors.ts";

/** What {@link rejection} checks besides the error type; every field is optional. */
export interface ExpectedRejection {
  kind?: ErrorKind;
  platform?: string;
  /** Strings (API keys) that must appear nowhere in the error: see {@link assertSecretAbsent}. */
  secrets?: readonly string[];
}

/**
 * Awaits `promise`, asserts that it rejects with a `VisionBenchError` matching `expected`, and
 * returns the error for further assertions. Fails when the promise resolves.
 *
 * @example
 * ```ts
 * const error = await rejection(adapter.describe(request()), { kind: "rate_limit", secrets: [KEY] });
 * assert.equal(error.retryAfterMs, 3000);
 * ```
 */
export async function rejection(
  promise: Promise<unknown>,
  expected: ExpectedRejection = {},
): Promise<VisionBenchError> {
  const error = await promise.then(
    () => assert.fail(`expected a rejection${expected.kind ? ` of kind ${expected.kind}` : ""}`),
    (error: unknown) => error,
  );
  assert.ok(error instanceof VisionBenchError, `not a VisionBenchError: ${error}`);
  if (expected.kind !== undefined) assert.equal(error.kind, expected.kind, error.message);
  if (expected.platform !== undefined) assert.equal(error.platform, expected.platform);
  for (const secret of expected.secrets ?? []) assertSecretAbsent(error, secret);
  return error;
}

/**
 * Asserts that `secret` appears neither in the error's message, nor in `String(error)`, nor in
 * its stack.
 *
 * @example
 * ```ts
 * assertSecretAbsent(await rejection(adapter.describe(request())), API_KEY);
 * ```
 */
export function assertSecretAbsent(error: Error, secret: string): void {
  assert.ok(
    !error.message.includes(secret),
    `the secret leaked into the message: ${error.message}`,
  );
  assert.ok(!String(error).includes(secret), "the secret leaked into String(error)");
  assert.ok(!String(error.stack).includes(secret), "the secret leaked into the stack");
}
