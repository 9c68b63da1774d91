import assert from "node:assert/strict";
import { repoPath } from "../../lib/util/paths.ts";

interface Cell {
  cell_type: string;
  source: string[] | string;
  metadata?: { tags?: string[] };
  outputs?: unknown[];
  execution_count?: number | null;
}

const notebooks: { name: string; cells: Cell[] }[] = [];
for await (const entry of Deno.readDir(repoPath("notebooks"))) {
  if (!entry.name.endsWith(".ipynb")) continue;
  const notebook = JSON.parse(await Deno.readTextFile(repoPath(`notebooks/${entry.name}`)));
  notebooks.push({ name: entry.name, cells: notebook.cells });
}
const text = (cell: Cell) => Array.isArray(cell.source) ? cell.source.join("") : cell.source;

Deno.test("committed notebooks hold no outputs and no execution counts", () => {
  for (const { name, cells } of notebooks) {
    for (const [index, cell] of cells.entries()) {
      if (cell.cell_type !== "code") continue;
      assert.deepEqual(
        cell.outputs,
        [],
        `${name} cell ${index} has outputs: clear them before committing`,
      );
      assert.equal(cell.execution_count, null, `${name} cell ${index} has an execution count`);
    }
  }
});

Deno.test("each notebook's first code cell is its parameters cell: tagged, only declarations with a comment each, all passed to notebookParams", () => {
  for (const { name, cells } of notebooks) {
    const code = cells.filter((cell) => cell.cell_type === "code");
    const [parameters] = code;
    assert.ok(parameters.metadata?.tags?.includes("parameters"), `${name}: not tagged parameters`);
    const declarations = text(parameters).split("\n").filter((line) => /^const /.test(line));
    assert.ok(declarations.length > 0, name);
    for (const line of declarations) {
      assert.match(line, /^const \w+ = .+; \/\/ \S/, `${name}: "${line}" needs a one-line comment`);
    }
    // Every parameter is read by a later cell (a parameter nobody reads is a knob that does nothing).
    const rest = code.slice(1).map(text).join("\n");
    for (const line of declarations) {
      const parameter = line.match(/^const (\w+)/)![1];
      assert.match(rest, new RegExp(`\\b${parameter}\\b`), `${name}: ${parameter} is never read`);
    }
  }
});
