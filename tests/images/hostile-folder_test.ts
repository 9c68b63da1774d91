/**
 * Issue 9, finding 4: one bad entry in the image folder must not stop the run. A temp folder
 * with real symlink loops, dangling symlinks, a FIFO, /dev/zero, a directory and a file over the
 * byte cap, next to two good images: the real loadImageSet and runner with the `local` adapter.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createLocal } from "../../adapters/local.ts";
import { isVisionBenchError } from "../../lib/contract/errors.ts";
import { readImageFile } from "../../lib/images/image-file.ts";
import { loadImageSet, prepareImage } from "../../lib/images/image-set.ts";
import { descriptionTable } from "../../lib/present/tables.ts";
import { readRun } from "../../lib/run/run-store.ts";
import { runCases } from "../../lib/run/runner.ts";

const SAMPLE_IMAGES = new URL("../../images/", import.meta.url).pathname;
const CAP = 1_000_000;

/** Entry name → the kind its cases must be recorded with (`ok` for the good ones). */
const EXPECTED: Record<string, string> = {
  "a-loop-1.jpg": "image_unreadable",
  "a-loop-2.jpg": "image_unreadable",
  "b-dangling.jpg": "image_unreadable",
  "c-cat.png": "ok",
  "c-cat-link.png": "ok",
  "d-dir-link.jpg": "image_not_file",
  "d-folder.jpg": "image_not_file",
  "e-fifo.jpg": "image_not_file",
  "e-fifo-link.jpg": "image_not_file",
  "f-big.jpg": "image_too_large",
  "g-zero-link.jpg": "image_not_file",
};

async function hostileFolder(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  await Deno.copyFile(join(SAMPLE_IMAGES, "o01_cat.png"), join(dir, "c-cat.png"));
  await Deno.symlink(join(dir, "c-cat.png"), join(dir, "c-cat-link.png"));
  // 1.7 MB: over the 1 MB cap of this test.
  await Deno.copyFile(join(SAMPLE_IMAGES, "v21_forest_stream.jpg"), join(dir, "f-big.jpg"));
  await Deno.symlink("a-loop-2.jpg", join(dir, "a-loop-1.jpg"));
  await Deno.symlink("a-loop-1.jpg", join(dir, "a-loop-2.jpg"));
  await Deno.symlink(join(outside, "gone.jpg"), join(dir, "b-dangling.jpg"));
  await Deno.symlink(outside, join(dir, "d-dir-link.jpg"));
  await Deno.mkdir(join(dir, "d-folder.jpg"));
  for (const path of [join(dir, "e-fifo.jpg"), join(outside, "pipe")]) {
    const made = await new Deno.Command("mkfifo", { args: [path] }).output();
    assert.equal(made.code, 0, "mkfifo");
  }
  await Deno.symlink(join(outside, "pipe"), join(dir, "e-fifo-link.jpg"));
  await Deno.symlink("/dev/zero", join(dir, "g-zero-link.jpg"));
  await Deno.writeTextFile(join(dir, "notes.txt"), "not an image name: not listed");
  return dir;
}

Deno.test("loadImageSet() lists every bad entry with a typed error, and the runner records each as its own row while the good images run", async () => {
  const dir = await hostileFolder();
  const images = await loadImageSet(dir, { maxFileBytes: CAP });
  assert.deepEqual(images.map((image) => image.file), Object.keys(EXPECTED).sort());
  for (const image of images) {
    const expected = EXPECTED[image.file];
    assert.equal(image.error?.kind ?? "ok", expected, `${image.file}: ${image.error?.message}`);
    if (image.error) assert.ok(image.error.message.startsWith(`${image.file}: `), "names the file");
  }
  const byFile = new Map(images.map((image) => [image.file, image]));
  assert.match(byFile.get("a-loop-1.jpg")!.error!.message, /symlink loop/);
  assert.match(byFile.get("e-fifo.jpg")!.error!.message, /FIFO/);
  assert.match(byFile.get("g-zero-link.jpg")!.error!.message, /character device/);
  assert.match(byFile.get("d-dir-link.jpg")!.error!.message, /a directory/);
  assert.match(byFile.get("f-big.jpg")!.error!.message, /1720388 bytes, more than the 1000000/);

  const outDir = await Deno.makeTempDir();
  const result = await runCases({
    runId: "hostile-folder",
    outDir,
    targets: [{ preset: "local", adapter: createLocal(), concurrency: 2 }],
    images,
    variants: ["256"],
    prompts: [{ id: "p", text: "Describe." }],
  });
  const { records, problems } = await readRun(result.path);
  assert.deepEqual(problems, []);
  assert.equal(records.length, images.length, "one row per entry");
  for (const record of records) {
    const file = images.find((image) => image.id === record.imageId)!.file;
    assert.equal(record.error?.kind ?? record.status, EXPECTED[file], file);
  }
  // The notebooks show these entries too: a thumbnail of the FIFO must not block the table.
  const table = (await descriptionTable(records, { images })).html;
  // Two good images, and the one only over this test's cap (thumbnails read under the default).
  assert.equal(table.match(/<img /g)?.length, 3);
  assert.match(table, /image_not_file/);
});

Deno.test("prepareImage() re-checks the file: an entry swapped for a FIFO or grown past the cap since listing is refused, not read", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.copyFile(join(SAMPLE_IMAGES, "o04_pizza.jpg"), join(dir, "pizza.jpg"));
  await Deno.copyFile(join(SAMPLE_IMAGES, "o01_cat.png"), join(dir, "cat.png"));
  const [cat, pizza] = await loadImageSet(dir, { maxFileBytes: 100_000 });
  assert.equal(cat.error?.kind, "image_too_large");
  assert.equal(pizza.error, undefined);
  await Deno.remove(pizza.path);
  await new Deno.Command("mkfifo", { args: [pizza.path] }).output();
  await assert.rejects(
    prepareImage(pizza, { variant: "256", cacheDir: await Deno.makeTempDir() }),
    (error) => isVisionBenchError(error, "image_not_file"),
  );
  await assert.rejects(
    readImageFile(join(dir, "cat.png"), { label: "cat.png", maxBytes: 1000 }),
    (error) => isVisionBenchError(error, "image_too_large"),
  );
});

Deno.test("loadImageSet() says so when the folder has no images: a config error, not an empty run", async () => {
  const empty = await Deno.makeTempDir();
  await assert.rejects(
    loadImageSet(empty),
    (error) => isVisionBenchError(error, "config") && /^no images in /.test(error.message),
  );
  await Deno.writeTextFile(join(empty, "README.md"), "# photos go here");
  await assert.rejects(loadImageSet(empty), /no file there ends in an image extension \(\.jpg/);
});
