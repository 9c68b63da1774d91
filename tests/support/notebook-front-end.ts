// deno-lint-ignore-file no-explicit-any -- the page functions read Jupyter's own untyped globals
/**
 * The real notebook front end for end-to-end tests: Debian's classic Jupyter Notebook server with
 * the repository's Deno kernelspec, driven by headless Chromium. Notebooks are copied into a
 * folder of their own beside notebooks/ (so `../mod.ts` still resolves) and never saved back.
 *
 * @module
 */
import { dirname } from "node:path";
import type { Browser, Page } from "playwright-core";
import { repoPath } from "../../lib/util/paths.ts";
import { waitFor } from "./wait-for.ts";

/** Why the front-end tests cannot run here, or undefined. */
export function notebookServerMissing(): string | undefined {
  try {
    Deno.statSync("/usr/bin/jupyter-notebook");
    return undefined;
  } catch {
    return "/usr/bin/jupyter-notebook is absent (apt-get install jupyter-notebook)";
  }
}

/** A running Notebook server over a scratch copy of the notebooks. */
export interface NotebookServer {
  /** Base URL, e.g. `http://127.0.0.1:8891`. */
  url: string;
  token: string;
  /** The copy's folder (inside the repository, git-ignored). */
  folder: string;
  /** Opens a notebook of the copy (by file name), its kernel started and idle. */
  open(browser: Browser, name: string, viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Starts `jupyter notebook` on 127.0.0.1 over a copy of notebooks/ (or `notebooks`), with `env`
 * passed to the kernels.
 */
export async function startNotebookServer(
  options: { env?: Record<string, string>; notebooks?: string[] } = {},
): Promise<NotebookServer> {
  const folder = await Deno.makeTempDir({ dir: repoPath("."), prefix: ".e2e-notebooks-" });
  for (const name of options.notebooks ?? await notebookNames()) {
    await Deno.copyFile(repoPath(`notebooks/${name}`), `${folder}/${name}`);
  }
  const token = crypto.randomUUID().replaceAll("-", "");
  const port = freePort();
  const child = new Deno.Command("/usr/bin/jupyter-notebook", {
    args: [
      "--no-browser",
      "--ip=127.0.0.1",
      `--port=${port}`,
      "--port-retries=0",
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${folder}`,
      "--allow-root",
    ],
    env: {
      ...options.env,
      JUPYTER_PATH: repoPath(".jupyter"),
      // Kernels, config and runtime files of this server only.
      JUPYTER_RUNTIME_DIR: `${folder}/.runtime`,
      JUPYTER_CONFIG_DIR: `${folder}/.config`,
      JUPYTER_DATA_DIR: `${folder}/.data`,
      // The repository's front-end settings (Run All stops at the first failing cell).
      JUPYTER_CONFIG_PATH: repoPath(".jupyter"),
      PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH")}`,
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log: string[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) log.push(decoder.decode(chunk));
  })();
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    try {
      const response = await fetch(`${url}/api/status?token=${token}`);
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }, { timeoutMs: 60_000, intervalMs: 100, what: "the notebook server to answer" }).catch(
    (error) => {
      child.kill("SIGTERM");
      throw new Error(`${error.message}\n${log.join("")}`);
    },
  );
  return {
    url,
    token,
    folder,
    async open(browser, name, viewport = { width: 1440, height: 900 }) {
      const page = await browser.newPage({ viewport });
      await page.goto(`${url}/notebooks/${name}?token=${token}`);
      await page.waitForFunction(
        () => {
          const jupyter = (globalThis as any).Jupyter;
          return jupyter?.notebook?.kernel?.is_connected?.() &&
            jupyter.notebook.kernel_busy === false;
        },
        undefined,
        { timeout: 60_000 },
      );
      // Never write a copy's outputs anywhere (and never save over it by accident).
      await page.evaluate(() => {
        (globalThis as any).Jupyter.notebook.set_autosave_interval(0);
      });
      return page;
    },
    async close() {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      await child.status;
      await reading;
      await Deno.remove(folder, { recursive: true });
    },
  };
}

/** Sets the source of code cell `index` (counting every cell from 0). */
export async function setCellText(page: Page, index: number, text: string): Promise<void> {
  await page.evaluate(([index, text]) => {
    (globalThis as any).Jupyter.notebook.get_cell(index).set_text(text);
  }, [index, text] as const);
}

/** The source of cell `index`. */
export function cellText(page: Page, index: number): Promise<string> {
  return page.evaluate((index) => {
    return (globalThis as any).Jupyter.notebook.get_cell(index).get_text() as string;
  }, index);
}

/**
 * Kernel → Restart & Run All, through the notebook's own actions, and waits until every cell
 * has run (or Run All stopped) and the kernel is idle.
 */
export async function restartAndRunAll(page: Page, timeoutMs = 300_000): Promise<void> {
  await page.evaluate(() => {
    const notebook = (globalThis as any).Jupyter.notebook;
    notebook.clear_all_output();
    (globalThis as any).__vbRunDone = false;
    notebook.kernel.restart(() => {
      // Run All once the restarted kernel is ready (the same as the menu's action).
      notebook.events.one("kernel_ready.Kernel", () => {
        notebook.execute_all_cells();
        (globalThis as any).__vbRunDone = true;
      });
    });
  });
  await page.waitForFunction(
    () => {
      const jupyter = (globalThis as any).Jupyter;
      if (!(globalThis as any).__vbRunDone) return false;
      const cells = jupyter.notebook.get_cells() as any[];
      return jupyter.notebook.kernel_busy === false &&
        cells.every((cell) => cell.cell_type !== "code" || cell.input_prompt_number !== "*");
    },
    undefined,
    { timeout: timeoutMs, polling: 200 },
  );
  // Outputs that arrive late would land now: give them a moment to show up where they land.
  await page.waitForTimeout(300);
}

/** What each code cell shows: its index, its prompt number and its outputs' types and text. */
export interface CellView {
  index: number;
  prompt: number | null | string;
  outputs: { type: string; text: string; html: string }[];
}

/** The code cells as the front end shows them. */
export function codeCells(page: Page): Promise<CellView[]> {
  return page.evaluate(() => {
    const cells = (globalThis as any).Jupyter.notebook.get_cells() as any[];
    return cells.flatMap((cell, index) =>
      cell.cell_type !== "code" ? [] : [{
        index,
        prompt: cell.input_prompt_number ?? null,
        outputs: (cell.output_area.outputs as any[]).map((output) => ({
          type: output.output_type as string,
          text: String(
            output.text ?? output.data?.["text/plain"] ?? output.evalue ?? "",
          ),
          html: String(output.data?.["text/html"] ?? ""),
        })),
      }]
    );
  });
}

async function notebookNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(repoPath("notebooks"))) {
    if (entry.name.endsWith(".ipynb")) names.push(entry.name);
  }
  return names.sort();
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
