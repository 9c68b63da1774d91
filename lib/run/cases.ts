/**
 * Cases: targets × images × variants × prompts × repeats, each with a deterministic key. The key
 * identifies a case inside a run (resume) and across runs (response cache).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Adapter, StructuredSchema } from "../contract/adapter.ts";
import type { PriceCard } from "../contract/price-card.ts";
import { VisionBenchError } from "../contract/errors.ts";

/** One prompt; `id` names it in records and charts. */
export interface Prompt {
  id: string;
  text: string;
}

/** One platform to run: a preset's adapter with its price card and concurrency limit. */
export interface RunTarget {
  preset: string;
  adapter: Adapter;
  /** Absent when no card is known: records then carry `costError`. */
  priceCard?: PriceCard;
  /** Calls in flight at once on this platform. */
  concurrency: number;
  /** The platform is a local emulator: every record says `simulated: true`. */
  simulated?: boolean;
}

/** The image fields a case needs (a subset of `ImageEntry` from lib/images.ts). */
export interface CaseImage {
  id: string;
  sha256: string;
}

/** Generation parameters that change the answer, so they are part of the key. */
export interface GenerationParams {
  maxOutputTokens: number;
  temperature?: number;
  schema?: StructuredSchema;
  stream: boolean;
}

/** Everything that makes a case distinct. */
export interface CaseKeyParts extends GenerationParams {
  preset: string;
  platform: string;
  model: string;
  imageId: string;
  imageSha256: string;
  variant: string;
  promptId: string;
  prompt: string;
  repeat: number;
}

/**
 * sha256 of the parts that change an answer: the case key, which is also the response-cache key.
 * The repeat index is included, so within a run `repeat N` makes N calls; the run id is not, so
 * a later run asking for the same case (same repeat index too) is answered from the cache.
 *
 * @example
 * ```ts
 * caseKey({ preset: "local", platform: "local", model: "m", imageId: "cat", imageSha256: "ab",
 *   variant: "512", promptId: "p", prompt: "Describe", repeat: 0, maxOutputTokens: 300, stream: true });
 * ```
 */
export function caseKey(parts: CaseKeyParts): string {
  // A fixed field order (not JSON.stringify of the object) keeps keys stable across refactors.
  const material = JSON.stringify([
    "v1",
    parts.preset,
    parts.platform,
    parts.model,
    parts.imageId,
    parts.imageSha256,
    parts.variant,
    parts.promptId,
    parts.prompt,
    parts.repeat,
    parts.maxOutputTokens,
    parts.temperature ?? null,
    parts.schema?.name ?? null,
    parts.stream,
  ]);
  return createHash("sha256").update(material).digest("hex");
}

/** One unit of work for the runner. */
export interface Case<Image extends CaseImage = CaseImage> {
  key: string;
  target: RunTarget;
  image: Image;
  variant: string;
  prompt: Prompt;
  repeat: number;
}

/** Options of {@link generateCases}. */
export interface GenerateCasesOptions<Image extends CaseImage> {
  targets: RunTarget[];
  images: Image[];
  variants: string[];
  prompts: Prompt[];
  /** Repeats per combination. @default 1 */
  repeat?: number;
  params: GenerationParams;
}

/** How many cases {@link generateCases} yields, without generating them. */
export function countCases<Image extends CaseImage>(options: GenerateCasesOptions<Image>): number {
  return options.targets.length * options.images.length * options.variants.length *
    options.prompts.length * checkedRepeat(options.repeat);
}

/**
 * Every case, one at a time, ordered image → variant → prompt → repeat → target: the target
 * varies fastest so platforms interleave (progress and partial runs are fair to every platform)
 * and the cases that share one prepared image are next to each other. A generator, so a run of a
 * million cases starts at once and holds only the cases in flight.
 *
 * @example
 * ```ts
 * declare const options: Parameters<typeof generateCases>[0];
 * for (const item of generateCases(options)) console.log(item.key);
 * ```
 */
export function* generateCases<Image extends CaseImage>(
  options: GenerateCasesOptions<Image>,
): Generator<Case<Image>, void, undefined> {
  const repeat = checkedRepeat(options.repeat);
  for (const image of options.images) {
    for (const variant of options.variants) {
      for (const prompt of options.prompts) {
        for (let index = 0; index < repeat; index++) {
          for (const target of options.targets) {
            const key = caseKey({
              ...options.params,
              preset: target.preset,
              platform: target.adapter.id,
              model: target.adapter.model,
              imageId: image.id,
              imageSha256: image.sha256,
              variant,
              promptId: prompt.id,
              prompt: prompt.text,
              repeat: index,
            });
            yield { key, target, image, variant, prompt, repeat: index };
          }
        }
      }
    }
  }
}

function checkedRepeat(repeat: number | undefined): number {
  const value = repeat ?? 1;
  if (!Number.isInteger(value) || value < 1) {
    throw new VisionBenchError("config", `repeat must be an integer >= 1, got ${value}`);
  }
  return value;
}
