import assert from "node:assert/strict";
import { join } from "node:path";
import process from "node:process";
import { waitFor } from "../support/wait-for.ts";
import { isVisionBenchError } from "../../lib/contract/errors.ts";
import { lockPath, lockRun } from "../../lib/run/run-lock.ts";
import { runBatchCases } from "../../lib/run/batch/batch-runner.ts";

/**
 * A process holding the lock of `runId`, once it said so, whose parent never reaps it (a shell
 * that became `sleep`): killed, it stays a zombie, as under a container's PID 1 that does not reap.
 */
async function holder(runId: string, outDir: string) {
  const fixture = new URL("../fixtures/hold-lock.ts", import.meta.url).pathname;
  const parent = new Deno.Command("sh", {
    args: ["-c", `"${Deno.execPath()}" run -A "${fixture}" ${runId} "${outDir}" & exec sleep 600`],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = parent.stdout.getReader();
  let said = "";
  while (!said.includes("\n")) said += new TextDecoder().decode((await reader.read()).value);
  reader.releaseLock();
  const pid = Number(said.match(/locked (\d+)/)![1]);
  return {
    pid,
    close: async () => {
      parent.kill("SIGKILL");
      await parent.status;
    },
  };
}

/** The state letter of a process in /proc (Z: a zombie), or undefined once it is gone. */
function processState(pid: number): string | undefined {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]?.[0];
  } catch {
    return undefined;
  }
}

function threads(pid: number): number {
  return [...Deno.readDirSync(`/proc/${pid}/task`)].length;
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
  try {
    await assert.rejects(lockRun({ runId: "z", outDir }), new RegExp(`process ${child.pid} `));
    Deno.kill(child.pid, "SIGKILL");
    // Dead once its last thread is gone; its parent never reaps it.
    await waitFor(() => processState(child.pid) === "Z" && threads(child.pid) === 1, {
      what: "the child to be a zombie",
    });
    process.kill(child.pid, 0); // does not throw: the pid-based lock took the zombie for alive
    const lock = await lockRun({ runId: "z", outDir });
    await lock.release();
  } finally {
    await child.close();
  }
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
