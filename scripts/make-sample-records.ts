/**
 * Writes tests/fixtures/records-sample.jsonl: a deterministic, real-shaped run of result records
 * (five platforms with four billing shapes, original and 512 variants, cached rows, error rows of
 * several kinds, a broken image, usage not reported by one platform). Costs are computed from the
 * price card stored in each row, so they can be recomputed from the record alone.
 *
 * Run: `deno run -A scripts/make-sample-records.ts [out.jsonl]`
 *
 * @module
 */
import type { ErrorKind } from "../lib/contract/errors.ts";
import type { PriceCard } from "../lib/contract/price-card.ts";
import { type ResultRecord, ResultRecordSchema } from "../lib/contract/record.ts";
import type { LabelTerm } from "../lib/quality/labels.ts";

/** Price cards used by the sample (dated, sourced, like data/prices.json). */
export const SAMPLE_CARDS = {
  local: {
    id: "local/sharp-baseline",
    platform: "local",
    model: "sharp-baseline",
    currency: "USD",
    asOf: "2026-11-20",
    source: "no cost: runs on this machine",
    basis: "free",
  },
  openai: {
    id: "openai/gpt-4o-mini",
    platform: "openai",
    model: "gpt-4o-mini",
    currency: "USD",
    asOf: "2026-11-20",
    source: "https://openai.com/api/pricing",
    basis: "tokens",
    inputPerMTok: 0.15,
    outputPerMTok: 0.6,
    batchMultiplier: 0.5,
  },
  anthropic: {
    id: "anthropic/claude-haiku-4-5",
    platform: "anthropic",
    model: "claude-haiku-4-5",
    currency: "USD",
    asOf: "2026-11-20",
    source: "https://www.anthropic.com/pricing",
    basis: "tokens",
    inputPerMTok: 1,
    outputPerMTok: 5,
    batchMultiplier: 0.5,
  },
  replicate: {
    id: "replicate/moondream2",
    platform: "replicate",
    model: "moondream2",
    currency: "USD",
    asOf: "2026-11-20",
    source: "https://replicate.com/pricing",
    basis: "gpu_seconds",
    perGpuSecond: 0.000975,
    hardware: "nvidia-l40s",
  },
  "ollama-vps": {
    id: "ollama-vps/moondream",
    platform: "ollama-vps",
    model: "moondream",
    currency: "USD",
    asOf: "2026-11-20",
    source: "VPS invoice",
    basis: "hourly",
    perHour: 0.05,
    hardware: "4 vCPU",
  },
} satisfies Record<string, PriceCard>;

type Platform = keyof typeof SAMPLE_CARDS;

/** Images of the sample (real files from images/, plus one broken file). */
export const SAMPLE_IMAGES = [
  {
    id: "o01_cat",
    sha256: "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
    width: 451,
    height: 300,
    bytes: 240512,
  },
  {
    id: "o04_pizza",
    sha256: "2897692e5876d0ac7b82b7e2a5e2bc0d4060bc125af227702d6e09fc63edc84b",
    width: 800,
    height: 600,
    bytes: 69020,
  },
  {
    id: "v01_orchestra_concert_hall",
    sha256: "b4a6d85a40cefbd33cc6801ffcbb3ad7026d8d79be134c753b4f12b0b862cedf",
    width: 1024,
    height: 613,
    bytes: 84718,
  },
  {
    id: "v15_beach_jetty",
    sha256: "032d28ee4f3d885e9340ae430457fd59341e9fbf8ca45502d86ad14362ffb4a0",
    width: 2592,
    height: 1754,
    bytes: 1030555,
  },
  { id: "truncated-progressive", sha256: "0".repeat(64), width: 0, height: 0, bytes: 0 },
] as const;

const PROMPT = {
  id: "alt-text",
  text: "Describe this image in one or two sentences for alt text.",
};
const RUN_ID = "sample-2026-11-20";

/** A small deterministic pseudo-random stream (LCG) so the fixture never changes. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Returns a minimal valid record; `overrides` set the fields a test cares about. */
export function makeRecord(overrides: Partial<ResultRecord> = {}): ResultRecord {
  const base: ResultRecord = {
    runId: RUN_ID,
    recordId: crypto.randomUUID(),
    createdAt: "2026-11-20T10:00:00.000Z",
    caseKey: "case",
    platform: "openai",
    model: "gpt-4o-mini",
    preset: "openai",
    imageId: "o01_cat",
    imageSha256: SAMPLE_IMAGES[0].sha256,
    variant: "original",
    promptId: PROMPT.id,
    prompt: PROMPT.text,
    repeat: 0,
    status: "ok",
    text: "A cat.",
    attempts: 1,
    cached: false,
  };
  return { ...base, ...overrides };
}

function scaled(width: number, height: number, variant: string): { width: number; height: number } {
  if (variant === "original") return { width, height };
  const longest = Number(variant);
  const factor = Math.min(1, longest / Math.max(width, height));
  return { width: Math.round(width * factor), height: Math.round(height * factor) };
}

/** Input tokens the platform would report for an image of this size (plausible, not exact). */
function inputTokensFor(platform: Platform, width: number, height: number): number | undefined {
  const promptTokens = 22;
  if (platform === "openai") {
    const tiles = Math.ceil(Math.min(width, 2048) / 512) * Math.ceil(Math.min(height, 768) / 512);
    return 2833 + 5667 * tiles + promptTokens;
  }
  if (platform === "anthropic") {
    return Math.min(1600, Math.ceil((width * height) / 750)) + promptTokens;
  }
  if (platform === "ollama-vps") return 729 + promptTokens; // moondream: fixed 729 image tokens
  return undefined; // local reports none; replicate does not report usage
}

const BASE_LATENCY_MS: Record<Platform, number> = {
  local: 40,
  openai: 2400,
  anthropic: 1900,
  replicate: 3100,
  "ollama-vps": 14000,
};

const DESCRIPTIONS = [
  "A tabby cat looks at the camera.",
  "A pizza with tomato, basil and mozzarella on a wooden board.",
  "An orchestra performs in a concert hall with wooden panels.",
  "A wooden jetty runs into a calm sea under a pale sky.",
];

/** Rows that fail, by (platform, image index, variant, repeat). */
const PLATFORM_ERRORS: {
  platform: Platform;
  image: number;
  variant: string;
  repeat: number;
  kind: ErrorKind;
  status?: number;
}[] = [
  {
    platform: "anthropic",
    image: 1,
    variant: "original",
    repeat: 0,
    kind: "rate_limit",
    status: 429,
  },
  { platform: "anthropic", image: 2, variant: "512", repeat: 1, kind: "overloaded", status: 529 },
  { platform: "openai", image: 3, variant: "original", repeat: 1, kind: "timeout" },
  { platform: "replicate", image: 0, variant: "512", repeat: 0, kind: "rate_limit", status: 429 },
  { platform: "replicate", image: 3, variant: "original", repeat: 0, kind: "timeout" },
];

function cost(
  card: PriceCard,
  row: ResultRecord,
): Pick<ResultRecord, "costUsd" | "batchCostUsd" | "costBasis"> {
  switch (card.basis) {
    case "free":
      return { costUsd: 0, costBasis: "free" };
    case "tokens": {
      const usd = ((row.inputTokens ?? 0) * card.inputPerMTok +
        (row.outputTokens ?? 0) * card.outputPerMTok) / 1e6;
      return {
        costUsd: usd,
        costBasis: "tokens",
        batchCostUsd: card.batchMultiplier ? usd * card.batchMultiplier : undefined,
      };
    }
    case "gpu_seconds":
      return { costUsd: (row.gpuSeconds ?? 0) * card.perGpuSecond, costBasis: "gpu_seconds" };
    case "hourly":
      return {
        costUsd: (card.perHour / 3_600_000) * (row.latencyMs ?? 0) / (row.concurrency ?? 1),
        costBasis: "hourly",
      };
    default:
      throw new Error(`sample has no ${card.basis} card`);
  }
}

/** How a demo description is drawn (the emulators' answer profiles have this shape). */
export interface DemoProfile {
  random: () => number;
  /** Chance that each labelled thing is named. */
  recall: number;
  /** Chance of one labelled hallucination. */
  hallucinationRate: number;
  /** Sentences of filler. */
  verbosity: number;
}

const DEMO_FILLER = [
  "The composition draws the eye toward the centre of the frame.",
  "The lighting is even and the colours are natural.",
  "The overall mood of the scene is calm.",
  "Details at the edges of the frame are softer than the centre.",
  "The photograph appears to be taken at eye level.",
  "Textures are clearly visible across the surfaces.",
  "There is no text anywhere in the picture.",
  "It isn’t crowded, though a few objects sit near the edges.",
];

/**
 * A description shaped like the emulated demo's answers (emulators/profiles.ts): the labelled
 * things named with the profile's recall (a synonym now and then), sometimes a hallucination,
 * filler sentences, and a number that makes every text distinct (a real run's texts all differ).
 */
export function demoDescription(
  labels: { mustMention: LabelTerm[]; mustNotMention: LabelTerm[] } | undefined,
  profile: DemoProfile,
): string {
  const { random } = profile;
  const pickWord = (term: LabelTerm) =>
    term.synonyms.length > 0 && random() < 0.3
      ? term.synonyms[Math.floor(random() * term.synonyms.length)]
      : term.term;
  const named = (labels?.mustMention ?? []).filter(() => random() < profile.recall).map(pickWord);
  const sentences = [
    named.length === 0
      ? "The image shows a scene with several elements."
      : `The image shows ${
        named.length === 1
          ? named[0]
          : `${named.slice(0, -1).join(", ")} and ${named[named.length - 1]}`
      }.`,
  ];
  const wrong = labels?.mustNotMention ?? [];
  if (wrong.length > 0 && random() < profile.hallucinationRate) {
    const claim = pickWord(wrong[Math.floor(random() * wrong.length)]);
    sentences.push(random() < 0.3 ? `There are no ${claim}s here.` : `A ${claim} is also visible.`);
  }
  for (let index = 0; index < profile.verbosity; index++) {
    sentences.push(DEMO_FILLER[Math.floor(random() * DEMO_FILLER.length)]);
  }
  sentences.push(`About ${Math.floor(random() * 1e9)} pixels of it are in focus.`);
  return sentences.join(" ");
}

/** Builds the whole sample run. */
export function sampleRecords(): ResultRecord[] {
  const next = random(20261120);
  const records: ResultRecord[] = [];
  let minute = 0;
  for (const platform of Object.keys(SAMPLE_CARDS) as Platform[]) {
    const card: PriceCard = SAMPLE_CARDS[platform];
    SAMPLE_IMAGES.forEach((image, imageIndex) => {
      for (const variant of ["original", "512"]) {
        for (const repeat of [0, 1]) {
          const caseKey = `${platform}|${image.id}|${variant}|${PROMPT.id}|${repeat}`;
          const common = makeRecord({
            recordId: `r-${records.length.toString().padStart(3, "0")}`,
            createdAt: new Date(Date.UTC(2026, 10, 20, 10, minute++)).toISOString(),
            caseKey,
            platform,
            model: card.model,
            preset: platform,
            imageId: image.id,
            imageSha256: image.sha256,
            variant,
            repeat,
            maxOutputTokens: 300,
            temperature: 0,
            price: card,
            concurrency: platform === "ollama-vps" ? 1 : 4,
          });
          if (image.bytes === 0) {
            records.push({
              ...common,
              status: "error",
              text: "",
              error: {
                kind: "image_corrupt",
                message: "Input file is truncated: premature end of JPEG",
              },
            });
            continue;
          }
          const size = scaled(image.width, image.height, variant);
          const sent = {
            ...size,
            bytes: variant === "original" ? image.bytes : Math.round(image.bytes / 4),
            mimeType: "image/jpeg",
          };
          const failure = PLATFORM_ERRORS.find((e) =>
            e.platform === platform && e.image === imageIndex && e.variant === variant &&
            e.repeat === repeat
          );
          const pixels = size.width * size.height;
          const latencyMs = Math.round(
            BASE_LATENCY_MS[platform] * (1 + pixels / 4e6) * (0.85 + 0.3 * next()),
          );
          if (failure) {
            records.push({
              ...common,
              ...sent,
              status: "error",
              text: "",
              latencyMs: failure.kind === "timeout" ? 60000 : Math.round(latencyMs / 10),
              attempts: 3,
              error: {
                kind: failure.kind,
                status: failure.status,
                message: `${failure.kind} from ${platform}`,
              },
            });
            continue;
          }
          const outputTokens = platform === "local" || platform === "replicate"
            ? undefined
            : 18 + Math.round(20 * next());
          const row: ResultRecord = {
            ...common,
            ...sent,
            text: platform === "local"
              ? `${size.width}x${size.height}, mean brightness ${Math.round(100 + 50 * next())}`
              : DESCRIPTIONS[imageIndex],
            finishReason: "stop",
            latencyMs,
            ttftMs: platform === "local" ? undefined : Math.round(latencyMs * 0.6),
            inputTokens: inputTokensFor(platform, size.width, size.height),
            outputTokens,
            gpuSeconds: platform === "replicate" ? Math.round(latencyMs * 0.7) / 1000 : undefined,
            // Second-run cache hits keep the original latency; two per platform at most.
            cached: repeat === 1 && variant === "512" && imageIndex < 2 && platform !== "local",
          };
          records.push({ ...row, ...cost(card, row) });
        }
      }
    });
  }
  // A model that was made to answer with markup: the description table must show it as text.
  const hostile = records.find((r) =>
    r.platform === "anthropic" && r.status === "ok" && r.imageId === "o01_cat"
  );
  if (hostile) {
    hostile.text = `<script>alert(1)</script> <img src=x onerror=alert(2)> "cat" & 'dog'`;
  }
  return records.map((record) => ResultRecordSchema.parse(JSON.parse(JSON.stringify(record))));
}

if (import.meta.main) {
  const out = Deno.args[0] ??
    new URL("../tests/fixtures/records-sample.jsonl", import.meta.url).pathname;
  const lines = sampleRecords().map((record) => JSON.stringify(record)).join("\n") + "\n";
  await Deno.mkdir(new URL("../tests/fixtures/", import.meta.url), { recursive: true });
  await Deno.writeTextFile(out, lines);
  console.log(`wrote ${lines.split("\n").length - 1} records to ${out}`);
}
