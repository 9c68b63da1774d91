/**
 * The "model" of the local baseline: plain measurements of the pixels with sharp — size, shape,
 * named dominant colours, brightness, contrast, sharpness, greyscale, transparency — and the
 * words they map to. No vision model, no guessing what the image shows.
 *
 * @module
 */
import sharp from "sharp";

/** Longest side the pixels are measured at: enough for colour and sharpness, fast. */
const MEASURE_PX = 256;
/** Mean chroma (max − min channel, 0–255) under which a one-hue image reads as toned, not colour. */
const TONED_MAX_CHROMA = 30;

/** Colour names the baseline uses (a small, everyday palette). */
export const COLOUR_NAMES = [
  "black",
  "white",
  "grey",
  "red",
  "orange",
  "brown",
  "yellow",
  "green",
  "teal",
  "blue",
  "purple",
  "pink",
] as const;
export type ColourName = typeof COLOUR_NAMES[number];

/** Measured facts about one image. */
export interface ImageMeasurement {
  width: number;
  height: number;
  orientation: "landscape" | "portrait" | "square";
  /** Up to three colours covering at least 12% of the pixels each, largest first. */
  colours: { name: string; share: number }[];
  /** Mean luma 0–255 (Rec. 709). */
  brightness: number;
  brightnessWord: "dark" | "dim" | "moderately lit" | "bright";
  /** Standard deviation of luma, 0–255. */
  contrast: number;
  contrastWord: "low contrast" | "medium contrast" | "high contrast";
  /** Variance of the Laplacian of luma at {@link MEASURE_PX} px: high is crisp, low is soft. */
  sharpness: number;
  sharpnessWord: "sharp" | "soft";
  greyscale: boolean;
  /** One hue only (sepia, cyanotype): a toned monochrome print rather than a colour photo. */
  toned: boolean;
  /** Mean chroma (max − min channel), 0–255: how colourful the image is. */
  chroma: number;
  transparent: boolean;
}

/** Names one sRGB pixel (0–255 channels). Hue/saturation/lightness rules, tuned by eye. */
export function nameColour(red: number, green: number, blue: number): ColourName {
  const r = red / 255, g = green / 255, b = blue / 255;
  const max = Math.max(r, g, b), min = Math.min(r, g, b);
  const lightness = (max + min) / 2;
  const chroma = max - min;
  if (lightness < 0.12) return "black";
  if (chroma < 0.1) return lightness > 0.85 ? "white" : lightness < 0.2 ? "black" : "grey";
  const hue = hueOf(red, green, blue);
  if (hue < 15 || hue >= 340) return lightness > 0.7 ? "pink" : lightness < 0.3 ? "brown" : "red";
  if (hue < 45) return lightness < 0.45 ? "brown" : "orange";
  if (hue < 70) return lightness < 0.3 ? "brown" : "yellow";
  if (hue < 160) return "green";
  if (hue < 195) return "teal";
  if (hue < 255) return "blue";
  if (hue < 290) return "purple";
  return "pink";
}

/**
 * Measures an encoded image (JPEG/PNG/WebP/GIF bytes).
 *
 * @example
 * ```ts
 * const measurement = await measureImage(await Deno.readFile("images/o01_cat.png"));
 * console.log(measurement.orientation, measurement.colours[0].name);
 * ```
 */
export async function measureImage(bytes: Uint8Array): Promise<ImageMeasurement> {
  const metadata = await sharp(bytes).metadata();
  // autoOrient: the measured width/height are what a viewer sees.
  const oriented = (metadata.orientation ?? 1) >= 5;
  const width = (oriented ? metadata.height : metadata.width) ?? 0;
  const height = (oriented ? metadata.width : metadata.height) ?? 0;
  const stats = metadata.hasAlpha ? await sharp(bytes).stats() : undefined;
  const transparent = stats !== undefined && !stats.isOpaque;
  const small = await sharp(bytes)
    .rotate()
    .resize({ width: MEASURE_PX, height: MEASURE_PX, fit: "inside", withoutEnlargement: true })
    .flatten({ background: "#ffffff" })
    .toColourspace("srgb")
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { data, info } = small;
  const pixels = info.width * info.height;
  const channels = info.channels;
  const luma = new Float64Array(pixels);
  const counts = new Map<ColourName, { count: number; lightness: number }>();
  let lumaSum = 0;
  let colourful = 0;
  const hues = new Array<number>(12).fill(0);
  let chromaSum = 0;
  for (let index = 0; index < pixels; index++) {
    const r = data[index * channels],
      g = data[index * channels + 1],
      b = data[index * channels + 2];
    const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    luma[index] = y;
    lumaSum += y;
    chromaSum += Math.max(r, g, b) - Math.min(r, g, b);
    if (Math.max(r, g, b) - Math.min(r, g, b) > 24) {
      colourful++;
      hues[Math.floor(hueOf(r, g, b) / 30) % 12]++;
    }
    const name = nameColour(r, g, b);
    const bucket = counts.get(name) ?? { count: 0, lightness: 0 };
    bucket.count++;
    bucket.lightness += (Math.max(r, g, b) + Math.min(r, g, b)) / 510;
    counts.set(name, bucket);
  }
  const brightness = lumaSum / pixels;
  let squares = 0;
  for (const y of luma) squares += (y - brightness) ** 2;
  const contrast = Math.sqrt(squares / pixels);
  const sharpness = laplacianVariance(luma, info.width, info.height);
  const colours = [...counts.entries()]
    .map(([name, bucket]) => ({
      name: shade(name, bucket.lightness / bucket.count),
      share: bucket.count / pixels,
    }))
    .filter((colour) => colour.share >= 0.12)
    .sort((a, b) => b.share - a.share)
    .slice(0, 3);
  return {
    width,
    height,
    orientation: Math.abs(width / height - 1) < 0.05
      ? "square"
      : width > height
      ? "landscape"
      : "portrait",
    colours,
    brightness,
    brightnessWord: brightness < 60
      ? "dark"
      : brightness < 100
      ? "dim"
      : brightness < 160
      ? "moderately lit"
      : "bright",
    contrast,
    contrastWord: contrast < 35
      ? "low contrast"
      : contrast < 65
      ? "medium contrast"
      : "high contrast",
    sharpness,
    sharpnessWord: sharpness >= 300 ? "sharp" : "soft",
    // Under 2% of pixels with visible chroma: a greyscale photo, scan or screenshot.
    greyscale: colourful / pixels < 0.02,
    // One hue, weakly saturated (mean chroma under ~12%): sepia and other toned prints.
    toned: colourful / pixels >= 0.02 && chromaSum / pixels < TONED_MAX_CHROMA &&
      isToned(hues, colourful),
    chroma: chromaSum / pixels,
    transparent,
  };
}

/** Hue in degrees (0–360) of an sRGB pixel with some chroma. */
function hueOf(red: number, green: number, blue: number): number {
  const max = Math.max(red, green, blue), min = Math.min(red, green, blue);
  const chroma = max - min || 1;
  let hue: number;
  if (max === red) hue = ((green - blue) / chroma + 6) % 6;
  else if (max === green) hue = (blue - red) / chroma + 2;
  else hue = (red - green) / chroma + 4;
  return hue * 60;
}

/** 95% of the coloured pixels within two neighbouring 30° hue bins. */
function isToned(hues: number[], colourful: number): boolean {
  let best = 0;
  for (let bin = 0; bin < 12; bin++) best = Math.max(best, hues[bin] + hues[(bin + 1) % 12]);
  return best / colourful >= 0.95;
}

/** "dark blue" / "light green" for chromatic colours far from mid lightness. */
function shade(name: ColourName, lightness: number): string {
  if (name === "black" || name === "white" || name === "brown" || name === "pink") return name;
  if (lightness < 0.3) return `dark ${name}`;
  if (lightness > 0.72) return `light ${name}`;
  return name;
}

/** Variance of the 4-neighbour Laplacian: the usual blur measure (low = few sharp edges). */
function laplacianVariance(luma: Float64Array, width: number, height: number): number {
  if (width < 3 || height < 3) return 0;
  let sum = 0, squares = 0, count = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const index = y * width + x;
      const value = luma[index - 1] + luma[index + 1] + luma[index - width] +
        luma[index + width] - 4 * luma[index];
      sum += value;
      squares += value * value;
      count++;
    }
  }
  const mean = sum / count;
  return squares / count - mean * mean;
}
