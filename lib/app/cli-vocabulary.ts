/**
 * The one command-line vocabulary of `bench` and `report`: the same flag names, the same bounds
 * and the same error messages for platforms, images, limit, resize, run id, repeat and cache
 * mode. An old spelling is an unknown flag.
 *
 * @module
 */
import { VisionBenchError } from "../contract/errors.ts";
import type { CacheMode } from "../run/response-cache.ts";
import { parsePositiveInteger } from "../util/parse-values.ts";

/**
 * Upper bounds of the numeric flags. Each is far above any real use; past them a typo (`1e9`)
 * would run for days, or (timeout) overflow the timer and time out every call at once.
 */
export const FLAG_BOUNDS = {
  /** Images per run. */
  limit: 1_000_000,
  /** Real calls per case: 10⁶ × one image is already a million calls. */
  repeat: 1_000_000,
  /** Calls in flight per platform; beyond this the machine, not the platform, is measured. */
  concurrency: 1_024,
  /** Seconds: setTimeout holds at most 2³¹−1 ms (24.8 days); longer delays fire at once. */
  timeoutSeconds: Math.floor((2 ** 31 - 1) / 1000),
} as const;

/** The cache modes a user types: `off` is the runner's `bypass`. */
export const CACHE_FLAG_VALUES = ["use", "refresh", "off"] as const;

/** `parseArgs` options shared by `bench` and `report`. */
export const COMMON_FLAG_OPTIONS = {
  platform: { type: "string", short: "p", multiple: true },
  images: { type: "string" },
  limit: { type: "string" },
  resize: { type: "string" },
  repeat: { type: "string" },
  "run-id": { type: "string" },
  out: { type: "string" },
  cache: { type: "string" },
} as const;

/** Help lines for the shared flags, identical in both commands. */
export const COMMON_FLAG_HELP =
  `  --platform, -p ID[:MODEL]  platform preset (repeatable or comma-separated); default: every
                             platform whose keys are set, plus the offline "local" baseline
  --images DIR               folder of images (default: images/)
  --limit N                  only the first N images (at most ${FLAG_BOUNDS.limit})
  --resize LIST              variants: original and/or longest side in px (default: original,512)
  --repeat N                 calls per case, each repeat index its own case (at most ${FLAG_BOUNDS.repeat})
  --run-id ID                run id; re-using one resumes it (cases already ok are skipped)
  --out DIR                  results folder (default: results/)
  --cache use|refresh|off    response cache: use (default) answers a case recorded by an earlier
                             run from the cache (row flagged cached, latency left out of
                             statistics); refresh calls again and overwrites; off neither reads
                             nor writes`;

/** The shared flags as read by {@link readCommonFlags}. */
export interface CommonFlags {
  platforms?: string[];
  images?: string;
  limit?: number;
  resize?: string[];
  repeat?: number;
  runId?: string;
  out?: string;
  cache?: CacheMode;
  /** What was changed on the way (duplicates dropped), for the CLI to say. */
  notes: string[];
}

/** Raw `parseArgs` values of {@link COMMON_FLAG_OPTIONS}. */
export interface CommonFlagValues {
  platform?: string[];
  images?: string;
  limit?: string;
  resize?: string;
  repeat?: string;
  "run-id"?: string;
  out?: string;
  cache?: string;
}

/** A comma list, trimmed, empty items dropped. */
export function commaList(values: string | readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const items = (typeof values === "string" ? [values] : values)
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter(Boolean);
  return items;
}

/**
 * `items` with each value once (a repeated value would run, and pay for, the same cases twice),
 * noting what was dropped.
 *
 * @example
 * ```ts
 * const notes: string[] = [];
 * withoutRepeats(["16", "16", "512"], "--resize", notes); // ["16", "512"]; notes: ["--resize: 16 …"]
 * ```
 */
export function withoutRepeats(
  items: string[] | undefined,
  flag: string,
  notes: string[],
): string[] | undefined {
  if (!items) return items;
  const unique = [...new Set(items)];
  const repeated = [...new Set(items.filter((item, index) => items.indexOf(item) !== index))];
  if (repeated.length > 0) {
    notes.push(`${flag}: ${repeated.join(", ")} given more than once; each runs once`);
  }
  return unique;
}

/**
 * A cache mode as typed (`use`, `refresh`, `off`).
 *
 * @example
 * ```ts
 * parseCacheMode("off", "--cache"); // "bypass" (the runner's name)
 * ```
 */
export function parseCacheMode(value: string, name: string): CacheMode {
  if (value === "use" || value === "refresh") return value;
  if (value === "off") return "bypass";
  throw new VisionBenchError(
    "config",
    `${name} must be ${CACHE_FLAG_VALUES.join(", ")}, got "${value}"`,
  );
}

/** The word a user types for a runner cache mode (inverse of {@link parseCacheMode}). */
export function cacheFlagValue(mode: CacheMode): (typeof CACHE_FLAG_VALUES)[number] {
  return mode === "bypass" ? "off" : mode;
}

/**
 * Reads the shared flags, bounded.
 *
 * @example
 * ```ts
 * readCommonFlags({ platform: ["openai,gemini"], cache: "off" });
 * // { platforms: ["openai", "gemini"], cache: "bypass" }
 * ```
 */
export function readCommonFlags(values: CommonFlagValues): CommonFlags {
  const notes: string[] = [];
  const platforms = withoutRepeats(commaList(values.platform), "--platform", notes);
  return {
    notes,
    platforms: platforms?.length ? platforms : undefined,
    images: values.images,
    limit: parsePositiveInteger(values.limit, "--limit", { max: FLAG_BOUNDS.limit }),
    resize: withoutRepeats(commaList(values.resize), "--resize", notes),
    repeat: parsePositiveInteger(values.repeat, "--repeat", { max: FLAG_BOUNDS.repeat }),
    runId: values["run-id"],
    out: values.out,
    cache: values.cache === undefined ? undefined : parseCacheMode(values.cache, "--cache"),
  };
}
