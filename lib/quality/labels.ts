/**
 * Reference labels (data/labels.json): for each sample image, what a good description names
 * (`mustMention`), what it must not claim (`mustNotMention`), whether the place could host an
 * event, the kind of scene, and any readable text. Labels are an edge (hand-written JSON), so
 * they are validated with zod here and trusted everywhere else.
 *
 * @module
 */
import { z } from "zod";
import { VisionBenchError } from "../contract/errors.ts";

/** The default labels file, next to the code (works whatever the working directory). */
export const DEFAULT_LABELS_PATH: URL = new URL("../../data/labels.json", import.meta.url);

const phrase = z.string().trim().min(1).max(80);

/** One thing to look for: a term and the other words that count as naming it. */
export const LabelTermSchema = z.object({
  term: phrase,
  /** Other words or phrases that count as naming the term (plurals are matched anyway). */
  synonyms: z.array(phrase).default([]),
}).strict();

/** One labelled image. */
export const ImageLabelsSchema = z.object({
  /** Kind of scene, e.g. "concert hall", "animal close-up", "screenshot". */
  scene: phrase,
  /** Could this place host an event (the study's outlier question)? */
  isEventVenue: z.boolean(),
  /** Things a good description names: 4 to 10. */
  mustMention: z.array(LabelTermSchema).min(4).max(10),
  /** Plausible hallucinations: things NOT in the image. */
  mustNotMention: z.array(LabelTermSchema).default([]),
  /** Text readable in the image, where any. */
  visibleText: z.array(z.string().min(1)).optional(),
  /** Why a label is the way it is (ambiguous cases). */
  note: z.string().optional(),
}).strict().superRefine((labels, context) => {
  const terms = labels.mustMention.map((item) => item.term.toLowerCase());
  const duplicate = terms.find((term, index) => terms.indexOf(term) !== index);
  if (duplicate) {
    context.addIssue({ code: "custom", message: `mustMention lists "${duplicate}" twice` });
  }
});

/** The labels file. */
export const LabelsFileSchema = z.object({
  about: z.string().optional(),
  version: z.literal(1),
  /** Keyed by image id (file stem, e.g. "v01_orchestra_concert_hall"). */
  images: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/), ImageLabelsSchema),
}).strict();

/** One term of {@link ImageLabels}. */
export type LabelTerm = z.infer<typeof LabelTermSchema>;
/** The labels of one image. */
export type ImageLabels = z.infer<typeof ImageLabelsSchema>;
/** imageId → labels. An image without an entry has no labels (its quality columns are null). */
export type LabelSet = Map<string, ImageLabels>;

/** Options of {@link loadLabels}. */
export interface LoadLabelsOptions {
  /** Return an empty map when the file does not exist (an image folder without labels). @default true */
  missingOk?: boolean;
}

/**
 * Reads and validates a labels file. A missing file gives an empty map (quality columns are then
 * null, never 0); an invalid one throws a `config` error naming the first bad field.
 *
 * @example
 * ```ts
 * const labels = await loadLabels();
 * labels.get("o01_cat")?.mustMention.map((item) => item.term); // ["cat", "tabby", ...]
 * ```
 */
export async function loadLabels(
  path: string | URL = DEFAULT_LABELS_PATH,
  options: LoadLabelsOptions = {},
): Promise<LabelSet> {
  const { missingOk = true } = options;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound && missingOk) return new Map();
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new VisionBenchError("config", `labels file ${path} is not JSON`, { cause: error });
  }
  return parseLabels(json, String(path));
}

/**
 * Validates labels already parsed from JSON.
 *
 * @example
 * ```ts
 * parseLabels({ version: 1, images: {} }).size; // 0
 * ```
 */
export function parseLabels(json: unknown, source = "labels"): LabelSet {
  const parsed = LabelsFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new VisionBenchError(
      "config",
      `${source}: ${issue.path.join(".") || "(root)"}: ${issue.message}`,
      { cause: parsed.error },
    );
  }
  return new Map(Object.entries(parsed.data.images));
}
