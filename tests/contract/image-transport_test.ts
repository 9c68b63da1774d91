import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { imageBase64, imageDataUrl } from "../../lib/contract/image-transport.ts";
import { samplePayload } from "../support/sample-image.ts";

const image = await samplePayload("o01_cat.png", "512");

Deno.test("imageBase64() and imageDataUrl() encode the bytes, once per buffer", () => {
  const base64 = Buffer.from(image.bytes).toString("base64");
  assert.equal(imageBase64(image), base64);
  assert.equal(imageDataUrl(image), `data:${image.mimeType};base64,${base64}`);
  assert.equal(imageDataUrl(image), imageDataUrl(image));
  // The same bytes labelled another type get their own URL.
  assert.equal(
    imageDataUrl({ ...image, mimeType: "image/webp" }),
    `data:image/webp;base64,${base64}`,
  );
});
