/**
 * Requests that never answer until the client aborts OR the emulator closes. The harness's
 * "hang" waits for `request.signal` only, and under Deno 2.9.6 that signal does not fire when an
 * SDK client (Anthropic, with its usual headers) aborts a JSON POST — so `close()` would wait
 * forever. Emulators use this for their own `stall` fault and release every stall on close.
 *
 * @module
 */

/** A set of pending stalled responses. */
export class Stalls {
  #release = new Set<() => void>();

  /** A response that resolves (status 499) when `signal` aborts or {@link releaseAll} runs. */
  until(signal: AbortSignal): Promise<Response> {
    return new Promise((resolve) => {
      const release = () => {
        this.#release.delete(release);
        resolve(new Response(null, { status: 499 }));
      };
      this.#release.add(release);
      signal.addEventListener("abort", release, { once: true });
    });
  }

  releaseAll(): void {
    for (const release of [...this.#release]) release();
  }
}
