import assert from "node:assert/strict";
import { notebookParams } from "../../lib/app/notebook-params.ts";
import { loadConfig } from "../../lib/platforms/config.ts";

const config = (env: Record<string, string> = {}) => loadConfig({ env, envFile: null });
const shown = (params: object) =>
  (params as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]()[
    "text/html"
  ];

Deno.test("notebookParams() refuses a wrong parameters-cell value with a message naming the parameter", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ limit: 0 }, /parameter limit must be a whole number from 1 .*undefined: every image.*got 0/],
    [{ limit: 2.5 }, /parameter limit/],
    [{ resize: "abc" }, /parameter resize must be a non-empty list of strings/],
    [{ resize: ["abc"] }, /parameter resize must be "original" or a longest side in px/],
    [{ platforms: "openai" }, /parameter platforms must be a non-empty list of strings/],
    [{ prompt: "" }, /parameter prompt must be a non-empty string/],
    [{ repeat: -1 }, /parameter repeat/],
    [{ cache: "sometimes" }, /parameter cache must be "use", "refresh" or "off"/],
    [{ minQuality: 11 }, /parameter minQuality must be a number from 0 to 10/],
    [{ maxSpendUsd: -1 }, /parameter maxSpendUsd must be a number of dollars >= 0/],
    [{ blind: "yes" }, /parameter blind must be true or false/],
  ];
  for (const [cell, message] of cases) {
    assert.throws(() => notebookParams(cell as never, config()), message, JSON.stringify(cell));
  }
});

Deno.test("notebookParams() lets a VB_* variable win over the cell and says so when displayed", () => {
  const params = notebookParams({ limit: 3, platforms: ["local"] }, config({ VB_LIMIT: "2" }));
  assert.equal(params.limit, 2);
  assert.deepEqual(params.platforms, ["local"]);
  assert.match(shown(params), /VB_LIMIT overrides limit of the parameters cell/);
  assert.doesNotMatch(shown(params), /VB_PLATFORMS/);
  // Spreading gives the plain parameters (no display function).
  assert.deepEqual(Object.getOwnPropertySymbols({ ...params }), []);
  const plain = notebookParams({ limit: 3 }, config());
  assert.doesNotMatch(shown(plain), /overrides/);
  assert.equal(
    notebookParams({ maxSpendUsd: 1 }, config({ VB_MAX_SPEND_USD: "5" })).maxSpendUsd,
    5,
  );
});
