/**
 * One process per run: `<outDir>/<runId>.lock` holds the pid, host and start time of the
 * process writing the run. Two processes on one run id would both call (and pay for) every case
 * not yet recorded; the second one refuses instead. A lock left by a process that died (kill -9,
 * a power cut) is taken over when its pid is no longer alive on this host.
 *
 * @module
 */
import process from "node:process";
import { join } from "node:path";
import { z } from "zod";
import { VisionBenchError } from "../contract/errors.ts";
import { validateRunId } from "./run-id.ts";

/** What a lock file holds. */
export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** Tells this lock from a later one of the same pid (pids are reused). */
  token: string;
}

const LockOwnerSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  startedAt: z.string(),
  token: z.string(),
});

/** A held lock; {@link RunLock.release} removes the file if it is still this one. */
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
 * it. A lock whose process is gone (same host, pid not alive) is taken over.
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
  const owner: LockOwner = {
    pid: Deno.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    token: crypto.randomUUID(),
  };
  const text = JSON.stringify(owner) + "\n";
  const draft = `${path}.${owner.token}.tmp`;
  await Deno.writeTextFile(draft, text);
  try {
    let staleRemoved = false;
    // A few rounds at most: each one either takes the lock or sees it change hands.
    for (let round = 0;; round++) {
      if (await createExclusive(path, { draft, text })) break;
      const holder = await readOwner(path);
      if (holder === "gone" && round < 5) continue; // released between our try and our read
      // A stale lock is removed once; if another process re-took it meanwhile, it is live now.
      if (!staleRemoved && typeof holder === "object" && isStale(holder)) {
        staleRemoved = true;
        await removeIfSame(path, holder);
        continue;
      }
      throw lockedError(options.runId, path, holder === "gone" ? "unreadable" : holder);
    }
  } finally {
    await Deno.remove(draft).catch(() => {});
  }
  return {
    path,
    owner,
    async release() {
      await removeIfSame(path, owner);
    },
  };
}

/**
 * Creates the lock file unless it exists; false when it does. The content is written whole to a
 * private draft first and linked into place: link() fails when the lock exists, so taking it is
 * atomic and nobody reads a half-written lock. Where hard links are not supported, an exclusive
 * create and a write (a reader may then briefly see it empty, and refuses).
 */
async function createExclusive(
  path: string,
  content: { draft: string; text: string },
): Promise<boolean> {
  try {
    await Deno.link(content.draft, path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { createNew: true, write: true });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
  }
  try {
    await file.write(new TextEncoder().encode(content.text));
  } finally {
    file.close();
  }
  return true;
}

async function readOwner(path: string): Promise<LockOwner | "gone" | "unreadable"> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "gone";
    return "unreadable";
  }
  try {
    const parsed = LockOwnerSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : "unreadable";
  } catch {
    return "unreadable";
  }
}

/** Only a lock of this host can be judged: a pid on another machine means nothing here. */
function isStale(holder: LockOwner): boolean {
  return holder.host === hostname() && !isAlive(holder.pid);
}

function isAlive(pid: number): boolean {
  try {
    // Signal 0 sends nothing: it only asks whether the process exists.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as { code?: string }).code === "EPERM";
  }
}

async function removeIfSame(path: string, holder: LockOwner): Promise<void> {
  const current = await readOwner(path);
  if (typeof current === "object" && current.token === holder.token) {
    await Deno.remove(path).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
}

function lockedError(
  runId: string,
  path: string,
  holder: LockOwner | "unreadable",
): VisionBenchError {
  const who = holder === "unreadable"
    ? "another process (its lock file cannot be read)"
    : `process ${holder.pid} on ${holder.host} since ${holder.startedAt}`;
  return new VisionBenchError(
    "config",
    `run "${runId}" is in use by ${who}; wait for it to finish or use another --run-id ` +
      `(if that process is gone, delete ${path})`,
  );
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown-host"; // no --allow-sys: every lock then looks like this host's
  }
}

/**
 * Runs `work` while holding the run's lock, and releases it however `work` ends. Live and batch
 * runs both go through here: a second process on the same run id would pay for the same cases.
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
