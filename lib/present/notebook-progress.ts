/**
 * A progress bar in a notebook, fed by the runner's events and updated in place through the
 * kernel's `display_id` (the terminal bar in terminal-progress.ts listens to the same events).
 *
 * @module
 */
import type { RunEvent } from "../contract/run-events.ts";
import { formatDuration, formatShare } from "../util/format.ts";
import { type HtmlFragment, safeHtml } from "../util/html.ts";
import { jupyter, type JupyterDisplay } from "./display.ts";

/** A run's spend estimate, sent before any call (lib/price/estimate.ts makes it). */
export interface EstimateShown {
  type: "estimate";
  estimate: { text: string };
}

/** Options of {@link notebookProgress}. */
export interface NotebookProgressOptions {
  /** Where to display. @default `Deno.jupyter` when in a kernel */
  target?: JupyterDisplay;
  /** Least time between two updates (the kernel chokes on hundreds a second). @default 250 */
  throttleMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * A run listener that shows a progress bar and updates it in place (`display_id` + `update`).
 * Displays are sent one after another; the listener returns the promise of the latest, which
 * `runBenchmark` awaits before it resolves, so the bar never lands under a later cell.
 * An `estimate` event (the spend estimate) shows above the bar. Returns a no-op listener outside
 * a kernel.
 *
 * @example
 * ```ts
 * import { runBenchmark } from "../app/bench.ts";
 * await runBenchmark({ onEvent: notebookProgress() });
 * ```
 */
export function notebookProgress(
  options: NotebookProgressOptions = {},
): (event: RunEvent | EstimateShown) => Promise<unknown> | void {
  const { target = jupyter(), throttleMs = 250, now = Date.now } = options;
  if (!target) return () => {};
  const displayId = `visionbench-progress-${crypto.randomUUID()}`;
  const state = {
    runId: "",
    done: 0,
    total: 0,
    errors: 0,
    retries: 0,
    started: now(),
    shown: false,
    last: -Infinity,
    estimate: "",
  };
  let sent: Promise<unknown> = Promise.resolve();
  const show = (final: string | undefined) => {
    const fragment = progressHtml({ ...state, elapsedMs: now() - state.started, final });
    const update = state.shown;
    sent = sent.then(() => target.display(fragment, { display_id: displayId, update }));
    state.shown = true;
    state.last = now();
    return sent;
  };
  return (event) => {
    switch (event.type) {
      case "estimate":
        state.estimate = event.estimate.text;
        return show(undefined);
      case "start":
        Object.assign(state, {
          runId: event.runId,
          total: event.total,
          done: event.alreadyDone,
          started: now(),
        });
        return show(undefined);
      case "record":
        Object.assign(state, { done: event.done, total: event.total, errors: event.errors });
        if (now() - state.last >= throttleMs) return show(undefined);
        return;
      case "retry":
        state.retries++;
        return;
      case "end":
        Object.assign(state, { done: event.done, total: event.total, errors: event.errors });
        return show(event.cancelled ? "cancelled" : "done");
    }
  };
}

interface ProgressView {
  estimate: string;
  runId: string;
  done: number;
  total: number;
  errors: number;
  retries: number;
  elapsedMs: number;
  final: string | undefined;
}

function progressHtml(view: ProgressView): HtmlFragment {
  const { done, total, errors, retries, elapsedMs, final, estimate } = view;
  const rate = done > 0 ? elapsedMs / done : undefined;
  const eta = !final && rate !== undefined && total > done
    ? ` · about ${formatDuration(rate * (total - done))} left`
    : "";
  const status = final ? ` · ${final}` : "";
  const text = `${done}/${total} · ${errors} error${errors === 1 ? "" : "s"} · ${retries} retr${
    retries === 1 ? "y" : "ies"
  } · ${formatDuration(elapsedMs)}${eta}${status}`;
  return safeHtml`${[
    safeHtml`<div class="visionbench-progress tex2jax_ignore" style="font-family:system-ui,sans-serif">`,
    estimate ? safeHtml`<div style="white-space:pre-wrap;margin-bottom:4px">${estimate}</div>` : "",
    safeHtml`<progress value="${done}" max="${
      Math.max(total, 1)
    }" style="width:320px"></progress> `,
    safeHtml`<span>${
      formatShare(total > 0 ? Math.min(1, done / total) : 1)
    } · ${text}</span></div>`,
  ]}`;
}
