/**
 * The hostile-platform fault matrix (issue 9): every emulated preset × every way a platform can
 * answer badly, run through the whole stack (preset → adapter → official SDK → emulator →
 * runner → store), each fault ending as a readable row of the right kind. Used by
 * `tests/app/fault-matrix_test.ts`, which prints the counts.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { ResultRecord } from "../../lib/contract/record.ts";
import type { Fault } from "../../emulators/harness.ts";
import type { EmulatedPreset } from "../../emulators/all.ts";

/** The hostile faults, in the order the matrix prints them. */
export const HOSTILE_FAULTS = [
  "echo_headers",
  "negative_usage",
  "string_usage",
  "huge_usage",
  "oversized_body",
  "oversized_error",
  "error_in_200",
  "object_error",
  "huge_retry_after",
] as const satisfies readonly Fault[];
export type HostileFault = typeof HOSTILE_FAULTS[number];

/** Presets whose adapter streams (the stream variant of a fault runs on them too). */
export const STREAMING_PRESETS: ReadonlySet<EmulatedPreset> = new Set([
  "ollama-local",
  "ollama-vps",
  "ollama-cloud",
  "cloudflare",
  "baseten",
  "openai",
  "anthropic",
  "gemini",
]);

/** Faults worth running streamed too: the answer's framing changes what the adapter sees. */
export const STREAMED_FAULTS: ReadonlySet<HostileFault> = new Set([
  "echo_headers",
  "negative_usage",
  "oversized_body",
  "error_in_200",
]);

/**
 * `OLLAMA_VPS_HOST` with credentials (a droplet's Ollama behind an authenticating proxy): they
 * must be sent as a Basic header and redacted like a key.
 */
export const VPS_PASSWORD = "vps-proxy-pass-0123456789";
export function withVpsCredentials(env: Record<string, string>): Record<string, string> {
  if (!env.OLLAMA_VPS_HOST) return env;
  const url = new URL(env.OLLAMA_VPS_HOST);
  url.username = "bench";
  url.password = VPS_PASSWORD;
  return { ...env, OLLAMA_VPS_HOST: url.href.replace(/\/$/, "") };
}

/** Bytes the emulators send for oversized faults, and the cap the run reads up to. */
export const OVERSIZED_BYTES = 256 * 1024;
export const MAX_RESPONSE_BYTES = 128 * 1024;

/** What the error in a 200 body maps to, per preset: the platform's own words decide. */
const ERROR_IN_200_KIND: Record<EmulatedPreset, string> = {
  "ollama-local": "server",
  "ollama-vps": "server",
  "ollama-cloud": "server",
  cloudflare: "not_found",
  replicate: "server",
  runpod: "server",
  baseten: "bad_request",
  openai: "bad_request",
  anthropic: "bad_request",
  gemini: "bad_request",
};

/** Presets where an object error is a failed prediction / job rather than a 401. */
const OBJECT_ERROR_KIND: Partial<Record<EmulatedPreset, string>> = {
  replicate: "server",
  runpod: "server",
};

/**
 * Asserts the one record a fault produced is what it must be; `secrets` must appear nowhere in it.
 */
export function assertHostileOutcome(
  preset: EmulatedPreset,
  fault: HostileFault,
  record: ResultRecord,
  secrets: readonly string[],
): void {
  const line = JSON.stringify(record);
  for (const secret of secrets) assert.ok(!line.includes(secret), `${preset} ${fault}: key leaked`);
  const error = record.error;
  const where = `${preset} ${fault}: ${record.status} ${error?.kind ?? ""} ${error?.message ?? ""}`;
  assert.ok(line.length < 20_000, `${where}: a ${line.length}-character record`);
  if (error) assert.ok(error.message.length <= 501, `${where}: message of ${error.message.length}`);
  assert.ok(!line.includes("[object Object]"), `${where}: unreadable message`);
  switch (fault) {
    case "echo_headers":
      assert.equal(record.status, "ok", where);
      // ollama-local sends no credential at all; every other preset's is echoed and redacted.
      if (preset !== "ollama-local") {
        assert.match(record.text, /\*\*\*/, `${where}: the echoed key is redacted, not dropped`);
      }
      return;
    case "negative_usage":
    case "string_usage":
    case "huge_usage": {
      // Readable, with the absurd counts left out and said so — or an error naming the field.
      if (record.status === "error") {
        assert.equal(error?.kind, "invalid_response", where);
        return;
      }
      for (
        const field of ["inputTokens", "outputTokens", "gpuSeconds"] as const
      ) {
        const value = record[field];
        assert.ok(
          value === undefined || (value >= 0 && value < 1e9),
          `${where}: ${field} ${value}`,
        );
      }
      assert.ok(
        record.warnings?.some((warning) => warning.startsWith("usage: ")),
        `${where}: no warning names the usage left out (${record.warnings})`,
      );
      assert.ok(record.costUsd === undefined || Number.isFinite(record.costUsd), where);
      return;
    }
    case "oversized_body":
      assert.equal(record.status, "error", where);
      assert.equal(error?.kind, "invalid_response", where);
      assert.equal(error?.code, "response_too_large", where);
      assert.equal(record.attempts, 1, `${where}: retried`);
      return;
    case "oversized_error":
      assert.equal(record.status, "error", where);
      assert.equal(error?.kind, "server", where);
      assert.equal(error?.status, 500, where);
      return;
    case "error_in_200":
      assert.equal(record.status, "error", where);
      assert.equal(error?.kind, ERROR_IN_200_KIND[preset], where);
      return;
    case "object_error":
      assert.equal(record.status, "error", where);
      assert.equal(error?.kind, OBJECT_ERROR_KIND[preset] ?? "auth", where);
      assert.equal(record.attempts, 1, `${where}: retried`);
      return;
    case "huge_retry_after":
      assert.equal(record.status, "error", where);
      assert.equal(error?.kind, "rate_limit", where);
      assert.match(error?.message ?? "", /asked to wait 99999 s/, where);
      assert.equal(record.attempts, 1, `${where}: retried inside the window`);
      return;
  }
}

/** Every file under `dir`, recursively, with its text (binary files decoded loosely). */
export async function filesUnder(dir: string): Promise<{ path: string; text: string }[]> {
  const found: { path: string; text: string }[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) found.push(...await filesUnder(path));
    else if (entry.isFile) {
      found.push({ path, text: new TextDecoder().decode(await Deno.readFile(path)) });
    }
  }
  return found;
}
