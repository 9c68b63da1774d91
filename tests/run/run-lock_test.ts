import assert from "node:assert/strict";
import { join } from "node:path";
import { isVisionBenchError } from "../../lib/contract/errors.ts";
import { lockPath, lockRun } from "../../lib/run/run-lock.ts";
import { runBatchCases } from "../../lib/run/batch/batch-runner.ts";

/** The pid of a process that has ended (pids are not reused that fast). */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

async function writeLock(path: string, owner: { pid: number; host: string }) {
  await Deno.writeTextFile(
    path,
    JSON.stringify({ ...owner, startedAt: "2026-11-30T10:00:00.000Z", token: "old" }),
  );
}

Deno.test("lockRun() refuses a second holder with a config error naming pid, host and start", async () => {
  const outDir = await Deno.makeTempDir();
  const first = await lockRun({ runId: "r", outDir });
  assert.equal(first.path, join(outDir, "r.lock"));
  await assert.rejects(lockRun({ runId: "r", outDir }), (error) => {
    assert.ok(isVisionBenchError(error, "config"));
    assert.match(
      error.message,
      new RegExp(`^run "r" is in use by process ${Deno.pid} on ${Deno.hostname()} since 20`),
    );
    assert.match(
      error.message,
      /use another --run-id \(if that process is gone, delete .*r\.lock\)/,
    );
    return true;
  });
  await first.release();
  const again = await lockRun({ runId: "r", outDir });
  await again.release();
  assert.deepEqual([...Deno.readDirSync(outDir)], [], "no lock and no draft left behind");
});

Deno.test("lockRun() takes over a lock whose process is dead on this host, not one from another host", async () => {
  const outDir = await Deno.makeTempDir();
  const path = lockPath(outDir, "r");
  await writeLock(path, { pid: await deadPid(), host: Deno.hostname() });
  const lock = await lockRun({ runId: "r", outDir });
  assert.equal(JSON.parse(await Deno.readTextFile(path)).pid, Deno.pid);
  await lock.release();

  // A pid on another machine (a shared results folder) cannot be checked from here.
  await writeLock(path, { pid: await deadPid(), host: "another-host" });
  await assert.rejects(lockRun({ runId: "r", outDir }), /in use by process \d+ on another-host/);
  await Deno.writeTextFile(path, "");
  await assert.rejects(lockRun({ runId: "r", outDir }), /its lock file cannot be read/);
});

Deno.test("release() leaves a lock that is no longer its own", async () => {
  const outDir = await Deno.makeTempDir();
  const lock = await lockRun({ runId: "r", outDir });
  await writeLock(lock.path, { pid: Deno.pid, host: Deno.hostname() });
  await lock.release();
  assert.equal(JSON.parse(await Deno.readTextFile(lock.path)).token, "old");
});

Deno.test("runBatchCases() takes the same run lock: a batch run on a held run id refuses before submitting", async () => {
  const outDir = await Deno.makeTempDir();
  const held = await lockRun({ runId: "batch-run", outDir });
  await assert.rejects(
    runBatchCases({
      runId: "batch-run",
      outDir,
      targets: [],
      images: [],
      variants: ["512"],
      prompts: [],
    }),
    (error) => isVisionBenchError(error, "config") && /is in use by process/.test(error.message),
  );
  await held.release();
  assert.deepEqual([...Deno.readDirSync(outDir)], [], "nothing written: no manifest, no run file");
});
