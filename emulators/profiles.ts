/**
 * Simulated answers for `report --emulated`: each emulated platform answers from a profile —
 * how many of the image's labelled things it names (data/labels.json), how often it names
 * something that is not there, how many words it spends — with a service time drawn around the
 * study's published average and fastest time for that platform. The emulator waits only a
 * compressed copy of that time (`scale`) but reports the modelled one (a response header the
 * records keep as their latency) and bills by it. Deterministic: the same
 * platform, image and size always give the same answer, so reports and tests are stable.
 *
 * These are made-up numbers that mimic the study's trade-offs; every record they produce is
 * marked `simulated` and the report says so.
 *
 * @module
 */
import sharp from "sharp";
import type { EmulatorBehaviour } from "./harness.ts";
import { loadImageSet } from "../lib/images/image-set.ts";
import { type LabelSet, type LabelTerm, loadLabels } from "../lib/quality/labels.ts";
import { loadReferenceFigures } from "../lib/analysis/reference-figures.ts";
import { seededRandom } from "../lib/analysis/robustness.ts";
import { DEFAULT_IMAGES_DIR } from "../lib/util/paths.ts";
import { imageBytes } from "./image-size.ts";

export { imageBytes };

/** How a simulated platform describes images. */
export interface AnswerProfile {
  /** Chance that each labelled thing is named (0–1). */
  recall: number;
  /** Chance that the answer names one thing that is not in the image (0–1). */
  hallucinationRate: number;
  /** Extra sentences of filler per answer. */
  verbosity: number;
}

/**
 * Per preset: small local models name little and invent more; hosted frontier models name most.
 * Chosen so the simulated report shows the study's shape (its winner at 6–7/10), not measured.
 */
export const ANSWER_PROFILES: Record<string, AnswerProfile> = {
  "ollama-local": { recall: 0.3, hallucinationRate: 0.35, verbosity: 1 },
  "ollama-vps": { recall: 0.3, hallucinationRate: 0.35, verbosity: 1 },
  replicate: { recall: 0.35, hallucinationRate: 0.3, verbosity: 1 },
  runpod: { recall: 0.35, hallucinationRate: 0.3, verbosity: 1 },
  cloudflare: { recall: 0.55, hallucinationRate: 0.2, verbosity: 2 },
  "ollama-cloud": { recall: 0.7, hallucinationRate: 0.1, verbosity: 4 },
  baseten: { recall: 0.75, hallucinationRate: 0.08, verbosity: 5 },
  openai: { recall: 0.78, hallucinationRate: 0.06, verbosity: 4 },
  anthropic: { recall: 0.8, hallucinationRate: 0.05, verbosity: 4 },
  gemini: { recall: 0.7, hallucinationRate: 0.08, verbosity: 2 },
};

const FILLER = [
  "The composition draws the eye toward the centre of the frame.",
  "The lighting is even and the colours are natural.",
  "The overall mood of the scene is calm.",
  "Details at the edges of the frame are softer than the centre.",
  "The photograph appears to be taken at eye level.",
  "Textures are clearly visible across the surfaces.",
];

/** Options of {@link simulatedAnswers}. */
export interface SimulatedAnswersOptions {
  /**
   * Wall-clock compression: each answer is modelled around the study's seconds (records carry
   * that modelled latency, and billing follows it) but the emulator waits only modelled × scale.
   * @default 0.005
   */
  scale?: number;
  /** Images the requests may carry (recognised by a perceptual hash). @default images/ */
  images?: string;
  /** @default data/labels.json */
  labels?: LabelSet;
}

type Answer = NonNullable<EmulatorBehaviour["answer"]>;

/**
 * One `answer` hook per preset that has a profile: pass each as that emulator's
 * `behaviour.answer` (see {@link startAllEmulators}).
 *
 * @example
 * ```ts
 * const behaviour = await simulatedAnswers({ scale: 0.005 });
 * startAllEmulators({ behaviour });
 * ```
 */
export async function simulatedAnswers(
  options: SimulatedAnswersOptions = {},
): Promise<Record<string, Partial<EmulatorBehaviour>>> {
  const { scale = 0.005 } = options;
  const labels = options.labels ?? await loadLabels();
  const images = await loadImageSet(options.images ?? DEFAULT_IMAGES_DIR);
  const bySha256 = new Map(images.map((image) => [image.sha256, image.id]));
  // Decoding every original takes seconds: started now, awaited only when a resized variant
  // (which no sha256 can match) arrives, by which time it is usually done.
  const known = Promise.all(
    images.map(async (image) => ({
      id: image.id,
      hash: await averageHash(image.path).catch(() => -1n),
    })),
  );
  known.catch(() => {});
  const recognise = memoize(async (bytes: Uint8Array) => {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
    const exact = bySha256.get(Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""));
    if (exact) return exact;
    const hash = await averageHash(bytes).catch(() => undefined);
    if (hash === undefined) return undefined;
    let best: { id: string; distance: number } | undefined;
    for (const image of await known) {
      const distance = hamming(hash, image.hash);
      if (!best || distance < best.distance) best = { id: image.id, distance };
    }
    // Beyond ~1/5 of the bits the image is not one of ours: answer without labels.
    return best && best.distance <= 12 ? best.id : undefined;
  });
  const figures = new Map((await loadReferenceFigures()).map((figure) => [figure.preset, figure]));
  const behaviour: Record<string, Partial<EmulatorBehaviour>> = {};
  const latencyModel =
    `study profile (seed article's average and fastest s/image), waits ×${scale}`;
  for (const [preset, profile] of Object.entries(ANSWER_PROFILES)) {
    const figure = figures.get(preset);
    const averageMs = (figure?.avgSeconds ?? 3) * 1000;
    const fastestMs = (figure?.fastestSeconds ?? (figure?.avgSeconds ?? 3) * 0.6) * 1000;
    const answer: Answer = async (request) => {
      const started = performance.now();
      const bytes = imageBytes(request.body);
      if (!bytes) return undefined;
      const imageId = await recognise(bytes);
      const random = seededRandom(hashString(`${preset}|${imageId ?? "?"}|${bytes.length}`));
      // Never under the fastest, the study's average as both mean and median: uniform on
      // [fastest, 2 × average − fastest].
      const modelledMs = Math.round(fastestMs + 2 * (averageMs - fastestMs) * random());
      const text = describe(imageId ? labels.get(imageId) : undefined, profile, random);
      // The wait is the modelled time compressed; recognising the image took time the client
      // already waited, so it counts toward the wait.
      const latencyMs = Math.max(0, modelledMs * scale - (performance.now() - started));
      return { text, latencyMs, modelledMs, latencyModel };
    };
    behaviour[preset] = { answer, latencyModel };
  }
  return behaviour;
}

function describe(
  labels: { mustMention: LabelTerm[]; mustNotMention: LabelTerm[] } | undefined,
  profile: AnswerProfile,
  random: () => number,
): string {
  const pickWord = (term: LabelTerm) =>
    term.synonyms.length > 0 && random() < 0.3
      ? term.synonyms[Math.floor(random() * term.synonyms.length)]
      : term.term;
  const named = (labels?.mustMention ?? []).filter(() => random() < profile.recall).map(pickWord);
  const sentences: string[] = [];
  if (named.length === 0) sentences.push("The image shows a scene with several elements.");
  else {
    const list = named.length === 1
      ? named[0]
      : `${named.slice(0, -1).join(", ")} and ${named[named.length - 1]}`;
    sentences.push(`The image shows ${list}.`);
  }
  const wrong = labels?.mustNotMention ?? [];
  if (wrong.length > 0 && random() < profile.hallucinationRate) {
    sentences.push(`A ${pickWord(wrong[Math.floor(random() * wrong.length)])} is also visible.`);
  }
  for (let index = 0; index < profile.verbosity; index++) {
    sentences.push(FILLER[Math.floor(random() * FILLER.length)]);
  }
  return sentences.join(" ");
}

/** 8×8 average hash: survives resizing and re-encoding, so a 512-px variant matches its original. */
async function averageHash(input: string | Uint8Array): Promise<bigint> {
  const pixels = await sharp(input, { limitInputPixels: 268_402_689 }).rotate()
    .resize(8, 8, { fit: "fill" }).greyscale().raw().toBuffer();
  const mean = pixels.reduce((sum, value) => sum + value, 0) / pixels.length;
  let hash = 0n;
  for (const value of pixels) hash = (hash << 1n) | (value > mean ? 1n : 0n);
  return hash;
}

function hamming(a: bigint, b: bigint): number {
  let bits = a ^ b;
  let count = 0;
  while (bits) {
    count += Number(bits & 1n);
    bits >>= 1n;
  }
  return count;
}

function hashString(text: string): number {
  let hash = 2166136261;
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 16777619);
  }
  return hash >>> 0;
}

/** Same bytes (every platform is sent the same variant): hash once. */
function memoize<T>(compute: (bytes: Uint8Array) => Promise<T>): (bytes: Uint8Array) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (bytes) => {
    const key = `${bytes.length}|${hashString(String.fromCharCode(...bytes.subarray(0, 4096)))}|${
      hashString(String.fromCharCode(...bytes.subarray(-4096)))
    }`;
    let value = cache.get(key);
    if (!value) cache.set(key, value = compute(bytes));
    return value;
  };
}
