/**
 * The description browser's CSS, scoped under `.vb-browser` so it neither changes the rest of
 * the report nor is changed by the notebook's own styles more than it must be.
 *
 * @module
 */

/** CSS of the description browser (one `<style>` element). */
export const BROWSER_CSS = `
.vb-browser{--vb-sticky-top:0px;--vb-columns:auto-fill;--vb-card-min:280px;
  font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;max-width:100%;
  box-sizing:border-box}
.vb-browser *{box-sizing:border-box}
.vb-browser button,.vb-browser select,.vb-browser input{font:inherit}
.vb-toolbar{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid #d0d7de;
  padding:6px 0;display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center}
.vb-toolbar label{white-space:nowrap}
.vb-toolbar select{max-width:15em}
.vb-toolbar .vb-count,.vb-toolbar .vb-progress{color:#57606a}
.vb-browser .vb-announce{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.vb-mode button{border:1px solid #8c959f;background:#f6f8fa;padding:2px 10px;cursor:pointer}
.vb-mode button:first-child{border-radius:6px 0 0 6px}
.vb-mode button:last-child{border-radius:0 6px 6px 0;margin-left:-1px}
.vb-mode button[aria-pressed=true]{background:#0969da;color:#fff;border-color:#0969da}
.vb-threshold{width:4.2em}
.vb-rate-bar{display:none;gap:8px 14px;align-items:center;flex-wrap:wrap}
.vb-rating .vb-rate-bar{display:flex}
.vb-rate-bar progress{width:140px}
.vb-keys{color:#57606a;font-size:12px}
.vb-platforms{display:flex;flex-wrap:wrap;gap:4px 6px;align-items:center;padding:8px 0}
.vb-platforms label{border:1px solid #d0d7de;border-radius:999px;padding:1px 10px 1px 6px;
  background:#f6f8fa;cursor:pointer;max-width:100%;overflow-wrap:anywhere;scroll-margin-top:80px}
.vb-platforms label:has(input:checked){background:#ddf4ff;border-color:#54aeff}
.vb-platforms label:target{outline:3px solid #bf8700}
.vb-platforms .vb-link{border:0;background:none;color:#0969da;cursor:pointer;padding:0 4px}
.vb-gallery{margin:6px 0 14px}
.vb-browser .vb-gallery h3,.vb-gallery summary{margin:6px 0;font-size:1em;font-weight:600;cursor:pointer}
.vb-browser .vb-gallery ul{list-style:none;margin:0;padding:0;display:grid;
  grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:8px}
.vb-browser .vb-gallery li{min-width:0}
.vb-browser .vb-gallery code{overflow-wrap:anywhere;font-size:12px;background:none;padding:0}
.vb-gallery a{display:flex;gap:8px;align-items:flex-start;padding:6px;border:1px solid #d0d7de;
  border-radius:6px;color:inherit;text-decoration:none;height:100%}
.vb-gallery a:hover,.vb-gallery a:focus{border-color:#0969da}
.vb-browser .vb-gallery img{width:64px;height:64px;object-fit:cover;border-radius:4px;flex:none}
.vb-gallery small{display:block;color:#57606a;overflow-wrap:anywhere}
.vb-image{border-top:2px solid #d0d7de;padding:0 0 16px;scroll-margin-top:var(--vb-sticky-top)}
.vb-image-head{position:sticky;top:var(--vb-sticky-top);z-index:4;background:#f6f8fa;
  padding:4px 8px;display:flex;flex-wrap:wrap;gap:2px 12px;align-items:baseline;
  border-bottom:1px solid #d0d7de}
.vb-browser .vb-image-head code{font-weight:600}
.vb-image-head .vb-facts{color:#57606a;font-size:13px}
.vb-image-body{display:grid;grid-template-columns:minmax(200px,340px) minmax(0,1fr);gap:14px;
  padding-top:10px;align-items:start}
.vb-browser .vb-figure{margin:0;position:sticky;top:calc(var(--vb-sticky-top) + 40px)}
.vb-figure button{display:block;border:0;padding:0;background:none;cursor:zoom-in;width:100%}
.vb-browser .vb-figure img{display:block;width:100%;height:auto;max-height:70vh;object-fit:contain;
  border-radius:4px;background:#f6f8fa}
.vb-figure figcaption{font-size:12px;color:#57606a;margin-top:4px}
.vb-terms{display:flex;flex-wrap:wrap;gap:3px;margin-top:4px}
.vb-chip{font-size:12px;padding:0 6px;border-radius:999px;background:#eaeef2}
.vb-chip.vb-not{background:#ffebe9;text-decoration:line-through}
.vb-cards{display:grid;gap:10px;
  grid-template-columns:repeat(var(--vb-columns),minmax(min(var(--vb-card-min),100%),1fr))}
.vb-card{border:1px solid #d0d7de;border-radius:6px;padding:8px 10px;min-width:0;background:#fff;
  scroll-margin-top:calc(var(--vb-sticky-top) + 44px)}
.vb-card:target{outline:3px solid #bf8700}
.vb-card header{display:flex;flex-wrap:wrap;justify-content:space-between;gap:2px 8px;
  font-size:13px;border-bottom:1px solid #eaeef2;padding-bottom:3px;margin-bottom:4px}
.vb-card .vb-name{font-weight:600;overflow-wrap:anywhere}
.vb-card .vb-metrics{color:#57606a;white-space:nowrap}
.vb-card .vb-blind-name{display:none;font-weight:600}
.vb-browser .vb-text{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;max-width:70ch}
.vb-browser .vb-text mark{border-radius:3px;padding:0 1px;color:inherit}
.vb-text mark.vb-named{background:#ccefd6}
.vb-text mark.vb-hallucinated{background:#ffcecb;text-decoration:underline wavy #cf222e}
.vb-text mark.vb-negated{background:none;text-decoration:underline dotted #8c959f}
.vb-card footer{font-size:12px;color:#57606a;margin-top:4px;overflow-wrap:anywhere}
.vb-card .vb-repeats{display:block}
.vb-card.vb-error{border-color:#ff8182;background:#fff8f8}
.vb-card.vb-error .vb-text{color:#cf222e}
.vb-rate{display:none;gap:3px;margin-top:6px}
.vb-browser .vb-rate button{flex:1 1 0;min-width:0;padding:2px 0;border:1px solid #8c959f;
  border-radius:4px;background:#f6f8fa;cursor:pointer;font-size:13px;line-height:1.4}
.vb-browser .vb-rate button[aria-pressed=true]{background:#1a7f37;color:#fff;border-color:#1a7f37}
.vb-rating .vb-rate{display:flex}
.vb-rating.vb-blind .vb-card .vb-name,.vb-rating .vb-card .vb-metrics,.vb-rating .vb-card footer,
.vb-rating .vb-figure figcaption,.vb-rating .vb-spread,.vb-rating .vb-gallery{display:none}
.vb-rating.vb-blind .vb-card .vb-blind-name{display:inline}
.vb-rating.vb-blind .vb-card{order:var(--vb-order)}
.vb-rating .vb-text mark{background:none;text-decoration:none}
.vb-rating .vb-card.vb-error{display:none}
.vb-rating .vb-card.vb-current{outline:3px solid #0969da}
.vb-card.vb-rated{border-color:#1a7f37}
.vb-lightbox{position:fixed;inset:0;z-index:100;background:rgba(0,0,0,.85);display:flex;
  align-items:center;justify-content:center;cursor:zoom-out;padding:2vh 2vw}
.vb-lightbox[hidden]{display:none}
.vb-browser .vb-lightbox img{width:96vw;height:94vh;max-width:none;object-fit:contain}
.vb-empty{color:#57606a;padding:20px 0}
.vb-pager{display:flex;gap:10px;align-items:center;padding:8px 0}
.vb-pager[hidden]{display:none}
.vb-pager button{border:1px solid #8c959f;background:#f6f8fa;border-radius:6px;padding:2px 10px;
  cursor:pointer}
.vb-pager button:disabled{opacity:.4;cursor:default}
.vb-browser:focus{outline:none}
@media (max-width:720px){
  .vb-image-body{grid-template-columns:minmax(0,1fr)}
  .vb-browser .vb-figure{position:static}
  .vb-browser .vb-figure img{max-height:50vh}
  .vb-cards{grid-template-columns:minmax(0,1fr)}
  .vb-toolbar{position:static}
  .vb-image-head{top:0}
}
@media print{
  .vb-toolbar,.vb-platforms,.vb-rate,.vb-lightbox{display:none}
  .vb-image-head,.vb-browser .vb-figure{position:static}
  .vb-card,.vb-image{break-inside:avoid}
}
`;
