/**
 * What a module loads before its first line runs: the npm packages of its static import graph
 * (`deno info --json`), each with the chain of files that reaches it. Dynamic `import()`s and
 * type-only imports load nothing up front and are not followed.
 *
 * @module
 */
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { repoPath } from "../../lib/util/paths.ts";

interface InfoDependency {
  code?: { specifier?: string };
  isDynamic?: boolean;
}
interface Info {
  roots: string[];
  modules: { specifier: string; dependencies?: InfoDependency[] }[];
  redirects: Record<string, string>;
}

/**
 * The npm packages `entry` (a path from the repository root) imports statically, by package name,
 * each with the import chain from `entry` (repository-relative paths, then the package).
 */
export async function staticNpmPackages(entry: string): Promise<Map<string, string[]>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", repoPath(entry)],
    cwd: repoPath("."),
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) throw new Error(new TextDecoder().decode(output.stderr));
  const info: Info = JSON.parse(new TextDecoder().decode(output.stdout));
  const modules = new Map(info.modules.map((module) => [module.specifier, module]));
  const root = info.roots[0];
  const from = new Map<string, string | undefined>([[root, undefined]]);
  const queue = [root];
  for (let next; (next = queue.shift()) !== undefined;) {
    for (const dependency of modules.get(next)?.dependencies ?? []) {
      const target = dependency.code?.specifier;
      if (!target || dependency.isDynamic) continue;
      const resolved = info.redirects[target] ?? target;
      if (from.has(resolved)) continue;
      from.set(resolved, next);
      queue.push(resolved);
    }
  }
  const packages = new Map<string, string[]>();
  for (const specifier of from.keys()) {
    if (!specifier.startsWith("npm:")) continue;
    const name = specifier.replace(/^npm:\/?/, "").replace(/(.)@.*$/, "$1");
    const chain: string[] = [];
    for (let at = from.get(specifier); at !== undefined; at = from.get(at)) {
      chain.unshift(shown(at));
    }
    packages.set(name, [...chain, name]);
  }
  return packages;
}

function shown(specifier: string): string {
  return specifier.startsWith("file:")
    ? relative(repoPath("."), fileURLToPath(specifier))
    : specifier;
}
