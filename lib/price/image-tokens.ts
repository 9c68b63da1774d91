/**
 * Pre-flight image-token estimates: how many input tokens a platform will count for one image of
 * a given size, by each platform's documented rule (facts collected 2026-11, see providers.md).
 * The platform's own usage report stays the truth; these numbers predict cost before a run and
 * let emulators bill images the way the real platform does. Every rule is a pure function.
 *
 * @module
 */
import { VisionBenchError } from "../contract/errors.ts";

/** Width and height in pixels of the image as sent. */
export interface ImageSize {
  width: number;
  height: number;
}

/** OpenAI `image_url.detail`. */
export type ImageDetail = "low" | "high" | "auto";

/** Base and per-tile token counts of an OpenAI model family. */
export interface OpenAITileRates {
  base: number;
  perTile: number;
}

/**
 * Tile rates of the GPT-4o family. gpt-4o-mini counts ~33× the tokens at 1/33 of the price
 * (its image costs in dollars were set to match gpt-4o's original $5 / 1M price).
 */
export const OPENAI_TILE_RATES: Readonly<Record<"gpt-4o" | "gpt-4o-mini", OpenAITileRates>> = {
  "gpt-4o": { base: 85, perTile: 170 },
  "gpt-4o-mini": { base: 2833, perTile: 5667 },
};

/** The tile rates of an OpenAI model, or `undefined` when the model has no documented rule here. */
export function openAITileRates(model: string): OpenAITileRates | undefined {
  if (model.includes("gpt-4o-mini")) return OPENAI_TILE_RATES["gpt-4o-mini"];
  if (model.includes("gpt-4o")) return OPENAI_TILE_RATES["gpt-4o"];
  return undefined;
}

/**
 * OpenAI GPT-4o family. Implemented exactly:
 * 1. `detail: "low"` → the base count, whatever the size.
 * 2. Otherwise (`"high"`, and `"auto"`, treated as high — the upper bound): scale down (never
 *    up) to fit in 2048×2048; then scale down so the shortest side is at most 768 px; each scaled
 *    side is rounded to the nearest pixel.
 * 3. tokens = base + perTile × ceil(width / 512) × ceil(height / 512).
 *
 * @example
 * ```ts
 * openAIImageTokens({ width: 1024, height: 1024, model: "gpt-4o-mini" }); // 2833 + 4 × 5667 = 25501
 * openAIImageTokens({ width: 1024, height: 1024, model: "gpt-4o-mini", detail: "low" }); // 2833
 * ```
 * @throws VisionBenchError (`usage`) for a bad size or a model outside the GPT-4o family.
 */
export function openAIImageTokens(
  input: ImageSize & { model?: string; detail?: ImageDetail },
): number {
  const { model = "gpt-4o-mini", detail = "auto" } = input;
  checkSize(input);
  const rates = openAITileRates(model);
  if (rates === undefined) {
    throw new VisionBenchError("usage", `no documented image-token rule for OpenAI model ${model}`);
  }
  if (detail === "low") return rates.base;
  let { width, height } = input;
  const fit = Math.min(1, 2048 / Math.max(width, height));
  width = Math.round(width * fit);
  height = Math.round(height * fit);
  const shrink = Math.min(1, 768 / Math.min(width, height));
  width = Math.round(width * shrink);
  height = Math.round(height * shrink);
  return rates.base + rates.perTile * Math.ceil(width / 512) * Math.ceil(height / 512);
}

/** Anthropic's long-edge limit before an image is scaled down. */
export const ANTHROPIC_MAX_LONG_EDGE = 1568;
/**
 * Anthropic's size limit in tokens (~1,600). As pixels: 1,600 × 750 = 1.2 MP. Anthropic rounds
 * this to "~1.15 megapixels"; 1.2 MP is used because Anthropic's own largest unresized square,
 * 1092×1092 (1.19 MP, ~1,590 tokens), must stay unresized.
 */
export const ANTHROPIC_MAX_TOKENS = 1600;
const ANTHROPIC_PIXELS_PER_TOKEN = 750;

/**
 * Anthropic Claude. Implemented exactly:
 * 1. scale = min(1, 1568 / long edge, √(1,200,000 / (width × height))) — down only, aspect kept;
 *    each scaled side is floored (at least 1 px).
 * 2. tokens = ceil(width × height / 750).
 *
 * @example
 * ```ts
 * anthropicImageTokens({ width: 1000, height: 1000 }); // ceil(1,000,000 / 750) = 1334
 * ```
 */
export function anthropicImageTokens(input: ImageSize): number {
  checkSize(input);
  const { width, height } = input;
  const maxPixels = ANTHROPIC_MAX_TOKENS * ANTHROPIC_PIXELS_PER_TOKEN;
  const scale = Math.min(
    1,
    ANTHROPIC_MAX_LONG_EDGE / Math.max(width, height),
    Math.sqrt(maxPixels / (width * height)),
  );
  const scaledWidth = Math.max(1, Math.floor(width * scale));
  const scaledHeight = Math.max(1, Math.floor(height * scale));
  return Math.ceil(scaledWidth * scaledHeight / ANTHROPIC_PIXELS_PER_TOKEN);
}

/** Tokens Gemini counts for a small image, and for each 768×768 tile of a larger one. */
export const GEMINI_TOKENS_PER_TILE = 258;

/**
 * Gemini (2.x API). Implemented exactly as providers.md states the documented rule:
 * - both sides ≤ 384 px → 258 tokens;
 * - otherwise tiles of 768×768: tokens = 258 × ceil(width / 768) × ceil(height / 768).
 * Google crops and scales into those tiles server-side and newer models take a
 * `media_resolution` setting, so the reported `promptTokensDetails` (IMAGE) may differ.
 *
 * @example
 * ```ts
 * geminiImageTokens({ width: 384, height: 384 });   // 258
 * geminiImageTokens({ width: 1024, height: 1024 }); // 2 × 2 tiles × 258 = 1032
 * ```
 */
export function geminiImageTokens(input: ImageSize): number {
  checkSize(input);
  const { width, height } = input;
  if (width <= 384 && height <= 384) return GEMINI_TOKENS_PER_TILE;
  return GEMINI_TOKENS_PER_TILE * Math.ceil(width / 768) * Math.ceil(height / 768);
}

/** Side in pixels of the patch Kimi (MoonViT) turns into one token. */
export const KIMI_PATCH_SIZE = 14;

/**
 * Kimi K2.5 / K2.6 (Baseten Model APIs, Moonshot). Implemented exactly:
 * tokens = floor(width / 14) × floor(height / 14), each factor at least 1.
 * Matches Baseten's table for 256² (324), 512² (1,296) and 1024² (5,329). Baseten lists
 * 1920×1080 as 10,234 where this rule gives 137 × 77 = 10,549: large images are evidently resized
 * by a rule Baseten does not document, so estimates for them are an upper bound.
 *
 * @example
 * ```ts
 * kimiImageTokens({ width: 1024, height: 1024 }); // 73 × 73 = 5329
 * ```
 */
export function kimiImageTokens(input: ImageSize): number {
  checkSize(input);
  return Math.max(1, Math.floor(input.width / KIMI_PATCH_SIZE)) *
    Math.max(1, Math.floor(input.height / KIMI_PATCH_SIZE));
}

/** Side of a Llama 3.2 Vision (Mllama) tile, px, and the tokens one tile becomes (40 × 40 + 1). */
export const MLLAMA_TILE_SIZE = 560;
export const MLLAMA_TOKENS_PER_TILE = 1601;

/**
 * Llama 3.2 Vision (Workers AI's `@cf/meta/llama-3.2-11b-vision-instruct`; Cloudflare publishes no
 * image rule, so this is the model's own processor, Hugging Face `MllamaImageProcessor`): the image
 * is fitted into the canvas of at most 4 tiles of 560 px that needs the least upscaling (or, when
 * every canvas needs downscaling, the least downscaling; ties: the smaller canvas);
 * tokens = tiles × 1,601.
 *
 * @example
 * mllamaImageTokens({ width: 512, height: 512 });   // 1 tile: 1601
 * mllamaImageTokens({ width: 1024, height: 1024 }); // 2 × 2 tiles: 6404
 */
export function mllamaImageTokens(input: ImageSize): number {
  checkSize(input);
  const canvases: { tiles: number; scale: number }[] = [];
  for (let rows = 1; rows <= 4; rows++) {
    for (let columns = 1; rows * columns <= 4; columns++) {
      const scale = Math.min(
        (rows * MLLAMA_TILE_SIZE) / input.height,
        (columns * MLLAMA_TILE_SIZE) / input.width,
      );
      canvases.push({ tiles: rows * columns, scale });
    }
  }
  const upscaling = canvases.filter((canvas) => canvas.scale >= 1).map((canvas) => canvas.scale);
  const chosen = upscaling.length > 0
    ? Math.min(...upscaling)
    : Math.max(...canvases.map((canvas) => canvas.scale));
  const tiles = Math.min(
    ...canvases.filter((canvas) => canvas.scale === chosen).map((canvas) => canvas.tiles),
  );
  return tiles * MLLAMA_TOKENS_PER_TILE;
}

/** Pixels per side of one Qwen3-VL image token (16-px patches merged 2 × 2). */
export const QWEN3_VL_TOKEN_SIDE = 32;
/** Qwen3-VL's default pixel budget per image (16,384 tokens of 32 × 32 px). */
export const QWEN3_VL_MAX_PIXELS = 16_384 * 32 * 32;

/**
 * Qwen3-VL (Ollama Cloud's `qwen3-vl:235b`), the model's own processor: each side rounded to a
 * multiple of 32 px (scaled down first when the image exceeds the pixel budget); tokens =
 * (width / 32) × (height / 32).
 *
 * @example
 * qwenVlImageTokens({ width: 1024, height: 1024 }); // 32 × 32 = 1024
 */
export function qwenVlImageTokens(input: ImageSize): number {
  checkSize(input);
  const side = QWEN3_VL_TOKEN_SIDE;
  const shrink = Math.min(1, Math.sqrt(QWEN3_VL_MAX_PIXELS / (input.width * input.height)));
  const columns = Math.max(1, Math.round((input.width * shrink) / side));
  const rows = Math.max(1, Math.round((input.height * shrink) / side));
  return columns * rows;
}

/**
 * Moondream 2 as Ollama serves it: one 378 × 378 crop of 27 × 27 patches whatever the size
 * (the image is resized to it), so `prompt_eval_count` = prompt + 729.
 */
export const MOONDREAM_IMAGE_TOKENS = 729;

/** What {@link estimateImageTokens} needs. */
export interface EstimateImageTokensInput extends ImageSize {
  /** Platform id of the preset (`openai`, `anthropic`, `gemini`, `baseten`, …). */
  platform: string;
  model: string;
  /** OpenAI detail level. @default "auto" (estimated as high) */
  detail?: ImageDetail;
}

/**
 * Estimates the image tokens a platform will count, choosing the rule from platform + model:
 * - `openai` + a gpt-4o / gpt-4o-mini model → {@link openAIImageTokens};
 * - `anthropic` + a claude model → {@link anthropicImageTokens};
 * - `gemini` + a gemini model → {@link geminiImageTokens};
 * - any platform + a Kimi model (`baseten` serves `moonshotai/Kimi-K2.x`) → {@link kimiImageTokens}.
 * Everything else (Cloudflare, Replicate, RunPod, Ollama, local, other OpenAI models) has no
 * documented rule: `undefined`, never a guess.
 *
 * @example
 * ```ts
 * estimateImageTokens({ platform: "openai", model: "gpt-4o-mini", width: 1024, height: 1024 }); // 25501
 * estimateImageTokens({ platform: "replicate", model: "lucataco/moondream2", width: 1024, height: 1024 }); // undefined
 * ```
 * @throws VisionBenchError (`usage`) when width or height is not a positive finite number.
 */
export function estimateImageTokens(input: EstimateImageTokensInput): number | undefined {
  checkSize(input);
  const { platform, width, height, detail } = input;
  const model = input.model.toLowerCase();
  if (model.includes("kimi")) return kimiImageTokens({ width, height });
  switch (platform) {
    case "openai":
      return openAITileRates(model) === undefined
        ? undefined
        : openAIImageTokens({ width, height, model, detail });
    case "anthropic":
      return model.includes("claude") ? anthropicImageTokens({ width, height }) : undefined;
    case "gemini":
      return model.includes("gemini") ? geminiImageTokens({ width, height }) : undefined;
    default:
      return undefined;
  }
}

function checkSize({ width, height }: ImageSize): void {
  if (!Number.isFinite(width) || width <= 0 || !Number.isFinite(height) || height <= 0) {
    throw new VisionBenchError("usage", `image size must be positive, got ${width}×${height}`);
  }
}
