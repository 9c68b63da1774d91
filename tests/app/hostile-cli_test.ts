/**
 * Issue 9 as a user meets it on the command line: two `deno run lib/app/cli.ts` processes on one
 * run id (finding 8), a stale lock, an empty image folder and the `ollama-vps` key (finding 11).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runBenchmark } from "../../lib/app/bench.ts";
import { parseBenchArgs } from "../../lib/app/cli.ts";
import { readRun } from "../../lib/run/run-store.ts";
import { repoPath } from "../../lib/util/paths.ts";
import { startOllamaEmulator } from "../../emulators/ollama.ts";
import { waitFor } from "../support/wait-for.ts";

const CLI = repoPath("lib/app/cli.ts");
const VPS_KEY = "vps-proxy-SECRET-0123456789abcdef";

const imagesDir = await Deno.makeTempDir();
await Deno.copyFile(repoPath("images/o01_cat.png"), join(imagesDir, "o01_cat.png"));

function bench(args: string[], env: Record<string, string> = {}) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "--images", imagesDir, "--resize", "256", ...args],
    // A clean environment: only what the test gives, so no real key on this machine leaks in.
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "/tmp",
      NO_COLOR: "1",
      VISIONBENCH_ENV_FILE: "/dev/null",
      ...env,
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  });
}

async function finished(child: Deno.ChildProcess) {
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...await filesUnder(path));
    else files.push(path);
  }
  return files;
}

/**
 * An Ollama emulator behind a gate: chats wait until `open()`, so the first process is sure to
 * hold its run while the second one starts, however loaded the machine is.
 */
function gatedOllama() {
  const emulator = startOllamaEmulator();
  const { promise: opened, resolve: open } = Promise.withResolvers<void>();
  let chats = 0;
  const gate = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/chat") {
        chats++;
        await opened;
      }
      return await fetch(`${emulator.url}${url.pathname}${url.search}`, {
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
    },
  );
  return {
    url: `http://127.0.0.1:${(gate.addr as Deno.NetAddr).port}`,
    chats: () => chats,
    open,
    close: async () => {
      open();
      await gate.shutdown();
      await emulator.close();
    },
  };
}

Deno.test("two processes on one --run-id: the second refuses naming the first (exit 2), the first calls once per case", async () => {
  const ollama = gatedOllama();
  const out = await Deno.makeTempDir();
  try {
    const args = ["--platform", "ollama-vps", "--run-id", "shared", "--out", out];
    const env = { OLLAMA_VPS_HOST: ollama.url };
    const first = bench(args, env).spawn();
    const lock = join(out, "shared.lock");
    await waitFor(() => Deno.readTextFile(lock).then((text) => text.includes("pid"), () => false), {
      what: `${lock} to name its holder`,
    });
    const second = await finished(bench(args, env).spawn());
    ollama.open();
    const firstResult = await finished(first);

    assert.equal(second.code, 2, second.stderr);
    // The spend estimate comes first; the refusal is the last line.
    assert.match(
      second.stderr.trim().split("\n").at(-1)!,
      new RegExp(`^visionbench: run "shared" is in use by process ${first.pid} on .+ since 20`),
    );
    assert.equal(firstResult.code, 0, firstResult.stderr);
    assert.equal(ollama.chats(), 1, "one call for the one case");
    const { records, problems } = await readRun(join(out, "shared.jsonl"));
    assert.deepEqual(problems, []);
    assert.equal(records.length, 1);
    assert.equal(records[0].status, "ok");
    await assert.rejects(Deno.stat(join(out, "shared.lock")), Deno.errors.NotFound);
  } finally {
    await ollama.close();
  }
});

Deno.test("a lock left by a dead process is taken over: the run goes on and the lock is gone after", async () => {
  const out = await Deno.makeTempDir();
  const dead = new Deno.Command("true").spawn();
  await dead.status;
  const lock = join(out, "stale.lock");
  await Deno.writeTextFile(
    lock,
    JSON.stringify({
      pid: dead.pid,
      host: Deno.hostname(),
      startedAt: "2026-11-30T10:00:00.000Z",
      token: "from-a-killed-run",
    }),
  );
  const result = await finished(
    bench(["--platform", "local", "--run-id", "stale", "--out", out]).spawn(),
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal((await readRun(join(out, "stale.jsonl"))).records.length, 1);
  await assert.rejects(Deno.stat(lock), Deno.errors.NotFound);
});

Deno.test("SIGTERM is handled like Ctrl-C: no call after it, exit 143, the lock released", async () => {
  const ollama = gatedOllama();
  const out = await Deno.makeTempDir();
  try {
    const child = bench(["--platform", "ollama-vps", "--run-id", "term", "--out", out], {
      OLLAMA_VPS_HOST: ollama.url,
    }).spawn();
    await waitFor(() => ollama.chats() === 1, { what: "the first call" });
    child.kill("SIGTERM");
    const result = await finished(child);
    assert.equal(result.code, 143, result.stderr);
    assert.match(result.stderr, /stopping/);
    assert.equal(ollama.chats(), 1);
    await assert.rejects(Deno.stat(join(out, "term.lock")), Deno.errors.NotFound);
  } finally {
    await ollama.close();
  }
});

Deno.test("an image folder with no images exits 2 saying so", async () => {
  const empty = await Deno.makeTempDir();
  await Deno.writeTextFile(join(empty, "notes.txt"), "photos to come");
  const result = await finished(
    bench(["--platform", "local", "--images", empty, "--out", await Deno.makeTempDir()]).spawn(),
  );
  assert.equal(result.code, 2);
  assert.match(
    result.stderr.trim(),
    /^visionbench: no images in .+: no file there ends in an image extension/,
  );
});

Deno.test("ollama-vps sends OLLAMA_VPS_API_KEY as Authorization: Bearer, and the key is in no file and no output", async () => {
  const emulator = startOllamaEmulator({ requireKey: VPS_KEY });
  const out = await Deno.makeTempDir();
  try {
    const env = { OLLAMA_VPS_HOST: emulator.url, OLLAMA_VPS_API_KEY: VPS_KEY };
    const result = await finished(
      bench(["--platform", "ollama-vps", "--run-id", "vps", "--out", out], env).spawn(),
    );
    assert.equal(result.code, 0, result.stderr);
    const chat = emulator.requests.find((request) => request.path === "/api/chat");
    assert.equal(chat?.headers.authorization, `Bearer ${VPS_KEY}`);
    const { records } = await readRun(join(out, "vps.jsonl"));
    assert.equal(records[0].status, "ok", records[0].error?.message ?? "");

    // Still no key needed: without one the preset runs (and this emulator says 401).
    const keyless = await finished(
      bench(["--platform", "ollama-vps", "--run-id", "keyless", "--out", out, "--cache", "off"], {
        OLLAMA_VPS_HOST: emulator.url,
      }).spawn(),
    );
    assert.equal(keyless.code, 0, keyless.stderr);
    const [refused] = (await readRun(join(out, "keyless.jsonl"))).records;
    assert.equal(refused.error?.kind, "auth");

    for (const text of [result.stdout, result.stderr, keyless.stdout, keyless.stderr]) {
      assert.ok(!text.includes(VPS_KEY), "key in the console");
    }
    for (const path of await filesUnder(out)) {
      const bytes = await Deno.readFile(path);
      assert.ok(!new TextDecoder().decode(bytes).includes(VPS_KEY), `key in ${path}`);
    }
  } finally {
    await emulator.close();
  }
});

Deno.test("--max-image-mb sets the byte cap per image file: a larger file is an image_too_large row", async () => {
  assert.equal(parseBenchArgs(["--max-image-mb", "0.1"]).maxImageBytes, 100_000);
  assert.throws(() => parseBenchArgs(["--max-image-mb", "0"]), /--max-image-mb must be a number/);
  assert.throws(() => parseBenchArgs(["--max-image-mb", "5000"]), /--max-image-mb must be ≤ 2000/);
  const result = await runBenchmark({
    platforms: ["local"],
    images: imagesDir,
    variants: ["256"],
    outDir: await Deno.makeTempDir(),
    maxImageBytes: 100_000, // the cat is 240,512 bytes
    env: {},
  });
  assert.equal(result.records.length, 1);
  assert.equal(result.records[0].error?.kind, "image_too_large");
  assert.match(
    result.records[0].error!.message,
    /^o01_cat\.png: 240512 bytes, more than the 100000/,
  );
});
