/**
 * The adapter contract: the only thing a platform file implements. An adapter translates one
 * {@link DescribeRequest} into its platform's wire format through the official SDK and maps the
 * answer back into a {@link Description}. It never retries, caches, logs, times or reads env —
 * `lib/` does all of that once.
 *
 * @module
 */
import type { z } from "zod";
import type { CostBasis } from "./price-card.ts";
import type { Simulation } from "./simulation.ts";

/** MIME types every platform accepts; images are normalized to one of these before sending. */
export type ImageMimeType = "image/jpeg" | "image/png" | "image/webp" | "image/gif";

/** The image as it is sent: already validated, oriented and resized by `lib/images`. */
export interface ImagePayload {
  bytes: Uint8Array;
  mimeType: ImageMimeType;
  /** Pixel size of `bytes` (after orientation and resize). */
  width: number;
  height: number;
}

/** A structured-output request: the same zod schema goes to every platform's own mechanism. */
export interface StructuredSchema {
  /** Short identifier, `[a-zA-Z0-9_-]`, used as tool / json_schema name. */
  name: string;
  description?: string;
  schema: z.ZodType;
}

/** What the runner asks an adapter to do for one case. */
export interface DescribeRequest {
  image: ImagePayload;
  prompt: string;
  /** @default 300 (set by the runner) */
  maxOutputTokens: number;
  /** Omitted means the platform default. */
  temperature?: number;
  /** Ask for structured output validated by this schema. */
  schema?: StructuredSchema;
  /** Stream the answer so the runner can measure time to first token. */
  stream: boolean;
}

/** Per-call options. */
export interface DescribeOptions {
  /** Aborts the call (timeout or Ctrl-C). Adapters pass it to the SDK. */
  signal?: AbortSignal;
  /** Called once, when the first text (or tool-input) delta arrives. The runner timestamps it. */
  onFirstToken?: () => void;
}

/** Finish reasons normalized across platforms; the platform's own value is kept as `rawFinishReason`. */
export type FinishReason = "stop" | "length" | "content_filter" | "tool" | "error" | "other";

/** Token usage as reported by the platform. A field the platform did not report is `undefined`, never 0. */
export interface Usage {
  /** Every input token billed, image tokens included. */
  inputTokens?: number;
  /** Answer tokens, NOT counting `reasoningTokens` (pricing bills the two as output together). */
  outputTokens?: number;
  /** Image tokens when the platform reports them separately. */
  imageTokens?: number;
  /** Reasoning/"thoughts" tokens billed as output, when reported. */
  reasoningTokens?: number;
  cachedInputTokens?: number;
  totalTokens?: number;
}

/** Timing the platform itself reports (server side); the runner measures wall-clock latency. */
export interface PlatformTiming {
  /** Billed compute seconds (Replicate predict_time, RunPod executionTime). */
  gpuSeconds?: number;
  /** Time waiting in a queue / for a worker (RunPod delayTime). */
  queueMs?: number;
  /** Total server-side time (Replicate total_time, Ollama total_duration). */
  serverMs?: number;
  /** Ollama: model load, prompt evaluation, generation. */
  loadMs?: number;
  promptEvalMs?: number;
  evalMs?: number;
  /** True when the platform shows the model had to be loaded / a worker started. */
  coldStart?: boolean;
}

/** What an adapter returns. */
export interface Description {
  text: string;
  /** The parsed, schema-validated object when a schema was asked. */
  structured?: unknown;
  finishReason: FinishReason;
  rawFinishReason?: string;
  usage: Usage;
  timing?: PlatformTiming;
  /** Model id the platform says it used, when it says. */
  responseModel?: string;
  /** Non-fatal notes, e.g. "structured output unsupported on this platform". */
  warnings?: string[];
  /**
   * Set when the answer came from an emulator (its response headers said so, see
   * `simulationOf`): the record is then `simulated` and carries the modelled latency.
   */
  simulation?: Simulation;
}

/** What a platform can do. */
export interface AdapterCapabilities {
  streaming: boolean;
  structuredOutput: boolean;
  imageUrl: boolean;
  batch: boolean;
}

/** A platform adapter, made by a `createX(settings)` factory. */
export interface Adapter {
  /** Platform id, e.g. `openai`. */
  readonly id: string;
  readonly model: string;
  readonly capabilities: AdapterCapabilities;
  /** The billing shape this platform reports usage for. */
  readonly billing: CostBasis;
  describe(request: DescribeRequest, options?: DescribeOptions): Promise<Description>;
}

/** Settings every factory accepts; platform factories add their own fields. */
export interface AdapterSettings {
  /** Platform id the adapter reports (one adapter serves several presets, e.g. ollama-vps). */
  platform?: string;
  model?: string;
  apiKey?: string;
  /** Points the official SDK at another host (an emulator in tests). */
  baseUrl?: string;
  /** Custom fetch, passed to the SDK. */
  fetch?: typeof fetch;
}

/** A factory that makes an adapter from settings (platform-specific settings are extra fields). */
// deno-lint-ignore no-explicit-any
export type AdapterFactory = (settings: AdapterSettings & Record<string, any>) => Adapter;

/** Options a {@link ModelProbe} is called with. */
export interface ModelProbeOptions {
  /** Base URL of the host to ask. */
  host: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/**
 * Lists the vision models a keyless host serves (e.g. a local Ollama), so discovery can offer it
 * only when it answers. Adapters provide probes; the registry (adapters/registry.ts) hands them to
 * discovery, which never imports an adapter.
 */
export type ModelProbe = (options: ModelProbeOptions) => Promise<string[]>;
