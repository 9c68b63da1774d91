/**
 * A terminal progress bar fed only by the runner's events (the notebook bar listens to the same
 * events). On a TTY it redraws one line with `\r`, at most every `redrawMs`; otherwise it prints
 * a plain line every few seconds (or every `every` records) so CI logs stay readable. A run of
 * thousands of calls a second neither floods the log nor writes to the terminal per call.
 *
 * Platforms answer at their own speed: the ETA is the slowest platform's, each timed by its own
 * rate (a CPU droplet at 49 s a call is not done when a fast API is), and the line names it; the
 * plain lines list every platform's progress.
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
  /** Per preset: its share of the cases, and what it made in this process. */
  let platforms = new Map<string, { total: number; made: number }>();
  const print = (text: string) => stream.writeSync(encoder.encode(redact(text)));

  /** Seconds left for each platform at its own rate; Infinity before its first answer. */
  const platformEtas = (seconds: number) =>
    [...platforms].map(([preset, { total, made }]) => {
      const left = Math.max(0, total - made);
      const rate = seconds > 0 ? made / seconds : 0;
      return {
        preset,
        made,
        total,
        left,
        etaMs: left === 0 ? 0 : rate > 0 ? (left / rate) * 1000 : Infinity,
      };
    });

  const line = (done: number, total: number, errors: number) => {
    const fraction = total === 0 ? 1 : done / total;
    const filled = Math.round(fraction * width);
    const bar = "#".repeat(filled) + "-".repeat(width - filled);
    const madeHere = done - alreadyDone;
    const seconds = (now() - startedAt) / 1000;
    const rate = seconds > 0 ? madeHere / seconds : 0;
    const etas = platformEtas(seconds);
    const slowest = etas.reduce<(typeof etas)[number] | undefined>(
      (worst, entry) => !worst || entry.etaMs > worst.etaMs ? entry : worst,
      undefined,
    );
    // Without per-platform counts (batch runs), one rate for the whole run.
    const etaMs = slowest ? slowest.etaMs : rate > 0 ? ((total - done) / rate) * 1000 : Infinity;
    const eta = done >= total ? "0 ms" : Number.isFinite(etaMs) ? formatDuration(etaMs) : "?";
    const parts = [`[${bar}] ${done}/${total}`, `errors ${errors}`];
    if (retries > 0) parts.push(`retries ${retries}`);
    parts.push(`${rate.toFixed(1)}/s`, `ETA ${eta}`);
    if (slowest && slowest.left > 0 && etas.length > 1) {
      parts.push(`slowest ${slowest.preset} ${slowest.made}/${slowest.total}`);
    }
    return parts.join("  ");
  };

  /** Every platform's progress, for plain (non-terminal) lines. */
  const perPlatform = () => {
    const seconds = (now() - startedAt) / 1000;
    return platformEtas(seconds).map(({ preset, made, total, etaMs }) =>
      `  ${preset} ${made}/${total}${
        made >= total ? " done" : ` ETA ${Number.isFinite(etaMs) ? formatDuration(etaMs) : "?"}`
      }`
    ).join("\n");
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
        // Each platform runs an equal share; a resumed run's done cases are spread evenly.
        platforms = new Map((event.presets ?? []).map((preset, _, all) => [preset, {
          total: Math.round((event.total - event.alreadyDone) / all.length),
          made: 0,
        }]));
        lastLength = 0;
        for (const { preset, model } of event.unpriced ?? []) {
          // Before any call: a model without a card is often a typo, and its cost will be unknown.
          print(
            `warning: ${preset} has no price card for model "${model}" (data/prices.json): its ` +
              "calls will be made but their cost will show as n/a. Check the model name.\n",
          );
        }
        if (event.alreadyDone > 0 && !tty) {
          print(`resuming ${event.runId}: ${event.alreadyDone}/${event.total} already done\n`);
        }
        draw(line(event.alreadyDone, event.total, 0));
        break;
      case "retry":
        retries++;
        break;
      case "record": {
        const platform = platforms.get(event.record.preset);
        if (platform) platform.made++;
        const madeHere = event.done - alreadyDone;
        const due = tty
          ? now() - drawnAt >= redrawMs
          : every !== undefined
          ? madeHere % every === 0
          : now() - drawnAt >= lineMs;
        if (due || event.done === event.total) {
          draw(line(event.done, event.total, event.errors));
          if (!tty && platforms.size > 1 && event.done < event.total) print(`${perPlatform()}\n`);
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
