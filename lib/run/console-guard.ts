/**
 * SDKs print to the console on their own (Anthropic: "Could not parse message into JSON: …",
 * Ollama: "invalid json: …", "Getting text from response"), quoting what the platform sent —
 * which can be the key it echoed, or a 50 MB line, and lands in the middle of the CLI's summary
 * on stdout. While any platform call is in flight, every console line goes through `redact`, is
 * cut to {@link MAX_CONSOLE_LINE} characters, and goes to stderr (stdout is the results').
 *
 * Calls overlap, so the guard is counted: installed by the first call, removed by the last.
 *
 * @module
 */
import { redact } from "../util/secrets.ts";

/** The longest console line printed while a call is in flight. */
export const MAX_CONSOLE_LINE = 500;

const METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;
type Method = typeof METHODS[number];

let depth = 0;
let originals: Partial<Record<Method, (...args: unknown[]) => void>> = {};

function show(value: unknown): string {
  return typeof value === "string" ? value : Deno.inspect(value, { depth: 4, colors: false });
}

function install(): void {
  originals = {};
  for (const method of METHODS) originals[method] = console[method];
  for (const method of METHODS) {
    const write = method === "warn" ? originals.warn! : originals.error!;
    console[method] = (...args: unknown[]) =>
      write.call(console, redact(args.map(show).join(" "), { maxLength: MAX_CONSOLE_LINE }));
  }
}

function uninstall(): void {
  for (const method of METHODS) {
    const original = originals[method];
    if (original) console[method] = original;
  }
  originals = {};
}

/**
 * Runs `call` with the console redacted and cut (see the module doc).
 *
 * @example
 * ```ts
 * import type { Adapter, DescribeRequest } from "../contract/adapter.ts";
 * declare const adapter: Adapter;
 * declare const request: DescribeRequest;
 * await withGuardedConsole(() => adapter.describe(request));
 * ```
 */
export async function withGuardedConsole<T>(call: () => Promise<T>): Promise<T> {
  if (depth++ === 0) install();
  try {
    return await call();
  } finally {
    if (--depth === 0) uninstall();
  }
}
