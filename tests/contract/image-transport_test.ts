/**
 * jsonText: JSON.stringify of a request body, kept for the same body again (repeats).
 */
import assert from "node:assert/strict";
import { imageBase64, imageDataUrl, jsonText } from "../../lib/contract/image-transport.ts";
import { samplePayload } from "../support/sample-image.ts";

const image = await samplePayload("v01_orchestra_concert_hall.webp", "512");
const other = await samplePayload("o01_cat.png", "512");

Deno.test("jsonText() is JSON.stringify, whatever holds the images", () => {
  const url = imageDataUrl(image);
  const bodies: unknown[] = [
    { model: "m", messages: [{ content: [{ type: "image_url", image_url: { url } }] }] },
    // Two images, one as base64 (Anthropic, Gemini), text that JSON escapes, unicode.
    {
      prompt: 'Décris "tout" — 猫\n\t\\ ok',
      parts: [
        { inline: { data: imageBase64(other), mimeType: other.mimeType } },
        { url: imageDataUrl(other) },
        { url },
      ],
      stream: true,
    },
    [url, url],
    url,
    { model: "m", max_tokens: 300 },
  ];
  for (const body of bodies) {
    assert.equal(jsonText(body), JSON.stringify(body));
    assert.equal(jsonText(body), JSON.stringify(body), "asked again");
  }
});

Deno.test("jsonText() hands back the same text for a repeat, and a new one when anything differs", () => {
  const url = imageDataUrl(image);
  const first = jsonText({ prompt: "a", url });
  // The same body again (a new object, as each call builds it): the text kept.
  assert.equal(jsonText({ prompt: "a", url }), first);
  // A different image, prompt or setting: its own text.
  const otherUrl = imageDataUrl(other);
  assert.equal(
    jsonText({ prompt: "a", url: otherUrl }),
    JSON.stringify({ prompt: "a", url: otherUrl }),
  );
  assert.equal(jsonText({ prompt: "b", url }), JSON.stringify({ prompt: "b", url }));
  assert.equal(jsonText({ prompt: "a", url, n: 1 }), JSON.stringify({ prompt: "a", url, n: 1 }));
  // Images swapped between two places: not the kept text of the other order.
  const swapped = { a: otherUrl, b: url };
  jsonText({ a: url, b: otherUrl });
  assert.equal(jsonText(swapped), JSON.stringify(swapped));
});

Deno.test("jsonText() is not fooled by a caller's text that holds its marker", () => {
  const url = imageDataUrl(image);
  const marker = "\u0000vb-image\u0000";
  const one = { first: marker, second: url };
  const two = { first: url, second: marker };
  assert.equal(jsonText(one), JSON.stringify(one));
  assert.equal(jsonText(two), JSON.stringify(two));
  assert.equal(jsonText(one), JSON.stringify(one));
});
