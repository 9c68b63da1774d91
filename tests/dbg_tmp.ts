import { collectLargeBatch, resultsFileBytes } from "./support/large-results.ts";
const text = "A description of about thirteen hundred characters. ".repeat(25);
const cases = Math.ceil(150e6 / resultsFileBytes(1, text));
const outDir = await Deno.makeTempDir();
const t = setInterval(() => {
  const m = Deno.memoryUsage();
  console.log(
    (m.rss / 1e6) | 0,
    (m.heapTotal / 1e6) | 0,
    (m.heapUsed / 1e6) | 0,
    (m.external / 1e6) | 0,
  );
}, 2000);
await collectLargeBatch({ cases, text, outDir });
clearInterval(t);
