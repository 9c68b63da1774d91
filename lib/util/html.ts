/**
 * HTML escaping (the one place it is done) and a displayable HTML fragment.
 *
 * Model output is untrusted: a model can be made to answer `<script>…</script>`. Everything that
 * did not come from our own templates goes through {@link escapeHtml} before it reaches a page.
 *
 * @module
 */

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @example
 * ```ts
 * escapeHtml(`<img src=x onerror="alert(1)">`); // "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
 * ```
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (character) => ENTITIES[character]);
}

/** A MIME bundle as the Jupyter protocol expects it. */
export type MimeBundle = Record<string, string>;

/**
 * A trusted HTML fragment. The Deno kernel displays it as `text/html` through
 * `Symbol.for("Jupyter.display")` (HTML, not SVG: nbconvert strips `image/svg+xml` outputs);
 * `String(fragment)` is the markup.
 */
export class HtmlFragment {
  constructor(readonly html: string) {}

  toString(): string {
    return this.html;
  }

  [Symbol.for("Jupyter.display")](): MimeBundle {
    return { "text/html": this.html };
  }
}
