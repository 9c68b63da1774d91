/**
 * Wire types more than one adapter reads.
 *
 * @module
 */
import { z } from "zod";

/**
 * A count or duration as the platform sent it, typed as the number it should be. Not validated
 * here: lib/run judges usage (`withSaneUsage`), so an absurd value becomes "left out, with a
 * warning", not a lost answer.
 */
export const WireNumber = z.unknown().transform((value) => value as number | undefined).optional();
