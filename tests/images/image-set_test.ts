import assert from "node:assert/strict";
import sharp from "sharp";
import { isVisionBenchError } from "../../lib/contract/errors.ts";
import {
  type ImageEntry,
  loadImageSet,
  prepareImage,
  sha256Hex,
} from "../../lib/images/image-set.ts";
import { parseVariant, variantStats } from "../../lib/images/variants.ts";
import { repoPath } from "../../lib/util/paths.ts";

const IMAGES = repoPath("images");
const BAD = repoPath("tests/fixtures/bad-images");

async function entryFor(path: string): Promise<ImageEntry> {
  const bytes = await Deno.readFile(path);
  const file = path.split("/").at(-1)!;
  return {
    id: file.replace(/\.[^.]+$/, ""),
    file,
    path,
    sha256: sha256Hex(bytes),
    bytes: bytes.length,
  };
}

async function prepareFile(path: string, variant: string) {
  const cacheDir = await Deno.makeTempDir({ prefix: "vb-variants-" });
  try {
    return await prepareImage(await entryFor(path), { variant, cacheDir });
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
}

async function expectKind(path: string, kind: string) {
  for (const variant of ["original", "512"]) {
    await assert.rejects(prepareFile(path, variant), (error) => {
      assert.ok(isVisionBenchError(error, kind as never), `${path} ${variant}: ${error}`);
      assert.match(
        (error as Error).message,
        new RegExp(path.split("/").at(-1)!.replace(".", "\\.")),
      );
      return true;
    });
  }
}

async function rawInfo(bytes: Uint8Array) {
  const { info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return info;
}

// --- loadImageSet -----------------------------------------------------------------------------

Deno.test("loadImageSet() lists the 33 sample photos sorted by name with manifest and sha256", async () => {
  const images = await loadImageSet(IMAGES);
  assert.equal(images.length, 33);
  assert.deepEqual(images.map((image) => image.file), [...images.map((i) => i.file)].sort());
  assert.equal(images[0].id, "o01_cat");
  for (const image of images) {
    assert.equal(image.manifest?.sha256, image.sha256, image.file);
    assert.equal(image.warnings, undefined);
    assert.ok(image.manifest?.license, `${image.file} has a licence`);
  }
});

Deno.test("loadImageSet() takes the first N with limit and skips non-image files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/README.md`, "# hi");
    await Deno.writeTextFile(`${dir}/fetch.sh`, "echo");
    await Deno.writeTextFile(`${dir}/b.JPG`, "not really");
    await Deno.copyFile(`${IMAGES}/o01_cat.png`, `${dir}/a.png`);
    await Deno.writeFile(`${dir}/c.webp`, new Uint8Array());
    const all = await loadImageSet(dir);
    assert.deepEqual(all.map((image) => image.file), ["a.png", "b.JPG", "c.webp"]);
    assert.equal(all[2].bytes, 0);
    assert.equal(all[0].manifest, undefined);
    const two = await loadImageSet(dir, { limit: 2 });
    assert.deepEqual(two.map((image) => image.id), ["a", "b"]);
    await assert.rejects(
      loadImageSet(dir, { limit: -1 }),
      (error) => isVisionBenchError(error, "config"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadImageSet() warns on a manifest sha256 mismatch and rejects an invalid manifest", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile(`${IMAGES}/o01_cat.png`, `${dir}/cat.png`);
    await Deno.writeTextFile(
      `${dir}/manifest.json`,
      JSON.stringify({ images: [{ file: "cat.png", sha256: "0".repeat(64), license: "CC0-1.0" }] }),
    );
    const [cat] = await loadImageSet(dir);
    assert.equal(cat.manifest?.license, "CC0-1.0");
    assert.equal(cat.warnings?.length, 1);
    assert.match(cat.warnings![0], /cat\.png: sha256 .* differs from manifest\.json/);

    await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify({ images: [{ sha256: 3 }] }));
    await assert.rejects(loadImageSet(dir), (error) => {
      assert.ok(isVisionBenchError(error, "config"));
      assert.match((error as Error).message, /manifest\.json: images\.0\.file/);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseVariant() normalizes original and px values and rejects the rest", () => {
  assert.equal(parseVariant("original"), "original");
  assert.equal(parseVariant(" Original "), "original");
  assert.equal(parseVariant("0512"), "512");
  for (const bad of ["big", "0", "5.5", "-512", "99999", ""]) {
    assert.throws(() => parseVariant(bad), (error) => isVisionBenchError(error, "config"), bad);
  }
});

// --- bad images: typed errors ------------------------------------------------------------------

Deno.test("prepareImage() refuses the 839 MP bomb with image_too_large without decoding it", async () => {
  await expectKind(`${BAD}/decompression-bomb-839mp.png`, "image_too_large");
  // Only the bomb's first KiB (signature and IHDR, no pixel data): decoding would find the data
  // missing (image_corrupt); the answer is still image_too_large, so it came from the header.
  const dir = await Deno.makeTempDir({ prefix: "vb-bomb-" });
  try {
    const header = (await Deno.readFile(`${BAD}/decompression-bomb-839mp.png`)).subarray(0, 1024);
    await Deno.writeFile(`${dir}/bomb-header.png`, header);
    await expectKind(`${dir}/bomb-header.png`, "image_too_large");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prepareImage() gives image_unsupported for HEIC (no HEVC decoder in sharp)", async () => {
  await expectKind(`${BAD}/espresso.heic`, "image_unsupported");
});

Deno.test("prepareImage() gives image_empty, image_not_image and image_corrupt for generated files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/empty.jpg`, new Uint8Array());
    await Deno.writeTextFile(`${dir}/text.jpg`, "hello, I am a text file\n");
    const photo = await Deno.readFile(`${IMAGES}/v15_beach_jetty.jpg`);
    await Deno.writeFile(`${dir}/half.jpg`, photo.subarray(0, photo.length >> 1));
    const png = await Deno.readFile(`${IMAGES}/o01_cat.png`);
    await Deno.writeFile(`${dir}/half.png`, png.subarray(0, png.length >> 1));
    const webp = await Deno.readFile(`${IMAGES}/v01_orchestra_concert_hall.webp`);
    await Deno.writeFile(`${dir}/half.webp`, webp.subarray(0, webp.length >> 1));
    await expectKind(`${dir}/empty.jpg`, "image_empty");
    await expectKind(`${dir}/text.jpg`, "image_not_image");
    await expectKind(`${dir}/half.jpg`, "image_corrupt");
    await expectKind(`${dir}/half.png`, "image_corrupt");
    await expectKind(`${dir}/half.webp`, "image_corrupt");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// --- bad images: normalized ----------------------------------------------------------------------

Deno.test("prepareImage() applies EXIF orientation 6: width and height swap", async () => {
  const raw = await sharp(`${BAD}/exif-orientation-6.jpg`).metadata();
  assert.equal(raw.orientation, 6);
  for (const variant of ["original", "512"]) {
    const prepared = await prepareFile(`${BAD}/exif-orientation-6.jpg`, variant);
    assert.equal(prepared.payload.width, raw.height);
    assert.equal(prepared.payload.height, raw.width);
    const sent = await sharp(prepared.payload.bytes).metadata();
    assert.equal(sent.width, raw.height, "the pixels are rotated, not just the tag");
    assert.equal(sent.orientation ?? 1, 1);
  }
});

Deno.test("prepareImage() converts CMYK to 3-channel sRGB JPEG", async () => {
  const prepared = await prepareFile(`${BAD}/cmyk.jpeg`, "original");
  assert.equal(prepared.payload.mimeType, "image/jpeg");
  const sent = await sharp(prepared.payload.bytes).metadata();
  assert.equal(sent.space, "srgb");
  assert.equal(sent.channels, 3);
  assert.ok(prepared.normalizations.includes("cmyk → srgb"));
});

Deno.test("prepareImage() turns 16-bit PNG into 8-bit", async () => {
  for (const variant of ["original", "512"]) {
    const prepared = await prepareFile(`${BAD}/rgb-16bit.png`, variant);
    const sent = await sharp(prepared.payload.bytes).metadata();
    assert.equal(sent.depth, "uchar");
    assert.deepEqual([sent.width, sent.height], [32, 32]);
  }
});

Deno.test("prepareImage() sends the first frame of an animated GIF as a still JPEG", async () => {
  const source = await Deno.readFile(`${BAD}/animated.gif`);
  const frame0 = await sharp(source, { page: 0 }).metadata();
  assert.equal((await sharp(source).metadata()).pages, 24);
  const prepared = await prepareFile(`${BAD}/animated.gif`, "original");
  assert.equal(prepared.payload.mimeType, "image/jpeg");
  const sent = await sharp(prepared.payload.bytes).metadata();
  assert.equal(sent.pages ?? 1, 1);
  assert.deepEqual([sent.width, sent.height], [frame0.width, frame0.height]);
});

Deno.test("prepareImage() keeps real transparency: alpha WebP as-is for original, PNG when resized", async () => {
  const source = await Deno.readFile(`${BAD}/alpha.webp`);
  const original = await prepareFile(`${BAD}/alpha.webp`, "original");
  assert.deepEqual(original.payload.bytes, source);
  assert.equal(original.payload.mimeType, "image/webp");
  const resized = await prepareFile(`${BAD}/alpha.webp`, "256");
  assert.equal(resized.payload.mimeType, "image/png");
  assert.equal(Math.max(resized.payload.width, resized.payload.height), 256);
  const stats = await sharp(resized.payload.bytes).stats();
  assert.equal(stats.isOpaque, false);
});

Deno.test("prepareImage() decodes the progressive JPEG whose last scans are missing (Go's reference decodes it too)", async () => {
  // The file ends with EOI after fewer scans than a full progression: a valid, coarser image.
  const prepared = await prepareFile(`${BAD}/truncated-progressive.jpeg`, "512");
  assert.deepEqual([prepared.payload.width, prepared.payload.height], [150, 103]);
  const info = await rawInfo(prepared.payload.bytes);
  assert.equal(info.channels, 3);
});

// --- original vs resized -------------------------------------------------------------------------

Deno.test("prepareImage() sends original bytes untouched when already acceptable", async () => {
  for (const file of ["o01_cat.png", "o02_red_panda.webp", "v15_beach_jetty.jpg"]) {
    const source = await Deno.readFile(`${IMAGES}/${file}`);
    const prepared = await prepareFile(`${IMAGES}/${file}`, "original");
    assert.deepEqual(prepared.payload.bytes, source, file);
    assert.equal(prepared.bytes, source.length);
    assert.deepEqual(prepared.normalizations, []);
  }
  const sixteen = await prepareFile(`${IMAGES}/v19_salon_interior_16bit.png`, "original");
  assert.equal(sixteen.payload.mimeType, "image/jpeg");
  assert.deepEqual([sixteen.payload.width, sixteen.payload.height], [676, 449]);
});

Deno.test("prepareImage() resizes to longest side 512 exactly and never upscales", async () => {
  const wide = await prepareFile(`${IMAGES}/v21_forest_stream.jpg`, "512"); // 3088×2056
  assert.deepEqual([wide.payload.width, wide.payload.height], [512, 341]);
  const tall = await prepareFile(`${IMAGES}/v18_lounge_interior.jpg`, "512"); // 2560×3837
  assert.equal(tall.payload.height, 512);
  assert.equal((await sharp(tall.payload.bytes).metadata()).height, 512);
  assert.equal(tall.payload.mimeType, "image/jpeg");
  const small = await prepareFile(`${IMAGES}/o01_cat.png`, "512"); // 451×300
  assert.deepEqual([small.payload.width, small.payload.height], [451, 300]);
});

Deno.test("prepareImage() serves the second call from the variant cache without resizing again", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    const entry = await entryFor(`${IMAGES}/v21_forest_stream.jpg`);
    const before = variantStats();
    const first = await prepareImage(entry, { variant: "512", cacheDir });
    assert.equal(first.fromCache, false);
    const [cached] = [...Deno.readDirSync(cacheDir)].filter((item) => item.name.endsWith(".jpg"));
    const mtime = Deno.statSync(`${cacheDir}/${cached.name}`).mtime;
    const second = await prepareImage(entry, { variant: "512", cacheDir });
    assert.equal(second.fromCache, true);
    assert.deepEqual(second.payload, first.payload);
    const after = variantStats();
    assert.equal(after.encodes - before.encodes, 1, "one encode for two prepares");
    assert.equal(after.cacheHits - before.cacheHits, 1);
    assert.deepEqual(Deno.statSync(`${cacheDir}/${cached.name}`).mtime, mtime);
    const sidecar = JSON.parse(Deno.readTextFileSync(`${cacheDir}/${entry.sha256}-512.json`));
    assert.deepEqual([sidecar.width, sidecar.height, sidecar.mimeType], [512, 341, "image/jpeg"]);

    const original = await prepareImage(entry, { variant: "original", cacheDir });
    const again = await prepareImage(entry, { variant: "original", cacheDir });
    assert.deepEqual([original.fromCache, again.fromCache], [false, true]);
    assert.deepEqual(again.payload.bytes, await Deno.readFile(entry.path));
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("prepareImage() encodes once when the same image and variant are prepared in parallel", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    const entry = await entryFor(`${IMAGES}/o11_abstract_bands.jpg`);
    const before = variantStats().encodes;
    const results = await Promise.all(
      [1, 2, 3].map(() => prepareImage(entry, { variant: "512", cacheDir })),
    );
    assert.equal(variantStats().encodes - before, 1);
    assert.equal(new Set(results.map((result) => result.bytes)).size, 1);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("prepareImage() names the file in errors for a whole broken folder and never throws anything else", async () => {
  const entries = await loadImageSet(BAD);
  assert.equal(entries.length, 8, "README.md skipped, all 8 images listed");
  const cacheDir = await Deno.makeTempDir();
  try {
    const outcomes = await Promise.all(entries.map(async (entry) => {
      try {
        const prepared = await prepareImage(entry, { variant: "512", cacheDir });
        return `${entry.file}:${prepared.payload.mimeType}`;
      } catch (error) {
        assert.ok(isVisionBenchError(error), String(error));
        assert.ok((error as Error).message.startsWith(entry.file));
        return `${entry.file}:${(error as { kind: string }).kind}`;
      }
    }));
    assert.deepEqual(outcomes, [
      "alpha.webp:image/png",
      "animated.gif:image/jpeg",
      "cmyk.jpeg:image/jpeg",
      "decompression-bomb-839mp.png:image_too_large",
      "espresso.heic:image_unsupported",
      "exif-orientation-6.jpg:image/jpeg",
      "rgb-16bit.png:image/jpeg",
      "truncated-progressive.jpeg:image/jpeg",
    ]);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("prepareImage() trusts a listing only while the file keeps its size and modification time", async () => {
  const dir = await Deno.makeTempDir();
  const cacheDir = await Deno.makeTempDir();
  try {
    const photo = await Deno.readFile(`${IMAGES}/v21_forest_stream.jpg`);
    await Deno.writeFile(`${dir}/a.jpg`, photo);
    const [listed] = await loadImageSet(dir);
    assert.equal(typeof listed.mtimeMs, "number");
    const first = await prepareImage(listed, { variant: "512", cacheDir });
    assert.equal(first.sourceSha256, listed.sha256);

    // Another photo put in its place: a new size and time, so it is read and hashed again.
    const other = await Deno.readFile(`${IMAGES}/o04_pizza.jpg`);
    await Deno.writeFile(`${dir}/a.jpg`, other);
    const changed = await prepareImage(listed, { variant: "512", cacheDir });
    assert.notEqual(changed.sourceSha256, listed.sha256);
    assert.equal(changed.fromCache, false);

    // Sent as-is ("original"), the bytes are read even for an unchanged listing, and must be
    // the bytes the listing hashed.
    await Deno.writeFile(`${dir}/a.jpg`, photo);
    const [relisted] = await loadImageSet(dir);
    const original = await prepareImage(relisted, { variant: "original", cacheDir });
    const again = await prepareImage(relisted, { variant: "original", cacheDir });
    assert.deepEqual([original.fromCache, again.fromCache], [false, true]);
    assert.deepEqual(again.payload.bytes, photo);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(cacheDir, { recursive: true });
  }
});
