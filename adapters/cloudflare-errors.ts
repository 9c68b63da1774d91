/**
 * Cloudflare Workers AI errors → {@link VisionBenchError} kinds: the envelope's `errors[0].code`
 * decides when it is known (5007 no such model, 3006 too large, 3007 timeout, 3036/3040 rate
 * limits, 10000 auth), else the HTTP status. Retry-After is kept; the token never reaches a message.
 *
 * @module
 */
import { z } from "zod";
import {
  type ErrorKind,
  kindFromStatus,
  retryAfterFromHeaders,
  VisionBenchError,
} from "../lib/contract/errors.ts";
import { platformText, readableMessage, transportError } from "./shared-errors.ts";

/** What Cloudflare error mapping needs to know about the call. */
export interface CloudflareErrorContext {
  apiKey?: string;
  platform: string;
  model: string;
  accountId: string;
}

/** Only the part of the envelope errors are read from. */
const ErrorEnvelopeSchema = z.object({
  errors: z.array(z.object({ code: z.number().optional(), message: z.unknown() })).default([]),
});

const CODE_KINDS: Record<number, ErrorKind> = {
  5007: "not_found",
  3006: "bad_request",
  3007: "timeout",
  3036: "rate_limit",
  3040: "rate_limit",
  10000: "auth",
};

/** Reads a non-2xx answer (or a 2xx with success:false) into an error. */
export async function errorFrom(
  response: Response,
  context: CloudflareErrorContext,
): Promise<VisionBenchError> {
  let text = "";
  try {
    text = await response.text();
  } catch (error) {
    return transportError(error, context);
  }
  let errors: z.infer<typeof ErrorEnvelopeSchema>["errors"] | undefined;
  try {
    errors = ErrorEnvelopeSchema.parse(JSON.parse(text)).errors;
  } catch { /* not the envelope: the status decides */ }
  return envelopeError(response, errors ?? [], context, text);
}

/**
 * The error an envelope's `errors` describe (the first one decides the kind), for a non-2xx
 * answer or a 200 with `"success": false`.
 */
export function envelopeError(
  response: Response,
  errors: readonly { code?: number; message: unknown }[],
  context: CloudflareErrorContext,
  fallback = "",
): VisionBenchError {
  const first = errors[0];
  const code = first?.code;
  const kind = (code !== undefined && CODE_KINDS[code]) || kindFromStatus(response.status);
  const words = first === undefined
    ? (fallback || response.statusText)
    : readableMessage(first.message);
  const message = platformText(words, context.apiKey);
  return new VisionBenchError(kind, `cloudflare: ${code ?? response.status} ${message}`, {
    status: response.status,
    retryAfterMs: retryAfterFromHeaders(response.headers),
    platform: context.platform,
    code,
  });
}

/** The 5016 answer, turned into a message that says how to agree to the model licence. */
export function licenseError(
  context: CloudflareErrorContext,
  cause: VisionBenchError,
): VisionBenchError {
  return new VisionBenchError(
    "bad_request",
    `cloudflare: ${context.model} needs a one-time agreement to Meta's license (error 5016). Agree once with ` +
      `curl -X POST https://api.cloudflare.com/client/v4/accounts/${context.accountId}/ai/run/${context.model} ` +
      `-H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" -d '{"prompt":"agree"}' ` +
      `or set agreeToLicense: true in the cloudflare preset settings`,
    { status: cause.status, platform: context.platform, code: 5016, retryable: false, cause },
  );
}
