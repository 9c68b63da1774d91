import assert from "node:assert/strict";
import { checkFile, checkTree, importsOf } from "./support/import-rules.ts";
import { repoPath } from "../lib/util/paths.ts";
import { staticNpmPackages } from "./support/static-graph.ts";

Deno.test("no import in the repository breaks the layout's dependency rules", async () => {
  const violations = await checkTree(repoPath("."));
  assert.deepEqual(
    violations.map((v) => `${v.file}:${v.line} ${v.specifier} — ${v.message}`),
    [],
  );
});

Deno.test("the rules checker names file and line of each wrong import in a fixture tree", async () => {
  const violations = await checkTree(repoPath("tests/fixtures/architecture"));
  assert.deepEqual(
    violations.map((v) => `${v.file}:${v.line} ${v.message}`).sort(),
    [
      "adapters/pricey.ts:1 adapters may not import price",
      "lib/present/leaky.ts:2 present may not import run",
      "lib/present/leaky.ts:5 present may not import registry",
      "lib/run/peeks.ts:1 run imports tests/ (nothing may)",
    ],
  );
});

Deno.test("importsOf() finds static, type-only, re-export and dynamic imports with their lines, not those in comments", () => {
  const source = [
    `import a from "./a.ts";`,
    `import type { B } from "../b.ts";`,
    `export { c } from "./c.ts";`,
    `const d = await import("./d.ts");`,
    `import { e } from "npm:e";`,
    `import {`,
    `  f,`,
    `} from "./f.ts";`,
    `/** @example`,
    ` * import { g } from "./g.ts";`,
    ` */`,
  ].join("\n");
  assert.deepEqual(importsOf(source), [
    { specifier: "./a.ts", line: 1 },
    { specifier: "../b.ts", line: 2 },
    { specifier: "./c.ts", line: 3 },
    { specifier: "./d.ts", line: 4 },
    { specifier: "./f.ts", line: 8 },
  ]);
});

Deno.test("only app/ and the root import the adapter registry", () => {
  const registry = `import { ADAPTER_FACTORIES } from "../../adapters/mod.ts";`;
  assert.deepEqual(checkFile("lib/app/bench.ts", registry), []);
  assert.equal(
    checkFile("lib/platforms/resolve.ts", registry)[0].message,
    "platforms may not import registry",
  );
  assert.equal(checkFile("lib/run/runner.ts", registry)[0].message, "run may not import registry");
  const lazy = `import { loadAdapterFactories } from "../../adapters/registry.ts";`;
  assert.deepEqual(checkFile("lib/app/targets.ts", lazy), []);
  assert.equal(
    checkFile("lib/platforms/resolve.ts", lazy)[0].message,
    "platforms may not import registry",
  );
  assert.equal(
    checkFile("adapters/openai.ts", `import { ADAPTERS } from "./registry.ts";`)[0].message,
    "adapters may not import registry",
  );
});

/**
 * What every run of the CLI needs, whatever its platforms: records and flags are checked with zod,
 * images are read with sharp, keys come from .env. Anything else (a platform's SDK, Polars for
 * the summary) is imported when a run uses it: each SDK costs the process 10–35 MB of RSS.
 */
const EVERY_RUN_NEEDS = ["dotenv", "sharp", "zod"];

/** Packages of `entry`'s static graph outside `allowed`, each with its import chain. */
async function staticBeyond(entry: string, allowed: readonly string[]): Promise<string[]> {
  const packages = await staticNpmPackages(entry);
  return [...packages].filter(([name]) => !allowed.includes(name))
    .map(([, chain]) => chain.join(" → ")).sort();
}

Deno.test("lib/app/cli.ts statically imports no platform SDK and no Polars, only what every run needs", async () => {
  assert.deepEqual(await staticBeyond("lib/app/cli.ts", EVERY_RUN_NEEDS), []);
});

Deno.test("the root mod.ts (the notebooks' import) loads none of the adapters' SDKs", async () => {
  const adapters = await staticNpmPackages("adapters/mod.ts");
  const sdks = [...adapters.keys()].filter((name) => !EVERY_RUN_NEEDS.includes(name));
  assert.ok(sdks.includes("openai") && sdks.includes("@google/genai"), sdks.join(", "));
  const root = await staticNpmPackages("mod.ts");
  assert.deepEqual(
    [...root].filter(([name]) => sdks.includes(name)).map(([, chain]) => chain.join(" → ")),
    [],
  );
});

Deno.test("staticNpmPackages() follows static imports to their package, not dynamic or type-only ones", async () => {
  const packages = await staticNpmPackages("tests/fixtures/static-graph/entry.ts");
  assert.deepEqual(Object.fromEntries(packages), {
    openai: [
      "tests/fixtures/static-graph/entry.ts",
      "tests/fixtures/static-graph/eager.ts",
      "openai",
    ],
  });
  assert.deepEqual(await staticBeyond("tests/fixtures/static-graph/entry.ts", EVERY_RUN_NEEDS), [
    "tests/fixtures/static-graph/entry.ts → tests/fixtures/static-graph/eager.ts → openai",
  ]);
});

Deno.test("lib/ has no file outside a group folder but lib/mod.ts", async () => {
  const loose: string[] = [];
  for await (const entry of Deno.readDir(repoPath("lib"))) {
    if (entry.isFile && entry.name !== "mod.ts") loose.push(entry.name);
  }
  assert.deepEqual(loose, []);
});

Deno.test("every lib/ group folder has a mod.ts", async () => {
  for await (const entry of Deno.readDir(repoPath("lib"))) {
    if (!entry.isDirectory) continue;
    const mod = await Deno.stat(repoPath(`lib/${entry.name}/mod.ts`)).catch(() => undefined);
    assert.ok(mod?.isFile, `lib/${entry.name}/mod.ts is missing`);
  }
});

Deno.test("mod.ts names its exports (no export *) and keeps to at most 80 runtime names", async () => {
  const source = await Deno.readTextFile(repoPath("mod.ts"));
  assert.doesNotMatch(source, /export\s+\*/);
  const names = Object.keys(await import("../mod.ts"));
  assert.ok(names.length > 0 && names.length <= 80, `${names.length} runtime names`);
});

Deno.test("the notebooks import only from ../mod.ts, and only names it exports", async () => {
  const exported = new Set(Object.keys(await import("../mod.ts")));
  const typeNames = new Set(
    [...(await Deno.readTextFile(repoPath("mod.ts"))).matchAll(/\btype\s+(\w+)/g)].map((m) => m[1]),
  );
  const wrong: string[] = [];
  for await (const entry of Deno.readDir(repoPath("notebooks"))) {
    if (!entry.name.endsWith(".ipynb")) continue;
    const notebook = JSON.parse(await Deno.readTextFile(repoPath(`notebooks/${entry.name}`)));
    const code: string = notebook.cells
      .filter((cell: { cell_type: string }) => cell.cell_type === "code")
      .map((cell: { source: string[] | string }) => [cell.source].flat().join(""))
      .join("\n");
    for (const match of code.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
      if (match[2] !== "../mod.ts") wrong.push(`${entry.name}: imports ${match[2]}`);
      for (const name of match[1].split(",").map((part) => part.replace(/^type\s+/, "").trim())) {
        if (name && !exported.has(name) && !typeNames.has(name)) {
          wrong.push(`${entry.name}: ${name}`);
        }
      }
    }
    for (const match of code.matchAll(/(?:import|from)\s*\(?\s*"([^"]+)"/g)) {
      // Polars and Plot are the analyst's own tools: a cell may use them directly.
      if (!["../mod.ts", "nodejs-polars", "@observablehq/plot"].includes(match[1])) {
        wrong.push(`${entry.name}: ${match[1]}`);
      }
    }
  }
  assert.deepEqual([...new Set(wrong)], []);
});
