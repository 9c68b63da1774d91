import assert from "node:assert/strict";
import { z } from "zod";
import { parseStructuredOutput } from "../../lib/contract/structured-output.ts";
import { isVisionBenchError } from "../../lib/contract/errors.ts";

const venue = {
  name: "venue",
  schema: z.object({ tags: z.array(z.string()), note: z.string().optional() }),
};

Deno.test("parseStructuredOutput() reads JSON text and parsed values through the same zod schema", () => {
  assert.deepEqual(parseStructuredOutput({ json: '{"tags":["stage"]}' }, venue, "openai"), {
    tags: ["stage"],
  });
  assert.deepEqual(parseStructuredOutput({ value: { tags: ["hall"] } }, venue, "anthropic"), {
    tags: ["hall"],
  });
  // OpenAI strict mode sends optional fields as null: dropped before the second try.
  assert.deepEqual(
    parseStructuredOutput({ json: '{"tags":[],"note":null}' }, venue, "openai"),
    { tags: [] },
  );
});

Deno.test("parseStructuredOutput() makes bad answers invalid_response errors naming platform and schema", () => {
  assert.throws(
    () => parseStructuredOutput({ json: "not json" }, venue, "gemini"),
    (error) =>
      isVisionBenchError(error, "invalid_response") && /gemini: .*not JSON/.test(error.message),
  );
  assert.throws(
    () => parseStructuredOutput({ value: { tags: "stage" } }, venue, "ollama-local"),
    (error) =>
      isVisionBenchError(error, "invalid_response") &&
      /ollama-local: structured answer does not match schema venue/.test(error.message),
  );
});
