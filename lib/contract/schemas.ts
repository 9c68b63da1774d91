/**
 * Ready-made structured-output schemas. The same zod schema goes to every platform through its
 * own mechanism (json_schema, responseSchema, forced tool, Ollama format, guided JSON).
 *
 * @module
 */
import { z } from "zod";
import type { StructuredSchema } from "./adapter.ts";

/** Tags, scene and the outlier question of the original study ("is this an event venue?"). */
export const VenueSchema = z.object({
  tags: z.array(z.string()).describe(
    "Short keywords for the objects, setting, lighting and time of day",
  ),
  scene: z.string().describe("One short phrase naming the kind of scene"),
  isEventVenue: z.boolean().describe(
    "Could this place host an event (concert, wedding, party, conference)?",
  ),
});

/** Parsed answer of {@link VENUE_SCHEMA}. */
export type Venue = z.infer<typeof VenueSchema>;

/** {@link VenueSchema} as a structured-output request. */
export const VENUE_SCHEMA: StructuredSchema = {
  name: "image_tags",
  description: "Keywords describing the image, its scene, and whether it shows an event venue",
  schema: VenueSchema,
};

/** Structured schemas selectable by name (`--schema venue`). */
export const SCHEMAS: Record<string, StructuredSchema> = { venue: VENUE_SCHEMA };
