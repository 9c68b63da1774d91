import assert from "node:assert/strict";
import sharp from "sharp";
import { z } from "zod";
import { createLocal, STRUCTURED_UNSUPPORTED } from "../../adapters/local.ts";
import { ADAPTER_FACTORIES } from "../../adapters/mod.ts";
import type { DescribeRequest, ImagePayload } from "../../lib/contract/adapter.ts";
import { loadImageSet, prepareImage } from "../../lib/images/image-set.ts";
import { repoPath } from "../../lib/util/paths.ts";

const IMAGES = repoPath("images");

async function payloadOf(file: string, variant = "512"): Promise<ImagePayload> {
  const [entry] = (await loadImageSet(IMAGES)).filter((image) => image.file === file);
  const cacheDir = await Deno.makeTempDir();
  try {
    return (await prepareImage(entry, { variant, cacheDir })).payload;
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
}

function request(image: ImagePayload, extra: Partial<DescribeRequest> = {}): DescribeRequest {
  return { image, prompt: "Describe the image.", maxOutputTokens: 300, stream: true, ...extra };
}

Deno.test("createLocal() is registered as local with model sharp-baseline and free billing", () => {
  const adapter = ADAPTER_FACTORIES.local({});
  assert.equal(adapter.id, "local");
  assert.equal(adapter.model, "sharp-baseline");
  assert.equal(adapter.billing, "free");
});

Deno.test("describe() says it is a baseline without a model and reports no usage", async () => {
  let firstTokens = 0;
  const description = await createLocal({}).describe(
    request(await payloadOf("o01_cat.png")),
    { onFirstToken: () => firstTokens++ },
  );
  assert.match(description.text, /^Baseline \(no vision model\): landscape image, 451×300, /);
  assert.equal(firstTokens, 1);
  assert.equal(description.finishReason, "stop");
  assert.deepEqual(description.usage, {});
  for (const value of Object.values(description.usage)) assert.equal(value, undefined);
  assert.equal(description.structured, undefined);
  assert.doesNotMatch(description.text, /\bcat\b/, "a measurement cannot know it is a cat");
});

Deno.test("describe() uses different words for a dark night stage and a bright beach", async () => {
  const local = createLocal({});
  const night = await local.describe(request(await payloadOf("v03_folk_band_stage.webp")));
  const beach = await local.describe(request(await payloadOf("v15_beach_jetty.jpg")));
  assert.match(night.text, /mostly black/);
  assert.match(night.text, /\bdark\b/);
  assert.match(beach.text, /light blue/);
  assert.match(beach.text, /\bbright\b/);
  assert.notEqual(night.text, beach.text);
});

Deno.test("describe() tells black-and-white, portrait, transparency and blur apart", async () => {
  const local = createLocal({});
  const scan = await local.describe(request(await payloadOf("o06_scanned_page.png")));
  assert.match(scan.text, /black-and-white/);
  const portrait = await local.describe(request(await payloadOf("v18_lounge_interior.jpg")));
  assert.match(portrait.text, /portrait image, 342×512/);
  assert.match(portrait.text, /, colour\.$/);

  const alphaBytes = await Deno.readFile(repoPath("tests/fixtures/bad-images/alpha.webp"));
  const alpha = await local.describe(
    request({ bytes: alphaBytes, mimeType: "image/webp", width: 400, height: 301 }),
  );
  assert.match(alpha.text, /with transparent areas/);

  const source = await Deno.readFile(`${IMAGES}/v21_forest_stream.jpg`);
  const crisp = await sharp(source).resize(512).jpeg().toBuffer();
  const blurred = await sharp(source).resize(512).blur(6).jpeg().toBuffer();
  const crispText = (await local.describe(
    request({ bytes: new Uint8Array(crisp), mimeType: "image/jpeg", width: 512, height: 341 }),
  )).text;
  const blurredText = (await local.describe(
    request({ bytes: new Uint8Array(blurred), mimeType: "image/jpeg", width: 512, height: 341 }),
  )).text;
  assert.match(crispText, /, sharp,/);
  assert.match(blurredText, /, soft,/);
});

Deno.test("describe() fills a schema only with measured facts, else warns", async () => {
  const local = createLocal({});
  const image = await payloadOf("v15_beach_jetty.jpg");
  const measured = await local.describe(request(image, {
    schema: {
      name: "facts",
      schema: z.object({
        orientation: z.string(),
        width: z.number(),
        colours: z.array(z.string()),
      }),
    },
  }));
  assert.deepEqual(measured.structured, {
    orientation: "landscape",
    width: 512,
    colours: (measured.structured as { colours: string[] }).colours,
  });
  assert.equal(measured.warnings, undefined);

  const invented = await local.describe(request(image, {
    schema: {
      name: "objects",
      schema: z.object({ objects: z.array(z.string()), mood: z.string() }),
    },
  }));
  assert.equal(invented.structured, undefined);
  assert.deepEqual(invented.warnings, [STRUCTURED_UNSUPPORTED]);
  assert.ok(invented.text.startsWith("Baseline (no vision model)"));
});

Deno.test("describe() stops when the signal is already aborted", async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    createLocal({}).describe(request(await payloadOf("o01_cat.png")), {
      signal: controller.signal,
    }),
    (error) => error instanceof DOMException && error.name === "AbortError",
  );
});

Deno.test("describe() maps unreadable bytes to bad_request for the local platform", async () => {
  await assert.rejects(
    createLocal({}).describe(
      request({
        bytes: new TextEncoder().encode("nope"),
        mimeType: "image/jpeg",
        width: 1,
        height: 1,
      }),
    ),
    (error) =>
      (error as { kind?: string; platform?: string }).kind === "bad_request" &&
      (error as { platform?: string }).platform === "local",
  );
});
