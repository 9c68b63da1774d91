import assert from "node:assert/strict";
import { join } from "node:path";
import process from "node:process";
import { waitFor } from "../support/wait-for.ts";
import { isVisionBenchError } from "../../lib/contract/errors.ts";
import { lockPath, lockRun } from "../../lib/run/run-lock.ts";
import { runBatchCases } from "../../lib/run/batch/batch-runner.ts";

/** A process holding the lock of `runId`, once it said so. */
async function holder(runId: string, outDir: string): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../fixtures/hold-lock.ts", import.meta.url).pathname,
      runId,
      outDir,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  assert.match(new TextDecoder().decode(value), /locked/);
  reader.releaseLock();
  return child;
}

/** The state letter of a process in /proc (Z: a zombie), or undefined once it is gone. */
function processState(pid: number): string | undefined {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]?.[0];
  } catch {
    return undefined;
  }
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
    assert.match(error.message, /use another --run-id/);
    return true;
  });
  await first.release();
  const again = await lockRun({ runId: "r", outDir });
  await again.release();
  assert.deepEqual([...Deno.readDirSync(outDir)], [], "no lock left behind");
});

Deno.test("a process holding the lock keeps it; killed with -9 and left a zombie, the next run takes the lock at once", async () => {
  const outDir = await Deno.makeTempDir();
  const child = await holder("z", outDir);
  await assert.rejects(lockRun({ runId: "z", outDir }), new RegExp(`process ${child.pid} `));
  child.kill("SIGKILL");
  // Not reaped yet (nobody awaited its status): the pid still answers kill(pid, 0), which fooled
  // the pid-based lock. The kernel released its file lock all the same.
  await waitFor(() => processState(child.pid) !== "S" && processState(child.pid) !== "R", {
    what: "the child to die",
  });
  assert.equal(processState(child.pid), "Z", "a zombie, as under a PID 1 that does not reap");
  process.kill(child.pid, 0); // does not throw
  const lock = await lockRun({ runId: "z", outDir });
  await lock.release();
  await child.status;
});

Deno.test("a lock file naming a live but unrelated pid (a reused pid) is taken over at once", async () => {
  const outDir = await Deno.makeTempDir();
  const unrelated = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    await Deno.writeTextFile(
      lockPath(outDir, "r"),
      JSON.stringify({
        pid: unrelated.pid,
        host: Deno.hostname(),
        startedAt: "2026-11-30T10:00:00Z",
      }),
    );
    const lock = await lockRun({ runId: "r", outDir });
    assert.equal(JSON.parse(await Deno.readTextFile(lock.path)).pid, Deno.pid);
    await lock.release();
  } finally {
    unrelated.kill("SIGKILL");
    await unrelated.status;
  }
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
