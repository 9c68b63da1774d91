/**
 * Recorded real platform responses (`tests/fixtures/recorded/<platform>/<name>.json`) and the
 * comparison of an emulator's answer with one: status, content type, the recording's headers,
 * and the STRUCTURE of the JSON body, SSE events or NDJSON lines (see `shape.ts`).
 *
 * A recorded stream is compared as a pattern: consecutive events of the same name and shape
 * collapse into one run (300 content deltas are one run), and the runs must match in order.
 *
 * @module
 */
import { repoPath } from "../../lib/util/paths.ts";
import {
  type Allowed,
  applyAllowList,
  diffShapes,
  formatDifferences,
  type ShapeDifference,
  shapeOf,
  shapeText,
} from "./shape.ts";

/** One SSE event: its `event:` name when it has one, and its parsed `data:`. */
export interface WireEvent {
  event?: string;
  data: unknown;
}

/** A recorded response, as stored: where it comes from, then what it was. */
export interface Recorded {
  /** Repository + path + commit, or documentation URL. */
  source: string;
  note?: string;
  status?: number;
  /** Media type, only where the source states it. */
  contentType?: string;
  /** Where the media type comes from, when not from `source`. */
  contentTypeSource?: string;
  /** Headers the source shows (names compared, not values). */
  headers?: Record<string, string>;
  body?: unknown;
  events?: WireEvent[];
  lines?: unknown[];
}

/** What the emulator answered, read according to its content type. */
export interface Wire {
  status: number;
  contentType: string;
  headers: Headers;
  body?: unknown;
  events?: WireEvent[];
  lines?: unknown[];
  /** The raw text (for terminators such as `data: [DONE]`). */
  text: string;
}

/** Loads `tests/fixtures/recorded/<path>`. */
export async function loadRecorded(path: string): Promise<Recorded> {
  const file = repoPath(`tests/fixtures/recorded/${path}`);
  const recorded = JSON.parse(await Deno.readTextFile(file)) as Recorded;
  if (!recorded.source) throw new Error(`${path}: a recording must name its source`);
  return recorded;
}

function parseSse(text: string): WireEvent[] {
  const events: WireEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    // `[DONE]` is a terminator, not an event; tests check it on the raw text.
    if (data.length === 0 || data.join("\n") === "[DONE]") continue;
    events.push({ ...(event ? { event } : {}), data: JSON.parse(data.join("\n")) });
  }
  return events;
}

/** Reads a response the way a client does: SSE, NDJSON or one JSON body. */
export async function readWire(response: Response): Promise<Wire> {
  const text = await response.text();
  const contentType = response.headers.get("content-type") ?? "";
  const wire: Wire = { status: response.status, contentType, headers: response.headers, text };
  if (contentType.startsWith("text/event-stream")) wire.events = parseSse(text);
  else if (contentType.startsWith("application/x-ndjson")) {
    wire.lines = text.split("\n").filter((line) => line.trim()).map((line) => JSON.parse(line));
  } else wire.body = text ? JSON.parse(text) : undefined;
  return wire;
}

/** A stable text for an event's name and shape, to tell runs of events apart. */
function signature(event: WireEvent): string {
  return `${event.event ?? ""} ${shapeText(shapeOf(event.data))}`;
}

/** Consecutive events of one name and shape, as one run. */
function runs(events: WireEvent[]): WireEvent[][] {
  const out: WireEvent[][] = [];
  let last = "";
  for (const event of events) {
    const key = signature(event);
    if (key === last) out[out.length - 1].push(event);
    else out.push([event]);
    last = key;
  }
  return out;
}

function label(run: WireEvent[]): string {
  const first = run[0];
  const data = first.data as Record<string, unknown>;
  const name = first.event ?? (typeof data?.type === "string" ? data.type : "data");
  const keys = typeof data === "object" && data ? Object.keys(data).sort().join(",") : "";
  return `${name}{${keys}}${run.length > 1 ? `×${run.length}` : ""}`;
}

/** Differences between recorded and emulated event sequences, as runs. */
function diffEvents(recorded: WireEvent[], emulated: WireEvent[]): ShapeDifference[] {
  const want = runs(recorded);
  const got = runs(emulated);
  if (want.length !== got.length) {
    return [{
      path: "(events)",
      problem: `pattern: recorded ${want.map(label).join(" → ")}; emulator ${
        got.map(label).join(" → ")
      }`,
    }];
  }
  const out: ShapeDifference[] = [];
  want.forEach((run, index) => {
    const other = got[index];
    if ((run[0].event ?? "") !== (other[0].event ?? "")) {
      out.push({
        path: `(event ${index})`,
        problem: `name: recorded ${run[0].event}, emulator ${other[0].event}`,
      });
    }
    out.push(
      ...diffShapes(run.map((event) => event.data), other.map((event) => event.data))
        .map((difference) => ({
          ...difference,
          path: difference.path.replace(/^\(root\)|^\[\]\.?/, "") || "(root)",
        })),
    );
  });
  return out;
}

function mediaType(contentType: string): string {
  return contentType.split(";")[0].trim().toLowerCase();
}

/**
 * Every way the emulator's answer departs from the recording, minus the allow-listed ones, plus
 * allow-list entries that matched nothing. Empty means faithful.
 *
 * @example
 * ```ts
 * const problems = fidelityProblems(await loadRecorded("openai/error-400.json"), wire, []);
 * assertEquals(problems, []);
 * ```
 */
export function fidelityProblems(
  recorded: Recorded,
  wire: Wire,
  allowList: readonly Allowed[] = [],
): string[] {
  const problems: string[] = [];
  if (recorded.status !== undefined && recorded.status !== wire.status) {
    problems.push(`status: recorded ${recorded.status}, emulator ${wire.status}`);
  }
  if (recorded.contentType && mediaType(recorded.contentType) !== mediaType(wire.contentType)) {
    problems.push(`content-type: recorded ${recorded.contentType}, emulator ${wire.contentType}`);
  }
  for (const name of Object.keys(recorded.headers ?? {})) {
    if (!wire.headers.has(name)) {
      problems.push(`header ${name}: in the recording, not the emulator`);
    }
  }
  let differences: ShapeDifference[] = [];
  if (recorded.body !== undefined) differences = diffShapes(recorded.body, wire.body);
  if (recorded.events) {
    if (!wire.events) problems.push(`not an event stream: ${wire.contentType}`);
    else differences = diffEvents(recorded.events, wire.events);
  }
  if (recorded.lines) {
    if (!wire.lines) problems.push(`not NDJSON: ${wire.contentType}`);
    else {
      differences = diffEvents(
        recorded.lines.map((data) => ({ data })),
        wire.lines.map((data) => ({ data })),
      );
    }
  }
  const { unexpected, unused } = applyAllowList(differences, allowList);
  if (unexpected.length) problems.push(`structure:\n${formatDifferences(unexpected)}`);
  for (const entry of unused) {
    problems.push(`allow-list entry ${entry.path} matched nothing (${entry.reason})`);
  }
  return problems;
}
