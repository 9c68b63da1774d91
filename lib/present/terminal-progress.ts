/**
 * A terminal progress bar fed only by the runner's events (the notebook bar listens to the same
 * events). On a TTY it redraws one line with `\r`, at most every `redrawMs`; otherwise it prints
 * a plain line every few seconds (or every `every` records) so CI logs stay readable. A run of
 * thousands of calls a second neither floods the log nor writes to the terminal per call.
 *
 * @module
 */
import type { RunEvent } from "../contract/run-events.ts";
import { formatDuration } from "../util/format.ts";
import { redact } from "../util/secrets.ts";

/** Where progress is written: `Deno.stderr`, `Deno.stdout`, or anything with `writeSync`. */
export interface WritableLike {
  writeSync(data: Uint8Array): number;
  isTerminal?(): boolean;
}

/** Options of {@link createTerminalProgress}. */
export interface TerminalProgressOptions {
  /** @default Deno.stderr */
  stream?: WritableLike;
  /** Characters of the bar itself. @default 24 */
  width?: number;
  /** Draw with `\r` in place. @default stream.isTerminal() */
  isTerminal?: boolean;
  /** When not a terminal, print a line every this many records. @default every `lineMs` instead */
  every?: number;
  /** When not a terminal and `every` is not set, at most one line per this many ms. @default 2000 */
  lineMs?: number;
  /** On a terminal, redraw at most once per this many ms (and always for the last record). @default 100 */
  redrawMs?: number;
  /** Clock, for tests. @default performance.now */
  now?: () => number;
}

/**
 * A progress listener for {@link RunEvent}s.
 *
 * @example
 * ```ts
 * import { runCases } from "../run/runner.ts";
 * declare const options: Parameters<typeof runCases>[0];
 * await runCases({ ...options, onEvent: createTerminalProgress() });
 * ```
 */
export function createTerminalProgress(
  options: TerminalProgressOptions = {},
): (event: RunEvent) => void {
  const stream = options.stream ?? Deno.stderr;
  const width = options.width ?? 24;
  const tty = options.isTerminal ?? stream.isTerminal?.() ?? false;
  const every = options.every;
  const lineMs = options.lineMs ?? 2000;
  const redrawMs = options.redrawMs ?? 100;
  const now = options.now ?? (() => performance.now());
  const encoder = new TextEncoder();
  let startedAt = now();
  let alreadyDone = 0;
  let retries = 0;
  let lastLength = 0;
  let drawnAt = -Infinity;
  const print = (text: string) => stream.writeSync(encoder.encode(redact(text)));

  const line = (done: number, total: number, errors: number) => {
    const fraction = total === 0 ? 1 : done / total;
    const filled = Math.round(fraction * width);
    const bar = "#".repeat(filled) + "-".repeat(width - filled);
    const madeHere = done - alreadyDone;
    const seconds = (now() - startedAt) / 1000;
    const rate = seconds > 0 ? madeHere / seconds : 0;
    const eta = rate > 0 ? formatDuration(((total - done) / rate) * 1000) : "?";
    const parts = [`[${bar}] ${done}/${total}`, `errors ${errors}`];
    if (retries > 0) parts.push(`retries ${retries}`);
    parts.push(`${rate.toFixed(1)}/s`, `ETA ${eta}`);
    return parts.join("  ");
  };

  const draw = (text: string) => {
    drawnAt = now();
    if (tty) {
      print(`\r${text.padEnd(lastLength)}`);
      lastLength = text.length;
    } else {
      print(`${text}\n`);
    }
  };

  return (event) => {
    switch (event.type) {
      case "start":
        startedAt = now();
        alreadyDone = event.alreadyDone;
        retries = 0;
        lastLength = 0;
        if (event.alreadyDone > 0 && !tty) {
          print(`resuming ${event.runId}: ${event.alreadyDone}/${event.total} already done\n`);
        }
        draw(line(event.alreadyDone, event.total, 0));
        break;
      case "retry":
        retries++;
        break;
      case "record": {
        const madeHere = event.done - alreadyDone;
        const due = tty
          ? now() - drawnAt >= redrawMs
          : every !== undefined
          ? madeHere % every === 0
          : now() - drawnAt >= lineMs;
        if (due || event.done === event.total) {
          draw(line(event.done, event.total, event.errors));
        }
        break;
      }
      case "end": {
        const summary = `${event.cancelled ? "cancelled" : "done"}: ${event.done}/${event.total}` +
          `, ${event.errors} errors, ${formatDuration(event.elapsedMs)}`;
        if (tty) print(`\r${summary.padEnd(lastLength)}\n`);
        else print(`${summary}\n`);
        break;
      }
    }
  };
}
