/**
 * `local`: an honest offline baseline with no model. It measures the pixels it is sent with sharp
 * (see local-measure.ts) and returns keywords that say so — a floor for latency and cost that
 * any vision model has to beat on content.
 *
 * @module
 */
import type {
  Adapter,
  AdapterSettings,
  DescribeOptions,
  DescribeRequest,
  Description,
  FinishReason,
  Usage,
} from "../lib/contract/adapter.ts";
import { VisionBenchError } from "../lib/contract/errors.ts";
import { type ImageMeasurement, measureImage } from "./local-measure.ts";

// --- wire types: the measurement is this platform's "response" -------------------------------

/** What a structured-output schema may ask of the baseline: only measured facts. */
export interface LocalStructured {
  description: string;
  orientation: ImageMeasurement["orientation"];
  width: number;
  height: number;
  colours: string[];
  brightness: ImageMeasurement["brightnessWord"];
  contrast: ImageMeasurement["contrastWord"];
  sharpness: ImageMeasurement["sharpnessWord"];
  greyscale: boolean;
  transparent: boolean;
}

export const STRUCTURED_UNSUPPORTED = "structured output unsupported by the local baseline";

// --- build request: the sentence the measurement becomes -------------------------------------

/** Keywords for a measurement, prefixed so nobody mistakes them for a model's description. */
export function describeMeasurement(measurement: ImageMeasurement): string {
  const colours = measurement.colours.map((colour) => colour.name);
  const colourPhrase = colours.length === 0
    ? "mixed colours"
    : colours.length === 1
    ? `mostly ${colours[0]}`
    : `mostly ${colours.slice(0, -1).join(", ")} and ${colours.at(-1)}`;
  const tone = measurement.greyscale
    ? "black-and-white"
    : measurement.toned
    ? "toned monochrome"
    : "colour";
  const parts = [
    `${measurement.orientation} image`,
    `${measurement.width}×${measurement.height}`,
    colourPhrase,
    measurement.brightnessWord,
    measurement.contrastWord,
    measurement.sharpnessWord,
    tone,
  ];
  if (measurement.transparent) parts.push("with transparent areas");
  return `Baseline (no vision model): ${parts.join(", ")}.`;
}

function toStructured(measurement: ImageMeasurement, text: string): LocalStructured {
  return {
    description: text,
    orientation: measurement.orientation,
    width: measurement.width,
    height: measurement.height,
    colours: measurement.colours.map((colour) => colour.name),
    brightness: measurement.brightnessWord,
    contrast: measurement.contrastWord,
    sharpness: measurement.sharpnessWord,
    greyscale: measurement.greyscale,
    transparent: measurement.transparent,
  };
}

// --- call the "SDK": sharp ---------------------------------------------------------------------

async function measure(request: DescribeRequest, platform: string): Promise<ImageMeasurement> {
  try {
    return await measureImage(request.image.bytes);
  } catch (error) {
    throw new VisionBenchError(
      "bad_request",
      `the local baseline could not read the image (${request.image.mimeType})`,
      { platform, cause: error },
    );
  }
}

// --- finish reason and usage: there is no model, so no tokens ----------------------------------

const FINISH_REASON: FinishReason = "stop";

/** No tokens exist: every field stays undefined (never 0). */
function mapUsage(): Usage {
  return {};
}

// --- factory -------------------------------------------------------------------------------------

/**
 * Creates the offline baseline adapter (no key, no network, no model).
 *
 * @example
 * ```ts
 * const local = createLocal({});
 * const bytes = await Deno.readFile("images/o01_cat.png");
 * const image = { bytes, mimeType: "image/png" as const, width: 451, height: 300 };
 * const description = await local.describe({ image, prompt: "Describe the image.", maxOutputTokens: 300, stream: false });
 * console.log(description.text); // "Baseline (no vision model): landscape image, 451×300, …"
 * ```
 */
export function createLocal(settings: AdapterSettings = {}): Adapter {
  const platform = settings.platform ?? "local";
  const model = settings.model ?? "sharp-baseline";
  return {
    id: platform,
    model,
    capabilities: { streaming: false, structuredOutput: false, imageUrl: false, batch: false },
    billing: "free",
    async describe(request: DescribeRequest, options: DescribeOptions = {}): Promise<Description> {
      options.signal?.throwIfAborted();
      const measurement = await measure(request, platform);
      options.signal?.throwIfAborted();
      const text = describeMeasurement(measurement);
      options.onFirstToken?.();
      const description: Description = {
        text,
        finishReason: FINISH_REASON,
        rawFinishReason: "measured",
        usage: mapUsage(),
        responseModel: model,
      };
      if (request.schema) {
        // Only facts we measured can fill a schema; anything else would be invented.
        const parsed = request.schema.schema.safeParse(toStructured(measurement, text));
        if (parsed.success) description.structured = parsed.data;
        else description.warnings = [STRUCTURED_UNSUPPORTED];
      }
      return description;
    },
  };
}
