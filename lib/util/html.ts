/**
 * HTML by a template that escapes by default, as Hono's `html` helper does: model output is
 * untrusted (a model can be made to answer `<script>…</script>`), so forgetting must be safe and
 * opting out (`raw()`) explicit. Not named `html`: `deno fmt` re-indents `html`-tagged templates
 * as HTML, which changes the markup they produce (denoland/deno#30677).
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
 * Escapes text for HTML element content and quoted attribute values ({@link safeHtml} does this
 * for every interpolation; call it directly only where no template is built).
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
 * Trusted HTML. The Deno kernel displays it as `text/safeHtml` through
 * `Symbol.for("Jupyter.display")` (HTML, not SVG: nbconvert strips `image/svg+xml` outputs);
 * `String(fragment)` is the markup.
 */
export class HtmlFragment {
  constructor(readonly html: string) {}

  toString(): string {
    return this.html;
  }

  [Symbol.for("Jupyter.display")](): MimeBundle {
    // Notebook front ends run MathJax over HTML outputs: "$0.13 vs $0.039" would become maths.
    return { "text/html": `<div class="tex2jax_ignore">${this.html}</div>` };
  }
}

/**
 * Marks a string as trusted markup: {@link safeHtml} interpolates it as is. For markup we made (a
 * rendered chart, an inline script), never for text from a record, a file or a model.
 *
 * @example
 * ```ts
 * safeHtml`<div>${raw("<b>ours</b>")}</div>`.html; // "<div><b>ours</b></div>"
 * ```
 */
export function raw(markup: string): HtmlFragment {
  return new HtmlFragment(markup);
}

/**
 * A tagged template that escapes every interpolated value, except {@link HtmlFragment}s (nested
 * templates, {@link raw} markup), which go in as they are. Arrays are joined, each element by the
 * same rule; `null`, `undefined` and `false` render as nothing (so `${cond && safeHtml`…`}` works).
 * A long piece is an array of short templates, `safeHtml`${[safeHtml`<p>…`, safeHtml`…</p>`]}``:
 * the lines join with no whitespace between them.
 *
 * @example
 * ```ts
 * const name = `<script>alert(1)</script>`;
 * const items = safeHtml`<ul>${["a", "b&c"].map((item) => safeHtml`<li>${item}</li>`)}</ul>`;
 * safeHtml`<p title="${name}">${name}</p>${items}`.html;
 * // '<p title="&lt;script&gt;…">&lt;script&gt;…</p><ul><li>a</li><li>b&amp;c</li></ul>'
 * ```
 */
export function safeHtml(strings: TemplateStringsArray, ...values: unknown[]): HtmlFragment {
  let markup = strings[0];
  values.forEach((value, index) => markup += render(value) + strings[index + 1]);
  return new HtmlFragment(markup);
}

function render(value: unknown): string {
  if (value instanceof HtmlFragment) return value.html;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === null || value === undefined || value === false) return "";
  return escapeHtml(value);
}
