/**
 * Keeps secrets out of every output. Config registers each key it reads; anything that is
 * written (records, errors, progress, logs) passes through {@link redact} first.
 *
 * @module
 */

const secrets = new Set<string>();

/** Registers a value that must never be written anywhere. Short values are ignored (too common to redact safely). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) secrets.add(value);
}

/** Replaces every registered secret (and common key shapes) in `text` with `***`. */
export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("***");
  // Bearer/Api-Key headers echoed back by a platform or an SDK error message.
  return out.replace(/\b(Bearer|Api-Key|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g, "$1 ***");
}
