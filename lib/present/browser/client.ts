/**
 * The description browser's inline script. It is written here as a typed function and shipped as
 * its source text (`String(describeBrowserClient)`), so it is checked like the rest of the code
 * yet needs nothing at run time: no module, no network, no server. It only shows, hides, orders
 * and rates elements the server already rendered; it never turns text into markup (model output
 * is in the page as escaped text, and this script writes with `textContent` only).
 *
 * Ratings live in `localStorage` under `visionbench-ratings`, keyed by record id (ids are unique
 * across runs), so they survive reloads and rebuilding the report with more runs; the download
 * holds the ones for descriptions on this page, as the JSON lines `readRatings` reads.
 *
 * @module
 */

/**
 * Wires one browser root (`.vb-browser`). Must stay self-contained: it runs from its source text.
 */
export function describeBrowserClient(found: HTMLElement | null | undefined): void {
  if (!found || found.dataset.wired) return;
  const root: HTMLElement = found;
  root.dataset.wired = "true";
  type Stored = { rating: number; createdAt: string; blind: boolean };
  type State = { mode: string; ratings: Record<string, Stored> };
  const storageKey = "visionbench-ratings";
  const select = <T extends Element>(selector: string) => root.querySelector(selector) as T;
  const all = <T extends Element>(selector: string, from: ParentNode = root) =>
    Array.from(from.querySelectorAll(selector)) as T[];
  const viewSelect = select<HTMLSelectElement>(".vb-view");
  const filterSelect = select<HTMLSelectElement>(".vb-filter");
  const thresholdInput = select<HTMLInputElement>(".vb-threshold");
  const compareA = select<HTMLSelectElement>(".vb-a");
  const compareB = select<HTMLSelectElement>(".vb-b");
  const blindToggle = select<HTMLInputElement>(".vb-blind-toggle");
  const toolbar = select<HTMLElement>(".vb-toolbar");
  const lightbox = select<HTMLElement>(".vb-lightbox");
  const sections = all<HTMLElement>(".vb-image");
  const seriesBoxes = all<HTMLInputElement>("input.vb-series");

  for (const group of all<HTMLElement>(".vb-rate")) {
    for (let rating = 1; rating <= 10; rating++) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.rating = String(rating);
      button.textContent = String(rating);
      group.append(button);
    }
  }
  const state: State = load();
  let current: HTMLElement | undefined;
  // Scripts run: the "trust this notebook" note is not needed.
  for (const note of all<HTMLElement>(".vb-untrusted")) note.remove();
  const pageSize = Number(root.dataset.pageSize) || 10;
  /** How tall a page may be, in screens. */
  const SCREENS_PER_PAGE = 3;
  let page = 0;
  /** Images a page holds: `pageSize`, or fewer once a page measured too tall. */
  let perPage = pageSize;
  const pagers = all<HTMLElement>(".vb-pager");

  function load(): State {
    try {
      const parsed = JSON.parse(localStorage.getItem(storageKey) ?? "null");
      if (parsed && typeof parsed === "object" && parsed.ratings) return parsed as State;
    } catch {
      // No storage (a sandboxed frame) or a damaged entry: start empty.
    }
    return { mode: "browse", ratings: {} };
  }
  function save(): void {
    try {
      localStorage.setItem(storageKey, JSON.stringify(state));
    } catch {
      // Storage full or blocked: ratings still download from this page.
    }
  }

  const selected = () => new Set(seriesBoxes.filter((box) => box.checked).map((box) => box.value));
  const shownCards = (scope: ParentNode = root) =>
    all<HTMLElement>(".vb-card", scope).filter((card) =>
      !card.hidden && !(card.closest(".vb-image") as HTMLElement).hidden
    );
  const rateable = () =>
    shownCards().filter((card) => card.dataset.status === "ok")
      .sort((a, b) => {
        if (!root.classList.contains("vb-blind")) return 0;
        const sectionA = sections.indexOf(a.closest(".vb-image") as HTMLElement);
        const sectionB = sections.indexOf(b.closest(".vb-image") as HTMLElement);
        const order = (card: HTMLElement) => Number(card.style.getPropertyValue("--vb-order"));
        return sectionA - sectionB || order(a) - order(b);
      });
  const ratingOf = (card: HTMLElement) =>
    state.ratings[card.dataset.recordId ?? ""]?.rating ??
      (card.dataset.fileRating ? Number(card.dataset.fileRating) : undefined);

  function apply(): void {
    const view = viewSelect.value;
    const chosen = selected();
    const threshold = Number(thresholdInput.value);
    const filter = filterSelect.value;
    let shownImages = 0;
    for (const section of sections) {
      const cards = all<HTMLElement>(".vb-card", section);
      for (const card of cards) {
        card.hidden = card.dataset.view !== view || !chosen.has(card.dataset.series ?? "");
      }
      const visible = cards.filter((card) => !card.hidden);
      // The `local` baseline describes pixels, not content (compare-report's BASELINE_PRESETS):
      // platforms disagreeing with it, or its "hallucinations", say nothing about the models.
      const judged = visible.filter((card) => card.dataset.platform !== "local");
      const recalls = judged.filter((card) => card.dataset.recall !== undefined)
        .map((card) => Number(card.dataset.recall));
      const spread = recalls.length >= 2 ? Math.max(...recalls) - Math.min(...recalls) : null;
      const spreadLabel = section.querySelector(".vb-spread") as HTMLElement;
      spreadLabel.textContent = spread === null
        ? ""
        : `recall spread ${spread.toFixed(2)} over ${recalls.length} shown`;
      section.dataset.spread = spread === null ? "" : String(spread);
      const passes = visible.length > 0 && (
        filter === "all" ||
        (filter === "disagree" && spread !== null && spread > threshold) ||
        (filter === "hallucinations" &&
          judged.some((card) => Number(card.dataset.hallucinations) > 0)) ||
        (filter === "errors" && visible.some((card) => card.dataset.status === "error"))
      );
      section.dataset.passes = String(passes);
      if (passes) shownImages++;
    }
    showPage(sections.filter((section) => section.dataset.passes === "true"));
    const count = chosen.size;
    root.style.setProperty("--vb-columns", count >= 1 && count <= 3 ? String(count) : "auto-fill");
    (select<HTMLElement>(".vb-count")).textContent =
      `${shownImages} of ${sections.length} images · ${count} of ${seriesBoxes.length} platforms`;
    renderRatings();
    // A filter or a platform choice can hide the description being rated: go on with a shown one.
    if (current && !shownCards().includes(current)) {
      moveTo(root.classList.contains("vb-rating") ? nextUnrated() : undefined);
    }
  }

  /**
   * Shows one page of the images that pass the filter: at most `pageSize`, and fewer when they
   * would make the output taller than `SCREENS_PER_PAGE` screens (many platforms side by side,
   * a narrow screen) — measured, as the images render at this width and selection.
   */
  function showPage(passing: HTMLElement[]): void {
    const layOut = () => {
      const pages = Math.max(1, Math.ceil(passing.length / perPage));
      page = Math.min(Math.max(0, page), pages - 1);
      for (const section of sections) section.hidden = true;
      for (const section of passing.slice(page * perPage, (page + 1) * perPage)) {
        section.hidden = false;
      }
      for (const pager of pagers) {
        pager.hidden = pages < 2;
        (pager.querySelector(".vb-page-label") as HTMLElement).textContent = `page ${
          page + 1
        } of ${pages}`;
        (pager.querySelector("[data-page='-1']") as HTMLButtonElement).disabled = page === 0;
        (pager.querySelector("[data-page='1']") as HTMLButtonElement).disabled = page >= pages - 1;
      }
    };
    layOut();
    const shown = passing.filter((section) => !section.hidden);
    const images = shown.reduce((total, section) => total + section.offsetHeight, 0);
    if (shown.length < 2 || images === 0) return;
    const header = root.offsetHeight - images;
    const fit = Math.max(
      1,
      Math.floor((SCREENS_PER_PAGE * innerHeight - header) / (images / shown.length)),
    );
    if (fit >= shown.length) return;
    const first = page * perPage;
    perPage = fit;
    page = Math.floor(first / perPage);
    layOut();
  }

  function nextUnrated(): HTMLElement | undefined {
    return rateable().find((card) => ratingOf(card) === undefined);
  }

  function renderRatings(): void {
    for (const card of all<HTMLElement>(".vb-card")) {
      const rating = ratingOf(card);
      card.classList.toggle("vb-rated", rating !== undefined);
      for (const button of all<HTMLButtonElement>(".vb-rate button", card)) {
        button.setAttribute("aria-pressed", String(Number(button.dataset.rating) === rating));
      }
    }
    const cards = rateable();
    const rated = cards.filter((card) => ratingOf(card) !== undefined).length;
    const bar = select<HTMLProgressElement>(".vb-progress-bar");
    bar.max = Math.max(cards.length, 1);
    bar.value = rated;
    select<HTMLElement>(".vb-progress").textContent = `${rated} of ${cards.length} rated` +
      ` · ${pageRatings().length} to download`;
  }

  function setMode(mode: string): void {
    state.mode = mode;
    root.classList.toggle("vb-rating", mode === "rate");
    for (const button of all<HTMLButtonElement>(".vb-mode button")) {
      button.setAttribute("aria-pressed", String(button.dataset.mode === mode));
    }
    if (mode === "rate" && !current) moveTo(nextUnrated());
    save();
    measure();
  }

  function moveTo(card: HTMLElement | undefined): void {
    current?.classList.remove("vb-current");
    current = card;
    if (!card) return;
    card.classList.add("vb-current");
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
    // A screen reader hears where it is: the image, the description, its rating.
    const section = card.closest(".vb-image") as HTMLElement;
    const name = card.querySelector(
      root.classList.contains("vb-blind") ? ".vb-blind-name" : ".vb-name",
    )?.textContent;
    const rating = ratingOf(card);
    select<HTMLElement>(".vb-announce").textContent = `Image ${sections.indexOf(section) + 1} of ` +
      `${sections.length}, ${name}: ${rating === undefined ? "not rated" : `rated ${rating}`}`;
  }

  function rate(card: HTMLElement, rating: number): void {
    state.ratings[card.dataset.recordId ?? ""] = {
      rating,
      createdAt: new Date().toISOString(),
      blind: root.classList.contains("vb-blind"),
    };
    save();
    renderRatings();
    const cards = rateable();
    const after = cards.slice(cards.indexOf(card) + 1).concat(cards.slice(0, cards.indexOf(card)));
    moveTo(after.find((other) => ratingOf(other) === undefined) ?? card);
    const announce = select<HTMLElement>(".vb-announce");
    announce.textContent = `Rated ${rating}. Next: ${announce.textContent}`;
  }

  function step(delta: number): void {
    const cards = rateable();
    const index = current ? cards.indexOf(current) : -1;
    const target = index + delta;
    if ((target < 0 || target >= cards.length) && turnPage(delta)) {
      const next = rateable();
      return moveTo(delta > 0 ? next[0] : next[next.length - 1]);
    }
    moveTo(cards[Math.min(cards.length - 1, Math.max(0, target))]);
  }

  /** Turns to the page that holds `section` (an image the filter lets through). */
  function showSection(section: HTMLElement): void {
    const passing = sections.filter((item) => item.dataset.passes === "true");
    const index = passing.indexOf(section);
    if (index < 0 || !section.hidden) return;
    page = Math.floor(index / perPage);
    apply();
  }

  /** Shows the next (1) or previous (-1) page; false when there is none. */
  function turnPage(delta: number): boolean {
    const before = page;
    page += delta;
    apply();
    if (page === before) return false;
    const visible = sections.filter((section) => !section.hidden);
    visible[delta > 0 ? 0 : visible.length - 1]?.scrollIntoView({ block: "start" });
    return true;
  }

  function jumpImage(delta: number): void {
    const visible = sections.filter((section) => !section.hidden);
    const top = toolbarHeight() + 1;
    let index = visible.findIndex((section) => section.getBoundingClientRect().bottom > top + 40);
    if (index < 0) index = 0;
    else if (delta < 0 && visible[index].getBoundingClientRect().top < top - 2) index++;
    if ((index + delta < 0 || index + delta >= visible.length) && turnPage(delta)) {
      if (root.classList.contains("vb-rating")) {
        const cards = rateable();
        moveTo(delta > 0 ? cards[0] : cards[cards.length - 1]);
      }
      return;
    }
    const target = visible[Math.min(visible.length - 1, Math.max(0, index + delta))];
    if (!target) return;
    target.scrollIntoView({ block: "start" });
    if (root.classList.contains("vb-rating")) {
      moveTo(rateable().find((card) => target.contains(card)));
    }
  }

  /** Ratings given in this browser to descriptions on this page, with their card. */
  function pageRatings(): { card: HTMLElement; recordId: string; stored: Stored }[] {
    return all<HTMLElement>(".vb-card").flatMap((card) => {
      const recordId = card.dataset.recordId ?? "";
      const stored = state.ratings[recordId];
      return stored ? [{ card, recordId, stored }] : [];
    });
  }

  function download(): void {
    const lines = pageRatings().map(({ card, recordId, stored }) => {
      const id = typeof crypto.randomUUID === "function"
        ? crypto.randomUUID()
        : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
      return JSON.stringify({
        ratingId: id,
        recordId,
        runId: card.dataset.runId,
        imageId: (card.closest(".vb-image") as HTMLElement).dataset.imageId,
        platform: card.dataset.platform,
        model: card.dataset.model,
        rating: stored.rating,
        blind: stored.blind,
        createdAt: stored.createdAt,
      });
    });
    const blob = new Blob([lines.map((line) => `${line}\n`).join("")], {
      type: "application/x-ndjson",
    });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `ratings-${new Date().toISOString().replace(/[:.]/g, "-")}.jsonl`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  function toolbarHeight(): number {
    return getComputedStyle(toolbar).position === "sticky" ? toolbar.offsetHeight : 0;
  }
  function measure(): void {
    root.style.setProperty("--vb-sticky-top", `${toolbarHeight()}px`);
  }

  /** After the reader changes the selection, a `#platform-…` in the address is stale. */
  function forgetPlatformHash(): void {
    if (!location.hash.startsWith("#platform-")) return;
    history.replaceState(history.state, "", location.pathname + location.search);
  }

  function followHash(): void {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    const target = document.getElementById(id);
    if (!target || !root.contains(target)) return;
    const box = target.querySelector("input.vb-series") as HTMLInputElement | null;
    if (box) {
      for (const other of seriesBoxes) other.checked = other === box;
      apply();
      target.scrollIntoView({ block: "center" });
    } else if (target.classList.contains("vb-image") && target.hidden) {
      filterSelect.value = "all";
      apply();
      showSection(target);
      target.scrollIntoView({ block: "start" });
    }
  }

  root.addEventListener("change", (event) => {
    const target = event.target as HTMLElement;
    // Another selection: from its first page, measured again from a full page.
    perPage = pageSize;
    page = 0;
    if (target === blindToggle) {
      root.classList.toggle("vb-blind", blindToggle.checked);
      renderRatings();
      return;
    }
    if (target.matches("input.vb-series")) forgetPlatformHash();
    if (target === compareA || target === compareB) {
      forgetPlatformHash();
      const pair = [compareA.value, compareB.value].filter(Boolean);
      if (pair.length === 0) return;
      for (const box of seriesBoxes) box.checked = pair.includes(box.value);
    }
    apply();
  });
  thresholdInput.addEventListener("input", apply);
  root.addEventListener("click", (event) => {
    const target = event.target as HTMLElement;
    const modeButton = target.closest("[data-mode]") as HTMLElement | null;
    if (modeButton) return setMode(modeButton.dataset.mode ?? "browse");
    const choice = target.closest("[data-select]") as HTMLElement | null;
    if (choice) {
      for (const box of seriesBoxes) box.checked = choice.dataset.select === "all";
      compareA.value = compareB.value = "";
      perPage = pageSize;
      page = 0;
      forgetPlatformHash();
      return apply();
    }
    const rating = target.closest(".vb-rate button") as HTMLElement | null;
    if (rating) {
      return rate(rating.closest(".vb-card") as HTMLElement, Number(rating.dataset.rating));
    }
    if (target.closest(".vb-download")) return download();
    const pageButton = target.closest("[data-page]") as HTMLElement | null;
    if (pageButton) {
      turnPage(Number(pageButton.dataset.page));
      return;
    }
    const enlarge = target.closest(".vb-enlarge") as HTMLElement | null;
    if (enlarge) {
      const [big, small] = [lightbox, enlarge].map((box) => box.querySelector("img")!);
      [big.src, big.alt] = [small.src, small.alt];
      lightbox.hidden = false;
      return;
    }
    if (target.closest(".vb-lightbox")) {
      lightbox.hidden = true;
      return;
    }
    const galleryLink = target.closest(".vb-gallery-link") as HTMLAnchorElement | null;
    if (galleryLink) {
      viewSelect.value = galleryLink.dataset.view ?? viewSelect.value;
      filterSelect.value = "all";
      apply();
      const section = sections.find((item) => item.dataset.imageId === galleryLink.dataset.imageId);
      if (section) showSection(section);
      return; // the link's own #hash scrolls to the image
    }
    const card = target.closest(".vb-card") as HTMLElement | null;
    if (card && root.classList.contains("vb-rating") && card.dataset.status === "ok") moveTo(card);
  });
  // In a live notebook, keys are the browser's only while focus is inside it or on the cell
  // that holds it (a click on the cell's prompt), and never reach the notebook's own shortcuts
  // (`3` would turn the cell into a heading). On a static page (the report) they are the
  // browser's while it is on screen.
  // deno-lint-ignore no-explicit-any
  const live = Boolean((globalThis as any).Jupyter?.notebook) ||
    document.querySelector(".jp-LabShell") !== null;
  const cell = (root.closest(".cell, .jp-Cell") as HTMLElement | null) ?? root;
  root.tabIndex = -1;
  // Typing inside the browser (its inputs and selects too) is never a notebook shortcut.
  root.addEventListener("keydown", (event) => event.stopPropagation());
  const onKey = (event: KeyboardEvent) => {
    if (!root.isConnected) return removeEventListener("keydown", onKey, true);
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target instanceof Element && target.closest("input, select, textarea, [contenteditable]")) {
      return;
    }
    const focus = document.activeElement;
    if (live) {
      if (!focus || !(root.contains(focus) || cell.contains(focus))) return;
    } else {
      const box = root.getBoundingClientRect();
      if (box.bottom < 0 || box.top > innerHeight) return;
    }
    const handled = handleKey(event);
    if (handled || (live && /^[0-9]$/.test(event.key))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  };
  addEventListener("keydown", onKey, true);

  function handleKey(event: KeyboardEvent): boolean {
    if (event.key === "Escape" && !lightbox.hidden) {
      lightbox.hidden = true;
      return true;
    }
    const rating = root.classList.contains("vb-rating");
    if (rating && /^[0-9]$/.test(event.key) && current) {
      rate(current, event.key === "0" ? 10 : Number(event.key));
      return true;
    }
    const moves: Record<string, () => void> = {
      j: () => jumpImage(1),
      k: () => jumpImage(-1),
      n: () => rating ? step(1) : jumpImage(1),
      p: () => rating ? step(-1) : jumpImage(-1),
    };
    const move = moves[event.key];
    if (!move) return false;
    move();
    return true;
  }
  addEventListener("hashchange", followHash);
  addEventListener("resize", measure);

  root.classList.toggle("vb-blind", blindToggle.checked);
  // On a phone the gallery alone is a screen or two: it starts folded.
  if (innerWidth <= 720) root.querySelector("details.vb-gallery")?.removeAttribute("open");
  apply();
  setMode(state.mode === "rate" ? "rate" : "browse");
  followHash();
}
