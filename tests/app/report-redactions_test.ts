import assert from "node:assert/strict";
import { reportRedactions } from "../../lib/app/notebook-runner.ts";
import { repoPath } from "../../lib/util/paths.ts";

Deno.test("reportRedactions() keeps a results folder inside the repository as its real relative path", () => {
  const pairs = (args: string[]) => args.filter((_, index) => index % 2 === 1);
  // results/emulated must read as results/emulated (its ratings are in results/emulated/ratings).
  const inside = pairs(reportRedactions(repoPath("results/emulated"), "/home/someone"));
  assert.deepEqual(inside, [`${repoPath("")}/=`, "/home/someone=~"]);
  const shown = inside.reduce((text, pair) => {
    const [from, to] = pair.split("=");
    return text.replaceAll(from, to);
  }, `${repoPath("results/emulated")}/ratings`);
  assert.equal(shown, "results/emulated/ratings");
  // Outside it, the folder's own name, never a path of this machine.
  assert.deepEqual(pairs(reportRedactions("/tmp/run-7", "/home/someone"))[0], "/tmp/run-7=run-7");
});
