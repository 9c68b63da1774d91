/**
 * Times preparing every image of a folder at one variant, cold (empty variant cache) then warm.
 *
 *   deno run -A scripts/images-bench.ts [--dir images] [--variant 512] [--concurrency 2]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { loadImageSet, prepareImage, variantStats } from "../lib/images/mod.ts";
import { DEFAULT_IMAGES_DIR } from "../lib/util/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    dir: { type: "string", default: DEFAULT_IMAGES_DIR },
    variant: { type: "string", default: "512" },
    concurrency: { type: "string", default: "2" },
  },
});
const concurrency = Math.max(1, Number(values.concurrency));

const loadStarted = performance.now();
const images = await loadImageSet(values.dir);
const loadMs = performance.now() - loadStarted;
const cacheDir = await Deno.makeTempDir({ prefix: "vb-images-bench-" });

async function pass(label: string) {
  const started = performance.now();
  const queue = [...images];
  let bytes = 0, errors = 0, fromCache = 0;
  const slowest: { file: string; ms: number }[] = [];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let image = queue.shift(); image; image = queue.shift()) {
      const imageStarted = performance.now();
      try {
        const prepared = await prepareImage(image, { variant: values.variant, cacheDir });
        bytes += prepared.bytes;
        if (prepared.fromCache) fromCache++;
      } catch {
        errors++;
      }
      slowest.push({ file: image.file, ms: performance.now() - imageStarted });
    }
  }));
  const ms = performance.now() - started;
  slowest.sort((a, b) => b.ms - a.ms);
  console.log(
    `${label}: ${images.length} images in ${ms.toFixed(0)} ms (${
      (ms / images.length).toFixed(1)
    } ms/image), ` +
      `${fromCache} from cache, ${errors} errors, ${(bytes / 1024).toFixed(0)} KiB sent; slowest ` +
      slowest.slice(0, 3).map((item) => `${item.file} ${item.ms.toFixed(0)} ms`).join(", "),
  );
}

try {
  console.log(
    `loadImageSet(${values.dir}): ${images.length} images listed + hashed in ${
      loadMs.toFixed(0)
    } ms; ` +
      `variant ${values.variant}, concurrency ${concurrency}`,
  );
  await pass("cold");
  await pass("warm");
  console.log(`encodes ${variantStats().encodes}, cache hits ${variantStats().cacheHits}`);
} finally {
  await Deno.remove(cacheDir, { recursive: true });
}
