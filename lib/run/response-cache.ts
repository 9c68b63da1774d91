/**
 * The response cache: ok answers on disk under `results/cache/responses/<key>.json`, keyed by the
 * case key (`caseKey()` in cases.ts). The repeat index is part of that key, so within one run each repeat
 * is a call of its own; a later run with the same cases (repeat indices included) is answered
 * from here — each row flagged `cached` — unless the cache mode is `refresh` or `bypass`.
 *
 * @module
 */
import { z } from "zod";
import { join } from "node:path";
import type { Description } from "../contract/adapter.ts";
import { VisionBenchError } from "../contract/errors.ts";

/**
 * How the runner uses the cache: `use` reads and writes, `refresh` writes only (calls again),
 * `bypass` neither reads nor writes (typed `--cache off` on the command line).
 */
export type CacheMode = "use" | "bypass" | "refresh";

/** What is stored for one ok answer. */
export interface CachedResponse {
  description: Description;
  latencyMs: number;
  ttftMs?: number;
  attempts: number;
  createdAt: string;
}

/** The cache file is an edge (written by another version, edited by hand): validate it. */
const CachedResponseSchema = z.object({
  description: z.object({
    text: z.string(),
    structured: z.unknown().optional(),
    finishReason: z.enum(["stop", "length", "content_filter", "tool", "error", "other"]),
    rawFinishReason: z.string().optional(),
    usage: z.object({
      inputTokens: z.number().optional(),
      outputTokens: z.number().optional(),
      imageTokens: z.number().optional(),
      reasoningTokens: z.number().optional(),
      cachedInputTokens: z.number().optional(),
      totalTokens: z.number().optional(),
    }),
    timing: z.object({
      gpuSeconds: z.number().optional(),
      queueMs: z.number().optional(),
      serverMs: z.number().optional(),
      loadMs: z.number().optional(),
      promptEvalMs: z.number().optional(),
      evalMs: z.number().optional(),
      coldStart: z.boolean().optional(),
    }).optional(),
    responseModel: z.string().optional(),
    warnings: z.array(z.string()).optional(),
    simulation: z.object({
      model: z.string(),
      modelledMs: z.number().nonnegative().optional(),
      modelledTtftMs: z.number().nonnegative().optional(),
    }).optional(),
  }),
  latencyMs: z.number().nonnegative(),
  ttftMs: z.number().nonnegative().optional(),
  attempts: z.number().int().nonnegative(),
  createdAt: z.string(),
});

/** A disk cache made by {@link createResponseCache}. */
export interface ResponseCache {
  readonly dir: string;
  /** The cached answer, or undefined (missing or unreadable entries are misses). */
  get(key: string): Promise<CachedResponse | undefined>;
  /** Stores an answer; written to a temp file then renamed so readers never see half a file. */
  set(key: string, value: CachedResponse): Promise<void>;
}

/** Options of {@link createResponseCache}. */
export interface ResponseCacheOptions {
  /** @default "results/cache/responses" */
  dir?: string;
}

/**
 * A response cache on disk.
 *
 * @example
 * ```ts
 * const cache = createResponseCache({ dir: "results/cache/responses" });
 * declare const key: string;
 * const hit = await cache.get(key); // undefined on a miss
 * console.log(hit);
 * ```
 */
export function createResponseCache(options: ResponseCacheOptions = {}): ResponseCache {
  const dir = options.dir ?? "results/cache/responses";
  let made = false;
  const fileOf = (key: string) => {
    if (!/^[a-f0-9]{16,128}$/.test(key)) {
      throw new VisionBenchError("usage", `not a cache key: ${key}`);
    }
    return join(dir, `${key}.json`);
  };
  return {
    dir,
    async get(key) {
      let text: string;
      try {
        text = await Deno.readTextFile(fileOf(key));
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return undefined;
        throw error;
      }
      try {
        return CachedResponseSchema.parse(JSON.parse(text)) as CachedResponse;
      } catch {
        return undefined;
      }
    },
    async set(key, value) {
      if (!made) {
        await Deno.mkdir(dir, { recursive: true });
        made = true;
      }
      const path = fileOf(key);
      const temporary = `${path}.${crypto.randomUUID()}.tmp`;
      try {
        await Deno.writeTextFile(temporary, JSON.stringify(value));
        await Deno.rename(temporary, path);
      } catch (error) {
        // A full disk leaves no half-written temporary file behind.
        await Deno.remove(temporary).catch(() => {});
        throw error;
      }
    },
  };
}
