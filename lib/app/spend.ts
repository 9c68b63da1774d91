/**
 * The spend guard of a live run: the cases it will send, minus those already recorded in the run
 * or answered from the cache, priced before any call (lib/price/estimate.ts).
 *
 * @module
 */
import sharp from "sharp";
import type { Config } from "../platforms/config.ts";
import type { ResolvedPlatform } from "../platforms/resolve.ts";
import type { ImageEntry } from "../images/image-set.ts";
import { variantLongestSide } from "../images/variants.ts";
import { generateCases, type GenerationParams, type Prompt } from "../run/cases.ts";
import { type CacheMode, createResponseCache } from "../run/response-cache.ts";
import { okCaseKeys, readRuns, runPath } from "../run/run-store.ts";
import { estimateSpend, type PlannedCalls, type SpendEstimate } from "../price/estimate.ts";
import { runTarget } from "./targets.ts";

/** What {@link planSpend} needs: the run as `runBenchmark` is about to start it. */
export interface SpendPlanInput {
  platforms: ResolvedPlatform[];
  config: Config;
  images: ImageEntry[];
  variants: string[];
  prompts: Prompt[];
  repeat: number;
  params: GenerationParams;
  runId: string;
  outDir: string;
  cache: CacheMode;
  /** Batch mode: batch prices. */
  batch?: boolean;
}

/** The estimate of a live run (see lib/price/estimate.ts). */
export async function planSpend(input: SpendPlanInput): Promise<SpendEstimate> {
  const recorded = await okCaseKeys(runPath(input.outDir, input.runId));
  const cache = createResponseCache({ dir: `${input.outDir}/cache/responses` });
  const measured = await measuredUsdPerCall(input.outDir);
  const sizes = new Map<string, { width: number; height: number }>();
  const planned = new Map<string, PlannedCalls>();
  for (const platform of input.platforms) {
    const local = isLoopback(baseUrlOf(platform, input.config));
    const cases = generateCases({
      targets: [runTarget(platform)],
      images: input.images.filter((image) => !image.error),
      variants: input.variants,
      prompts: input.prompts,
      repeat: input.repeat,
      params: input.params,
    });
    for (const item of cases) {
      const size = await sizeOf(item.image, item.variant, sizes);
      if (!size) continue;
      const key = [item.variant, size.width, size.height, item.prompt.id].join("|");
      const group = `${platform.preset.id}|${platform.model}|${key}`;
      const entry = planned.get(group) ?? {
        preset: platform.preset.id,
        platform: platform.adapter.id,
        model: platform.model,
        priceCard: platform.priceCard,
        ...size,
        prompt: item.prompt.text,
        maxOutputTokens: input.params.maxOutputTokens,
        calls: 0,
        free: 0,
        // A measured live $/call says nothing about the batch price.
        measuredUsdPerCall: input.batch
          ? undefined
          : measured.get(`${platform.preset.id}|${platform.model}|${item.variant}`),
        local,
        batch: input.batch,
      };
      const free = recorded.has(item.key) ||
        (input.cache === "use" && await cache.get(item.key) !== undefined);
      if (free) entry.free++;
      else entry.calls++;
      planned.set(group, entry);
    }
  }
  return estimateSpend([...planned.values()]);
}

/** Mean recorded $ per real call by preset · model · size, over every run in the folder. */
async function measuredUsdPerCall(outDir: string): Promise<Map<string, number>> {
  const sums = new Map<string, { total: number; count: number }>();
  const { records } = await readRuns(outDir).catch(() => ({ records: [] }));
  for (const record of records) {
    if (record.status !== "ok" || record.cached || record.costUsd === undefined) continue;
    const key = `${record.preset}|${record.model}|${record.variant}`;
    const sum = sums.get(key) ?? { total: 0, count: 0 };
    sum.total += record.costUsd;
    sum.count++;
    sums.set(key, sum);
  }
  return new Map([...sums].map(([key, sum]) => [key, sum.total / sum.count]));
}

/** Width × height of an image as a variant sends it (upright; a variant never enlarges). */
async function sizeOf(
  image: ImageEntry,
  variant: string,
  sizes: Map<string, { width: number; height: number }>,
): Promise<{ width: number; height: number } | undefined> {
  let original = sizes.get(image.id);
  if (!original) {
    const meta = await sharp(image.path).metadata().catch(() => undefined);
    if (!meta?.width || !meta.height) return undefined;
    const turned = (meta.orientation ?? 1) >= 5;
    original = turned
      ? { width: meta.height, height: meta.width }
      : { width: meta.width, height: meta.height };
    sizes.set(image.id, original);
  }
  const longest = variantLongestSide(variant);
  const scale = longest === undefined
    ? 1
    : Math.min(1, longest / Math.max(original.width, original.height));
  return {
    width: Math.max(1, Math.round(original.width * scale)),
    height: Math.max(1, Math.round(original.height * scale)),
  };
}

/** The base URL a resolved platform calls (as resolve.ts chooses it). */
function baseUrlOf(platform: ResolvedPlatform, config: Config): string | undefined {
  const env = platform.preset.env;
  return (env.baseUrl && config.get(env.baseUrl)) || (env.host && config.get(env.host)) ||
    platform.preset.defaultBaseUrl;
}

/** A server on this machine: its calls cost nothing and are not capped. */
export function isLoopback(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const host = new URL(url.includes("://") ? url : `http://${url}`).hostname;
    return host === "localhost" || host === "[::1]" || /^127\./.test(host);
  } catch {
    return false;
  }
}
