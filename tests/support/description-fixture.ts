/**
 * A generated benchmark for the description browser tests: 10 platforms × the sample images ×
 * original and 512 px, each description written from the image's labels so its recall is known
 * by construction — on every third image all platforms name the same things (no disagreement),
 * elsewhere platform i names a growing share; one platform claims a `mustNotMention` item on
 * every fourth image; one fails on every fifth; one description is markup (an XSS attempt).
 *
 * @module
 */
import { loadImageSet } from "../../lib/images/image-set.ts";
import type { ImageEntry } from "../../lib/images/image-set.ts";
import { type LabelSet, loadLabels } from "../../lib/quality/labels.ts";
import { type ResultRecord, ResultRecordSchema } from "../../lib/contract/record.ts";
import { repoPath } from "../../lib/util/paths.ts";

/** Platform · model pairs of the fixture (the presets' defaults). */
export const FIXTURE_PLATFORMS = [
  ["anthropic", "claude-haiku-4-5"],
  ["baseten", "moonshotai/Kimi-K2.6"],
  ["cloudflare", "@cf/meta/llama-3.2-11b-vision-instruct"],
  ["gemini", "gemini-2.5-flash-lite"],
  ["local", "sharp-baseline"],
  ["ollama-cloud", "qwen3-vl:235b"],
  ["ollama-vps", "moondream"],
  ["openai", "gpt-4o-mini"],
  ["replicate", "lucataco/moondream2"],
  ["runpod", "moondream"],
] as const;

/** The hostile description (platform 0, first image, original): must show as text. */
export const XSS_TEXT = `<img src=x onerror=alert(1)> A tabby cat, close-up.`;
/** Platform index that hallucinates on every fourth image. */
export const HALLUCINATING = 7;
/** Platform index that fails on every fifth image. */
export const FAILING = 9;

/** What {@link descriptionFixture} returns. */
export interface DescriptionFixture {
  records: ResultRecord[];
  images: ImageEntry[];
  labels: LabelSet;
}

const FILLER = [
  "The light is soft and even across the frame, and the colours look natural.",
  "Nothing else in the picture draws attention; the composition is simple and balanced.",
  "Details at the edges are slightly out of focus.",
];

/** Builds the records (valid against the record schema) for the first `limit` images. */
export async function descriptionFixture(limit?: number): Promise<DescriptionFixture> {
  const images = await loadImageSet(repoPath("images"), { limit });
  const labels = await loadLabels();
  const records: ResultRecord[] = [];
  images.forEach((image, imageIndex) => {
    const imageLabels = labels.get(image.id)!;
    const terms = imageLabels.mustMention.map((item) => item.term);
    FIXTURE_PLATFORMS.forEach(([platform, model], platformIndex) => {
      for (const variant of ["original", "512"]) {
        const share = imageIndex % 3 === 0 ? 0.5 : (platformIndex + 1) / FIXTURE_PLATFORMS.length;
        const named = terms.slice(0, Math.max(1, Math.round(terms.length * share)));
        const hallucinated = platformIndex === HALLUCINATING && imageIndex % 4 === 1
          ? ` Behind it stands a ${imageLabels.mustNotMention[0]?.term ?? "ghost"}.`
          : "";
        let text = `The photo shows ${named.join(", ")}.${hallucinated} ${
          FILLER.slice(0, 1 + (platformIndex % 3)).join(" ")
        }`;
        if (platformIndex === 0 && imageIndex === 0 && variant === "original") text = XSS_TEXT;
        const failed = platformIndex === FAILING && imageIndex % 5 === 0;
        records.push(ResultRecordSchema.parse({
          runId: "browser-fixture",
          recordId: `bf-${platformIndex}-${imageIndex}-${variant}`,
          createdAt: "2026-11-30T10:00:00.000Z",
          caseKey: `${platform}|${image.id}|${variant}|default|0`,
          platform,
          model,
          preset: platform,
          imageId: image.id,
          imageSha256: image.sha256,
          variant,
          promptId: "default",
          prompt: "Describe everything you see in this image in detail.",
          repeat: 0,
          status: failed ? "error" : "ok",
          text: failed ? "" : text,
          ...(failed
            ? { error: { kind: "rate_limit", status: 429, message: "rate limited (emulated)" } }
            : {
              latencyMs: 800 + 37 * platformIndex + imageIndex,
              costUsd: 0.0001 * platformIndex,
            }),
          attempts: 1,
          cached: false,
        }));
      }
    });
  });
  return { records, images, labels };
}
