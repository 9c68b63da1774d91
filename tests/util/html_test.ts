import assert from "node:assert/strict";
import { parseHTML } from "linkedom";
import { escapeHtml, HtmlFragment, raw, safeHtml } from "../../lib/util/html.ts";

const HOSTILE = `<script>alert(1)</script><img src=x onerror="alert('2')"> & co`;
const DISPLAY = Symbol.for("Jupyter.display");

Deno.test("escapeHtml() escapes markup, ampersands and both quotes", () => {
  assert.equal(
    escapeHtml(`<a href="x" title='y'>&</a>`),
    "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
  );
  assert.equal(escapeHtml(undefined), "");
});

Deno.test("safeHtml`` escapes every interpolated value and keeps its own markup", () => {
  const fragment = safeHtml`<p>${HOSTILE}</p><p>${42}</p>`;
  assert.ok(fragment instanceof HtmlFragment);
  assert.equal(
    fragment.html,
    "<p>&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(&#39;2&#39;)&quot;" +
      "&gt; &amp; co</p><p>42</p>",
  );
  const { document } = parseHTML(`<!doctype html><html><body>${fragment}</body></html>`);
  assert.equal(document.querySelectorAll("script, img").length, 0);
  assert.equal(document.querySelector("p")!.textContent, HOSTILE);
});

Deno.test("safeHtml`` nests fragments without escaping them twice", () => {
  const inner = safeHtml`<b>${"a & b"}</b>`;
  const outer = safeHtml`<div>${inner}</div>`;
  assert.equal(outer.html, "<div><b>a &amp; b</b></div>");
  assert.equal(safeHtml`<p>${outer}</p>`.html, "<p><div><b>a &amp; b</b></div></p>");
});

Deno.test("raw() is the one opt-out: its markup goes in as is", () => {
  assert.equal(safeHtml`<div>${raw("<svg></svg>")}</div>`.html, "<div><svg></svg></div>");
  // A plain string that looks like markup is still text.
  assert.equal(safeHtml`<div>${"<svg></svg>"}</div>`.html, "<div>&lt;svg&gt;&lt;/svg&gt;</div>");
});

Deno.test("safeHtml`` joins arrays, each element by the same rule", () => {
  const items = ["<x>", safeHtml`<i>y</i>`, ["z&", raw("<hr>")]];
  assert.equal(safeHtml`<ul>${items}</ul>`.html, "<ul>&lt;x&gt;<i>y</i>z&amp;<hr></ul>");
  const list = safeHtml`<ul>${["a", "b"].map((item) => safeHtml`<li>${item}</li>`)}</ul>`;
  assert.equal(list.html, "<ul><li>a</li><li>b</li></ul>");
});

Deno.test("safeHtml`` renders null, undefined and false as nothing, 0 and true as text", () => {
  const off = false;
  assert.equal(safeHtml`[${null}${undefined}${off && safeHtml`<b>on</b>`}]`.html, "[]");
  assert.equal(safeHtml`[${0}${true}${""}]`.html, "[0true]");
});

Deno.test("safeHtml`` escapes quotes inside attribute values", () => {
  const title = `"><script>alert(1)</script>`;
  const single = `' onmouseover='alert(2)`;
  const fragment = safeHtml`<a title="${title}" data-x='${single}'>x</a>`;
  assert.equal(
    fragment.html,
    `<a title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" ` +
      `data-x='&#39; onmouseover=&#39;alert(2)'>x</a>`,
  );
  const { document } = parseHTML(`<!doctype html><html><body>${fragment}</body></html>`);
  const link = document.querySelector("a")!;
  assert.equal(link.getAttribute("title"), title);
  assert.equal(link.getAttribute("data-x"), single);
  assert.equal(link.getAttribute("onmouseover"), null);
});

Deno.test("a fragment is a text/html bundle for the kernel, kept from MathJax, and its markup as a string", () => {
  const fragment = raw("<b>x</b>");
  const bundle = (fragment as unknown as Record<symbol, () => Record<string, string>>)[DISPLAY]();
  assert.deepEqual(bundle, { "text/html": '<div class="tex2jax_ignore"><b>x</b></div>' });
  assert.equal(String(fragment), "<b>x</b>");
});
