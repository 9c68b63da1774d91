/**
 * Keeps secrets out of every output. Config registers each key it reads (and the credentials of
 * any host URL); anything that is written — records, cache entries, errors, progress, logs —
 * passes through {@link redact} first. This is the only scrubber: adapters use it too, giving the
 * key they were handed (a key passed in code was never registered by config).
 *
 * @module
 */

const secrets = new Set<string>();
/** The registered secrets, longest first; rebuilt when one is added. */
let longestFirst: string[] = [];

/** Values shorter than this are too common to redact safely (they would eat ordinary words). */
const MIN_SECRET_LENGTH = 6;

/** Registers a value that must never be written anywhere. Short values are ignored. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH && !secrets.has(value)) {
    secrets.add(value);
    longestFirst = [...secrets].sort((a, b) => b.length - a.length);
  }
}

/**
 * Registers the credentials of a URL like `http://admin:pass@host:11434` (the password, the
 * `user:pass` pair and its base64 form, which is what a `Basic` header carries). A URL without
 * credentials registers nothing.
 *
 * @example
 * ```ts
 * registerUrlCredentials("http://admin:hunter22@10.0.0.5:11434");
 * redact("GET http://admin:hunter22@10.0.0.5"); // "GET http://***@10.0.0.5"
 * ```
 */
export function registerUrlCredentials(value: string | undefined): void {
  if (!value) return;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return;
  }
  if (!url.username && !url.password) return;
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  registerSecret(password);
  registerSecret(`${user}:${password}`);
  registerSecret(btoa(`${user}:${password}`));
}

/** Options of {@link redact}. */
export interface RedactOptions {
  /** Secrets known only to the caller (e.g. the key an adapter was given in code). */
  also?: readonly (string | undefined)[];
  /** Cut the result to this many characters (an ellipsis marks the cut). @default no cut */
  maxLength?: number;
}

/** Auth header values echoed back by a platform or printed by an SDK. */
const AUTH_VALUE = /\b(Bearer|Basic|Api-Key|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
/** Credentials inside a URL: `scheme://user:pass@host`. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi;

/**
 * `text` with every registered secret (and `options.also`), every auth header value
 * (`Bearer …`, `Basic …`, `Api-Key …`, `Token …`) and every URL credential replaced by `***`;
 * cut to `options.maxLength` when given.
 *
 * @example
 * ```ts
 * redact("401: bad key sk-live-123456", { also: ["sk-live-123456"] }); // "401: bad key ***"
 * redact("x".repeat(1000), { maxLength: 300 }).length; // 301 (300 + "…")
 * ```
 */
export function redact(text: string, options: RedactOptions = {}): string {
  const max = options.maxLength;
  // Cut early (a 50 MB error page need not be scanned whole), but with room past the limit so a
  // secret straddling it is still recognised and removed before the final cut.
  let out = max !== undefined && text.length > max + 4096 ? text.slice(0, max + 4096) : text;
  const extra = (options.also ?? []).filter((value): value is string =>
    value !== undefined && value.length >= MIN_SECRET_LENGTH
  );
  // Longest first, so a secret that contains another is removed whole. (Redaction runs on every
  // answer: the registered list is kept sorted, not sorted per call.)
  const all = extra.length === 0
    ? longestFirst
    : [...longestFirst, ...extra].sort((a, b) => b.length - a.length);
  for (const secret of all) {
    if (out.includes(secret)) out = out.split(secret).join("***");
  }
  out = out.replace(AUTH_VALUE, "$1 ***").replace(URL_CREDENTIALS, "$1***@");
  return max !== undefined && out.length > max ? `${out.slice(0, max)}…` : out;
}

/**
 * Every string inside `value` (object keys and values, arrays, nested) passed through
 * {@link redact}; other values unchanged. For structured output and raw fields a platform sent.
 *
 * @example
 * ```ts
 * redactDeep({ tags: ["Bearer abcdefgh12345"] }); // { tags: ["Bearer ***"] }
 * ```
 */
export function redactDeep<T>(value: T, options: RedactOptions = {}): T {
  if (typeof value === "string") return redact(value, options) as T;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, options)) as T;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [redact(key, options), redactDeep(item, options)]),
    ) as T;
  }
  return value;
}

/** C0 and C1 control characters and DEL: ESC starts a terminal escape sequence. */
// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * `text` as it may reach a file, a warning or the terminal when a platform wrote it (a status
 * word, a custom id, an error message): {@link redact}ed, with every control character (ESC,
 * newlines, BEL…) replaced by a space, so no escape sequence reaches the terminal raw.
 *
 * @example
 * ```ts
 * printable("done\u001b[2J", { maxLength: 300 }); // "done [2J"
 * ```
 */
export function printable(text: string, options: RedactOptions = {}): string {
  return redact(text, options).replace(CONTROL, " ");
}
