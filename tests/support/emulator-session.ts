/**
 * Runs a test body against a started emulator and an adapter pointed at it, and always closes
 * the emulator afterwards.
 *
 * @module
 */

/** Anything with an async `close()`, as every emulator has. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Runs `body` with `emulator` (already started), then closes the emulator even when `body`
 * throws.
 *
 * @example
 * ```ts
 * await closing(startGeminiEmulator(), async (emulator) => {
 *   await adapterFor(emulator).describe(request());
 * });
 * ```
 */
export async function closing<E extends Closable>(
  emulator: E,
  body: (emulator: E) => Promise<void>,
): Promise<void> {
  try {
    await body(emulator);
  } finally {
    await emulator.close();
  }
}

/** A started emulator and how to point an adapter at it. */
export interface EmulatorSession<E extends Closable, A> {
  emulator: E;
  adapterFor: (emulator: E) => A;
}

/**
 * Runs `body` with the session's emulator and adapter, then closes the emulator even when the
 * adapter cannot be created or `body` throws.
 *
 * @example
 * ```ts
 * await withEmulator({
 *   emulator: startOllamaEmulator(),
 *   adapterFor: (emulator) => createOllama({ model: "moondream", baseUrl: emulator.url }),
 * }, async (emulator, adapter) => {
 *   await adapter.describe(request());
 *   assert.equal(emulator.requests.length, 1);
 * });
 * ```
 */
export async function withEmulator<E extends Closable, A>(
  session: EmulatorSession<E, A>,
  body: (emulator: E, adapter: A) => Promise<void>,
): Promise<void> {
  await closing(session.emulator, (emulator) => body(emulator, session.adapterFor(emulator)));
}
