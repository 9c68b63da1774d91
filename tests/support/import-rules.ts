/**
 * The dependency rules of the layout (docs/architecture.md, "Who may import whom"), checked by
 * reading every import of the repository's TypeScript files. Kept as data so the docs, this
 * checker and its test say the same thing.
 *
 * @module
 */
import { dirname, join, normalize, relative } from "node:path";

/** The layer a file belongs to, from its path relative to the repository root. */
export function layerOf(path: string): string | undefined {
  if (path === "mod.ts") return "root";
  if (path === "adapters/mod.ts" || path === "adapters/registry.ts") return "registry";
  const [top, group] = path.split("/");
  if (top === "lib") return group === "mod.ts" ? "root" : group;
  if (["adapters", "emulators", "scripts", "tests"].includes(top)) return top;
  return undefined;
}

/** The groups of lib/ below the composition root, in dependency order. */
const LIB_GROUPS = [
  "contract",
  "util",
  "platforms",
  "images",
  "price",
  "run",
  "analysis",
  "quality",
  "present",
] as const;

/** Which layers each layer may import (its own layer is always allowed). */
export const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  contract: ["util"],
  util: ["contract"],
  adapters: ["contract", "util"],
  images: ["contract", "util"],
  price: ["contract", "util"],
  platforms: ["contract", "util", "price"],
  run: ["images", "price", "contract", "util"],
  analysis: ["contract", "util"],
  quality: ["analysis", "contract", "util"],
  present: ["analysis", "quality", "images", "contract", "util"],
  app: [...LIB_GROUPS, "registry", "adapters"],
  registry: ["adapters", "contract"],
  root: [...LIB_GROUPS, "app", "registry", "adapters"],
  emulators: ["contract", "util", "images", "price", "analysis", "quality"],
  // Scripts are tools (benchmarks, the report, the emulators server): they may use any group.
  scripts: [...LIB_GROUPS, "root", "app", "emulators"],
  tests: [...LIB_GROUPS, "app", "registry", "adapters", "root", "emulators", "scripts"],
};

/** Single files allowed one more layer than their folder, and why. */
export const EXCEPTIONS: Readonly<Record<string, readonly string[]>> = {
  // The judge runs a platform over descriptions: it is a quality measure that uses the runner.
  "lib/quality/judge.ts": ["run", "images"],
};

/** One import that breaks a rule. */
export interface Violation {
  file: string;
  line: number;
  specifier: string;
  message: string;
}

const IMPORT =
  /(?:^|[^\w.])(?:import|export)\s*(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** The relative specifiers a source file imports, with their line numbers. */
export function importsOf(text: string): { specifier: string; line: number }[] {
  // Imports inside comments (JSDoc @example blocks) are examples, not dependencies of the file;
  // blanked out line for line so line numbers stay right.
  const source = text.replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, " "));
  const found: { specifier: string; line: number }[] = [];
  for (const match of source.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2];
    if (!specifier.startsWith(".")) continue;
    const line = source.slice(0, match.index! + match[0].length).split("\n").length;
    found.push({ specifier, line });
  }
  return found;
}

/** Checks one file's imports; `file` and the result's paths are relative to `root`. */
export function checkFile(file: string, source: string): Violation[] {
  const from = layerOf(file);
  if (!from) return [];
  const allowed = new Set([from, ...(MAY_IMPORT[from] ?? []), ...(EXCEPTIONS[file] ?? [])]);
  const violations: Violation[] = [];
  for (const { specifier, line } of importsOf(source)) {
    const target = normalize(join(dirname(file), specifier));
    if (target.endsWith(".json")) continue;
    const to = layerOf(target);
    if (!to) continue;
    if (to === "tests" && from !== "tests") {
      violations.push({ file, line, specifier, message: `${from} imports tests/ (nothing may)` });
    } else if (!allowed.has(to)) {
      violations.push({ file, line, specifier, message: `${from} may not import ${to}` });
    }
  }
  return violations;
}

/** Every violation under `root` (lib/, adapters/, emulators/, scripts/, tests/ and mod.ts). */
export async function checkTree(root: string): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const path of await listTypeScript(root)) {
    const file = relative(root, path);
    violations.push(...checkFile(file, await Deno.readTextFile(path)));
  }
  return violations;
}

async function listTypeScript(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (folder: string) => {
    for await (const entry of Deno.readDir(folder)) {
      const path = join(folder, entry.name);
      if (
        entry.isDirectory && !["node_modules", "fixtures", ".git", "results"].includes(entry.name)
      ) {
        await walk(path);
      } else if (entry.isFile && entry.name.endsWith(".ts")) files.push(path);
    }
  };
  for (const top of ["lib", "adapters", "emulators", "scripts", "tests"]) {
    await walk(join(root, top)).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
  await Deno.stat(join(root, "mod.ts")).then(() => files.push(join(root, "mod.ts")), () => {});
  return files;
}
