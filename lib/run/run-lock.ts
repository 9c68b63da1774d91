/**
 * One process per run: `<outDir>/<runId>.lock` is held with an OS file lock (`flock`, through
 * `Deno.FsFile.tryLock`) by the process writing the run, and names its pid, host and start time.
 * Two processes on one run id would both call (and pay for) every case not yet recorded; the
 * second one refuses instead. The kernel releases the lock when its process dies — kill -9, a
 * crash, a zombie that nobody reaps — so a dead run's lock is taken over at once, and a pid
 * reused by another process fools nothing: the pid in the file is only there for the message.
 *
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { VisionBenchError } from "../contract/errors.ts";
import { validateRunId } from "./run-id.ts";

/** What a lock file holds (for the message a second process prints). */
export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  startedAt: string;
}

const LockOwnerSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  startedAt: z.string(),
});

/** A held lock; {@link RunLock.release} removes the file and lets the OS lock go. */
export interface RunLock {
  readonly path: string;
  readonly owner: LockOwner;
  release(): Promise<void>;
}

/** Options of {@link lockRun}. */
export interface LockRunOptions {
  runId: string;
  /** @default "results" */
  outDir?: string;
}

/** Path of a run's lock file. */
export function lockPath(outDir: string, runId: string): string {
  return join(outDir, `${validateRunId(runId)}.lock`);
}

/**
 * Takes the lock of a run, or throws `VisionBenchError("config")` naming the process that holds
 * it. A lock file nobody holds (its process died) is taken over at once.
 *
 * @example
 * ```ts
 * const lock = await lockRun({ runId: "benchmark", outDir: "results" });
 * try {
 *   // … append records …
 * } finally {
 *   await lock.release();
 * }
 * ```
 */
export async function lockRun(options: LockRunOptions): Promise<RunLock> {
  const outDir = options.outDir ?? "results";
  const path = lockPath(outDir, options.runId);
  await Deno.mkdir(outDir, { recursive: true });
  // A few rounds at most: a round is lost only when the holder removed the file meanwhile.
  for (let round = 0; round < 5; round++) {
    const file = await Deno.open(path, { read: true, write: true, create: true });
    if (!await file.tryLock(true)) {
      const holder = await readOwner(path);
      file.close();
      throw lockedError(options.runId, holder);
    }
    // The holder may have removed the file between our open and our lock: ours is then a lock
    // on a file nobody else will ever open. Lock the one at the path instead.
    if (!await sameFile(file, path)) {
      file.close();
      continue;
    }
    const owner: LockOwner = {
      pid: Deno.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
    };
    await file.truncate(0);
    await file.write(new TextEncoder().encode(JSON.stringify(owner) + "\n"));
    return {
      path,
      owner,
      async release() {
        // Removed while still locked: whoever opens the path next gets a new file.
        await Deno.remove(path).catch(() => {});
        file.close();
      },
    };
  }
  throw lockedError(options.runId, "unreadable");
}

async function sameFile(file: Deno.FsFile, path: string): Promise<boolean> {
  try {
    const [held, named] = [await file.stat(), await Deno.stat(path)];
    return held.ino === named.ino && held.dev === named.dev;
  } catch {
    return false;
  }
}

async function readOwner(path: string): Promise<LockOwner | "unreadable"> {
  try {
    const parsed = LockOwnerSchema.safeParse(JSON.parse(await Deno.readTextFile(path)));
    return parsed.success ? parsed.data : "unreadable";
  } catch {
    return "unreadable";
  }
}

function lockedError(runId: string, holder: LockOwner | "unreadable"): VisionBenchError {
  const who = holder === "unreadable"
    ? "another process"
    : `process ${holder.pid} on ${holder.host} since ${holder.startedAt}`;
  return new VisionBenchError(
    "config",
    `run "${runId}" is in use by ${who}; wait for it to finish or use another --run-id ` +
      `(its lock is released as soon as that process ends)`,
  );
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown-host"; // no --allow-sys
  }
}

/**
 * Runs `work` while holding the run's lock, and releases it however `work` ends. Live and batch
 * runs both go through here (and `--batch-status` / `--batch-cancel`, which write the manifest):
 * a second process on the same run id would pay for the same cases.
 *
 * @example
 * ```ts
 * declare function runTheCases(): Promise<void>;
 * await withRunLock({ runId: "run-1", outDir: "results" }, () => runTheCases());
 * ```
 */
export async function withRunLock<T>(options: LockRunOptions, work: () => Promise<T>): Promise<T> {
  const lock = await lockRun(options);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}
