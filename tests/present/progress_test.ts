import assert from "node:assert/strict";
import { createTerminalProgress } from "../../lib/present/terminal-progress.ts";
import type { ResultRecord } from "../../lib/contract/record.ts";
import { registerSecret } from "../../lib/util/secrets.ts";

function collector() {
  const decoder = new TextDecoder();
  let text = "";
  return {
    stream: {
      writeSync(data: Uint8Array) {
        text += decoder.decode(data);
        return data.length;
      },
    },
    get text() {
      return text;
    },
  };
}

const record = { status: "ok" } as ResultRecord;

Deno.test("terminal progress redraws one line with \\r on a TTY and ends with a newline", () => {
  const out = collector();
  let clock = 0;
  const onEvent = createTerminalProgress({
    stream: out.stream,
    isTerminal: true,
    width: 10,
    now: () => clock,
  });
  onEvent({ type: "start", runId: "r", total: 4, alreadyDone: 0 });
  clock = 1000;
  onEvent({ type: "record", record, done: 1, total: 4, errors: 0 });
  clock = 2000;
  onEvent({ type: "record", record, done: 2, total: 4, errors: 1 });
  onEvent({
    type: "end",
    runId: "r",
    done: 2,
    total: 4,
    errors: 1,
    cancelled: true,
    elapsedMs: 2000,
  });
  const frames = out.text.split("\r").filter(Boolean);
  assert.equal(frames.length, 4);
  assert.equal(out.text.split("\n").length, 2, "only the final line ends with a newline");
  assert.match(frames[2], /\[#####-----\] 2\/4 {2}errors 1 {2}1\.0\/s {2}ETA 2\.0 s/);
  assert.match(frames[3], /^cancelled: 2\/4, 1 errors, 2\.0 s/);
});

Deno.test("terminal progress prints a plain line every N records when not a TTY", () => {
  const out = collector();
  const onEvent = createTerminalProgress({
    stream: out.stream,
    isTerminal: false,
    every: 5,
    now: () => 0,
  });
  onEvent({ type: "start", runId: "r", total: 12, alreadyDone: 0 });
  for (let done = 1; done <= 12; done++) {
    onEvent({ type: "record", record, done, total: 12, errors: 0 });
  }
  onEvent({
    type: "end",
    runId: "r",
    done: 12,
    total: 12,
    errors: 0,
    cancelled: false,
    elapsedMs: 61_000,
  });
  assert.ok(!out.text.includes("\r"));
  const lines = out.text.trimEnd().split("\n");
  // start, after 5, after 10, at 12 (the last), summary
  assert.equal(lines.length, 5);
  assert.match(lines[1], / 5\/12 /);
  assert.match(lines[3], / 12\/12 /);
  assert.equal(lines[4], "done: 12/12, 0 errors, 1.0 min");
});

Deno.test("terminal progress counts a resumed run's rate from this run's records only", () => {
  const out = collector();
  let clock = 0;
  const onEvent = createTerminalProgress({
    stream: out.stream,
    isTerminal: false,
    every: 1,
    now: () => clock,
  });
  onEvent({ type: "start", runId: "r", total: 100, alreadyDone: 90 });
  clock = 2000;
  onEvent({
    type: "retry",
    preset: "openai",
    imageId: "x",
    attempt: 1,
    delayMs: 10,
    kind: "rate_limit",
  });
  onEvent({ type: "record", record, done: 92, total: 100, errors: 0 });
  assert.match(out.text, /resuming r: 90\/100 already done/);
  assert.match(out.text, /92\/100 {2}errors 0 {2}retries 1 {2}1\.0\/s {2}ETA 8\.0 s/);
});

Deno.test("terminal progress never prints a registered secret", () => {
  registerSecret("sk-progress-secret-123456");
  const out = collector();
  const onEvent = createTerminalProgress({ stream: out.stream, isTerminal: false });
  onEvent({ type: "start", runId: "sk-progress-secret-123456", total: 1, alreadyDone: 1 });
  assert.ok(!out.text.includes("sk-progress-secret-123456"));
});

Deno.test("terminal progress redraws a TTY at most every redrawMs, and always for the last record", () => {
  const out = collector();
  let clock = 0;
  const onEvent = createTerminalProgress({
    stream: out.stream,
    isTerminal: true,
    now: () => clock,
  });
  onEvent({ type: "start", runId: "r", total: 1000, alreadyDone: 0 });
  // 1,000 records in 500 ms: one redraw per 100 ms, not one per record.
  for (let done = 1; done <= 1000; done++) {
    clock = done / 2;
    onEvent({ type: "record", record, done, total: 1000, errors: 0 });
  }
  const frames = out.text.split("\r").filter(Boolean);
  assert.ok(frames.length >= 5 && frames.length <= 7, `${frames.length} frames`);
  assert.match(frames.at(-1)!, / 1000\/1000 /);
});

Deno.test("terminal progress without a TTY prints a line every 2 s by default, however fast records come", () => {
  const out = collector();
  let clock = 0;
  const onEvent = createTerminalProgress({
    stream: out.stream,
    isTerminal: false,
    now: () => clock,
  });
  onEvent({ type: "start", runId: "r", total: 10_000, alreadyDone: 0 });
  for (let done = 1; done <= 10_000; done++) {
    clock = done; // 1,000 records a second for 10 s
    onEvent({ type: "record", record, done, total: 10_000, errors: 0 });
  }
  const lines = out.text.trim().split("\n");
  // The start line, one every 2 s (at 2, 4, 6, 8 s) and the last record's.
  assert.equal(lines.length, 6, lines.join("\n"));
  assert.match(lines.at(-1)!, / 10000\/10000 /);
});

Deno.test("terminal progress times each platform by its own rate: the ETA is the slowest one's", () => {
  const out = collector();
  let clock = 0;
  const onEvent = createTerminalProgress({
    stream: out.stream,
    isTerminal: false,
    every: 1,
    now: () => clock,
  });
  const of = (preset: string) => ({ status: "ok", preset } as ResultRecord);
  onEvent({ type: "start", runId: "r", total: 20, alreadyDone: 0, presets: ["fast", "slow"] });
  // After 10 s the fast platform is done (10/10); the slow one made 1 of 10: 90 s left.
  clock = 10_000;
  let done = 0;
  for (let i = 0; i < 10; i++) {
    onEvent({ type: "record", record: of("fast"), done: ++done, total: 20, errors: 0 });
  }
  onEvent({ type: "record", record: of("slow"), done: ++done, total: 20, errors: 0 });
  const lines = out.text.trimEnd().split("\n");
  const last = lines.findLastIndex((line) => line.includes("11/20"));
  // One rate for all (1.1/s) would say 8.2 s; the slow platform needs 90 s.
  assert.match(lines[last], /11\/20 {2}errors 0 {2}1\.1\/s {2}ETA 1\.5 min {2}slowest slow 1\/10/);
  assert.equal(lines[last + 1], "  fast 10/10 done");
  assert.equal(lines[last + 2], "  slow 1/10 ETA 1.5 min");
});

Deno.test("terminal progress warns, before the first call, of a model without a price card", () => {
  const out = collector();
  const onEvent = createTerminalProgress({ stream: out.stream, isTerminal: true, now: () => 0 });
  onEvent({
    type: "start",
    runId: "r",
    total: 2,
    alreadyDone: 0,
    presets: ["openai"],
    unpriced: [{ preset: "openai", model: "gpt-4o-minii" }],
  });
  assert.match(out.text, /^warning: openai has no price card for model "gpt-4o-minii"/);
  assert.match(out.text, /cost will show as n\/a/);
});
