// visionbench report: sortable tables, the "Show code" switch, and chart tooltips on keyboard
// focus and touch (a mouse gets the SVG <title>). Injected once, inline, by
// scripts/execute-notebooks.py. It only reorders rows and toggles a class: it never reads model
// output as markup and never loads anything.
(() => {
  const key = (row, index) => {
    const cell = row.children[index];
    const raw = cell?.dataset.sort ?? cell?.textContent.trim() ?? "";
    if (raw === "" || raw === "—") return null;
    const number = Number(raw);
    return Number.isNaN(number) ? raw.toLowerCase() : number;
  };
  // Chart marks link to a platform's descriptions here, where they are on the same page
  // (lib/present/display.ts parks the link while in a notebook).
  for (const mark of document.querySelectorAll("a[data-vb-href]")) {
    mark.setAttribute("href", mark.dataset.vbHref);
  }
  // Headers become sort buttons here, where sorting works (a notebook shows plain headers).
  for (const header of document.querySelectorAll("table.vb-sortable thead th")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "vb-sort";
    button.append(...header.childNodes);
    header.append(button);
  }
  for (const button of document.querySelectorAll("table.vb-sortable .vb-sort")) {
    button.addEventListener("click", () => {
      const header = button.closest("th");
      const index = [...header.parentElement.children].indexOf(header);
      const body = header.closest("table").tBodies[0];
      const ascending = header.getAttribute("aria-sort") !== "ascending";
      for (const other of header.parentElement.children) other.removeAttribute("aria-sort");
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const rows = [...body.rows].sort((a, b) => {
        const x = key(a, index);
        const y = key(b, index);
        if (x === null || y === null) return (x === null) - (y === null); // missing values last
        const order = x < y ? -1 : x > y ? 1 : 0;
        return ascending ? order : -order;
      });
      body.append(...rows);
    });
  }
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "vb-code-toggle";
  toggle.textContent = "Show code";
  toggle.addEventListener("click", () => {
    const shown = document.body.classList.toggle("vb-show-code");
    toggle.textContent = shown ? "Hide code" : "Show code";
  });
  // First in the page: where a phone shows it (static), and where a keyboard reaches it first.
  (document.querySelector("main") ?? document.body).prepend(toggle);

  const tip = document.createElement("div");
  tip.className = "vb-tip";
  tip.setAttribute("role", "tooltip");
  tip.hidden = true;
  (document.querySelector("main") ?? document.body).append(tip);
  let shownFor = null;
  const show = (mark) => {
    const text = mark.querySelector("title")?.textContent.trim();
    if (!text) return;
    tip.textContent = text;
    tip.hidden = false;
    shownFor = mark;
    const box = mark.getBoundingClientRect();
    const left = Math.min(box.left, document.documentElement.clientWidth - tip.offsetWidth - 4);
    tip.style.left = `${Math.max(4, left) + scrollX}px`;
    tip.style.top = `${box.bottom + 6 + scrollY}px`;
  };
  const hide = () => {
    tip.hidden = true;
    shownFor = null;
  };
  const markOf = (target) =>
    (target instanceof Element && target.closest(".visionbench-chart svg") &&
      (target.closest("svg a") ?? (target.querySelector(":scope > title") ? target : null))) ||
    null;
  document.addEventListener("focusin", (event) => {
    const mark = markOf(event.target);
    mark ? show(mark) : hide();
  });
  // Touch has no hover: the first tap on a mark shows its tooltip, a second one follows its link.
  let firstTap = false;
  document.addEventListener("pointerdown", (event) => {
    const mark = event.pointerType === "mouse" ? null : markOf(event.target);
    firstTap = mark !== null && mark !== shownFor;
    mark ? show(mark) : hide();
  });
  document.addEventListener("click", (event) => {
    if (firstTap && markOf(event.target)) event.preventDefault();
    firstTap = false;
  });
  document.addEventListener("keydown", (event) => event.key === "Escape" && hide());
})();
