#!/usr/bin/python3
"""Executes visionbench notebooks with the Deno kernel and exports them as ONE HTML report.

Why not `jupyter nbconvert --execute`: Deno 2.9.6's kernel sometimes reports "idle" before it
sends a cell's result; nbclient stops listening at idle, so outputs are silently dropped and
nbconvert still exits 0. `GracefulClient` keeps reading iopub for a short grace period after
idle, and every code cell is then checked for outputs, so a lost output is a loud failure.

Usage (run with the system python, which has nbclient/nbconvert from Debian):

    JUPYTER_PATH=$PWD/.jupyter /usr/bin/python3 scripts/execute-notebooks.py \
        --out results --report results/report.html notebooks/01-quick-check.ipynb ...

Writes results/notebooks/<name>.ipynb for each notebook (also when it fails, for inspection)
and, when all succeed, the combined report. Exit status: 0 ok, 1 a notebook failed (the
message names the notebook and the cell), 2 bad usage or missing software.

A code cell may opt out of the output check with `# no-output` (or `// no-output`) as its
first line.

`--stage A,B,C` (repeatable) runs the named notebooks together, up to `--jobs` kernels at a time
(each in a process of its own), before the next stage starts: notebooks that only read what an
earlier stage recorded can share a stage. Notebooks named in no stage run afterwards, one at a
time, in the order given.

The report is for a reader, not a notebook user: `--order` puts the findings first whatever the
execution order, code is folded (a "Show code" button unfolds it), object dumps (a cell whose
result is a plain `{…}` / `[…]`) are left out, `--redact PATH=LABEL` replaces local paths, and
the report's stylesheet and small inline script (`--assets`) are added once.
"""

import argparse
import concurrent.futures
import html
import multiprocessing
import os
import re
import sys
import time
from queue import Empty

try:
    import nbformat
    from jinja2 import DictLoader
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from nbclient.util import ensure_async
    from nbconvert import HTMLExporter
except ImportError as error:  # pragma: no cover - depends on the machine
    print(
        f"execute-notebooks: missing Python package ({error.name}). Install with:\n"
        "  apt-get install -y --no-install-recommends jupyter-nbconvert jupyter-client\n"
        "and run this script with /usr/bin/python3 (not a pyenv/venv python).",
        file=sys.stderr,
    )
    sys.exit(2)

NO_OUTPUT_MARKER = re.compile(r"^\s*(#|//)\s*no-output\b")
OUTPUT_TYPES = {"stream", "display_data", "execute_result"}

# Extends the lab template without the require.js and MathJax <script> tags: Debian points them
# at file:///usr/share/javascript/..., which breaks the report anywhere else, and the notebooks
# need neither (charts are static SVG inside HTML outputs).
REPORT_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
"""


class GracefulClient(NotebookClient):
    """NotebookClient that keeps reading iopub for `grace_seconds` of quiet after idle.

    Messages for the cell that arrive after the kernel said idle are processed like any other;
    the grace window restarts after each one, bounded by `max_grace_seconds`. A cell with no
    output yet waits `empty_grace_seconds` instead: every code cell of these notebooks shows
    something (unless marked `// no-output`), so an empty one at idle is the kernel's late output,
    not a silent cell. Late outputs were measured 0-3 ms after idle in cells that already had an
    output and up to 52 ms in cells that had none (offline report, five runs; each notebook's
    latest is printed): 50 ms and 1 s.
    """

    def __init__(
        self, nb, grace_seconds=0.05, empty_grace_seconds=1.0, max_grace_seconds=3.0, **kwargs
    ):
        super().__init__(nb, **kwargs)
        self.grace_seconds = grace_seconds
        self.empty_grace_seconds = empty_grace_seconds
        self.max_grace_seconds = max_grace_seconds
        self.late_outputs = 0
        # Longest wait after idle for a late output, in ms: in a cell that had output, in one that had none.
        self.latest_late_ms = {}

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        idle_at = None
        while True:
            if idle_at is None:
                timeout = None
            else:
                remaining = idle_at + self.max_grace_seconds - time.monotonic()
                awaited = not cell.get("outputs") and not silent(cell)
                quiet = self.empty_grace_seconds if awaited else self.grace_seconds
                timeout = min(quiet, max(0.0, remaining))
                if timeout <= 0:
                    return
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=timeout))
            except Empty:
                if idle_at is None:
                    continue
                return
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            content = msg["content"]
            if msg["msg_type"] == "status" and content.get("execution_state") == "idle":
                if idle_at is None:
                    idle_at = time.monotonic()
                continue
            if msg["msg_type"] == "status":
                continue
            if idle_at is not None:
                self.late_outputs += 1
                had = "had output" if cell.get("outputs") else "had none"
                waited = (time.monotonic() - idle_at) * 1000
                self.latest_late_ms[had] = max(self.latest_late_ms.get(had, 0.0), waited)
            self.process_message(msg, cell, cell_index)


def cell_label(cell, index):
    first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
    return f"cell {index} ({first_line.strip()[:70]!r})"


def check_outputs(nb, name):
    """Problems with the executed notebook: error outputs and code cells without output."""
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        outputs = cell.get("outputs", [])
        for output in outputs:
            if output.get("output_type") == "error":
                problems.append(
                    f"{name}: {cell_label(cell, index)} raised "
                    f"{output.get('ename')}: {strip_ansi(output.get('evalue', ''))}"
                )
        if silent(cell):
            continue
        if not any(output.get("output_type") in OUTPUT_TYPES for output in outputs):
            problems.append(
                f"{name}: {cell_label(cell, index)} produced no output "
                "(mark it with a first line `// no-output` if that is intended)"
            )
    return problems


def silent(cell):
    """A cell that shows nothing on purpose: marked `// no-output`, or the parameters cell."""
    tags = cell.get("metadata", {}).get("tags", [])
    return bool(NO_OUTPUT_MARKER.match(cell.source)) or "parameters" in tags


def strip_ansi(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def execute_with_kernel_retry(path, options, attempts=3):
    """Runs the notebook; returns (notebook, client, error or None).

    A kernel that dies before the first cell ran is started again: jupyter_client picks free
    ports and hands them to the kernel, which binds them a moment later, so with two notebooks
    starting at once a port can be taken in between and the Deno kernel exits with AddrInUse.
    Nothing has run then, so starting again is safe.
    """
    for attempt in range(1, attempts + 1):
        nb = nbformat.read(path, as_version=4)
        client = GracefulClient(
            nb,
            grace_seconds=options.grace_ms / 1000,
            timeout=options.timeout,
            kernel_name=options.kernel,
            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
            record_timing=False,
        )
        try:
            client.execute()
            return nb, client, None
        except Exception as error:  # noqa: BLE001 — sorted out by the caller
            started = any(cell.get("execution_count") for cell in nb.cells)
            retry = isinstance(error, (DeadKernelError, RuntimeError)) and not isinstance(
                error, (CellExecutionError, CellTimeoutError)
            )
            if started or not retry or attempt == attempts:
                return nb, client, error
            print(f"  kernel did not start ({error}); starting it again", flush=True)


def execute_notebook(path, out_dir, options):
    """Executes one notebook; returns (executed notebook, problems, seconds)."""
    name = os.path.splitext(os.path.basename(path))[0]
    started = time.monotonic()
    problems = []
    nb, client, failure = execute_with_kernel_retry(path, options)
    try:
        if failure is not None:
            raise failure
    except CellExecutionError as error:
        # The error output is in the cell; check_outputs names it. Keep the first lines here
        # in case the failing cell is not found (e.g. an error in a hidden cell).
        problems.append(f"{name}: execution stopped: {strip_ansi(str(error)).splitlines()[-1]}")
    except CellTimeoutError as error:
        problems.append(f"{name}: a cell timed out after {options.timeout} s: {error}")
    except DeadKernelError as error:
        problems.append(f"{name}: the kernel died: {error}")
    seconds = time.monotonic() - started
    cell_problems = check_outputs(nb, name)
    # Cells after a failure never ran; reporting them as "no output" would bury the cause.
    if problems and cell_problems:
        problems = cell_problems[:1] + problems
    else:
        problems = cell_problems + problems
    os.makedirs(os.path.join(out_dir, "notebooks"), exist_ok=True)
    nbformat.write(nb, os.path.join(out_dir, "notebooks", f"{name}.ipynb"))
    if client.late_outputs:
        latest = ", ".join(
            f"{ms:.0f} ms in a cell that {had}" for had, ms in client.latest_late_ms.items()
        )
        print(
            f"  {name}: {client.late_outputs} output(s) arrived after idle and were kept "
            f"(latest: {latest})"
        )
    return nb, problems, seconds


def name_of(path):
    return os.path.splitext(os.path.basename(path))[0]


def stages_of(paths, stages):
    """The notebooks grouped into stages: each `--stage` in turn, then the rest one by one."""
    staged = []
    placed = set()
    for stage in stages:
        names = [name.strip() for name in stage.split(",") if name.strip()]
        members = [path for path in paths if name_of(path) in names and path not in placed]
        if members:
            staged.append(members)
            placed.update(members)
    staged.extend([path] for path in paths if path not in placed)
    return staged


def _execute_in_child(path, options):
    nb, problems, seconds = execute_notebook(path, options.out, options)
    return name_of(path), nb, problems, seconds


def run_stage(paths, options):
    """Executes one stage; yields (name, notebook, problems, seconds) in the given order."""
    for path in paths:
        print(f"executing {name_of(path)} ...", flush=True)
    if len(paths) == 1 or options.jobs <= 1:
        for path in paths:
            yield _execute_in_child(path, options)
        return
    # Processes, not threads: each kernel client runs its own event loop, and a stuck one
    # cannot hold the others.
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(max_workers=options.jobs, mp_context=context) as pool:
        futures = [pool.submit(_execute_in_child, path, options) for path in paths]
        for future in futures:
            yield future.result()


def notebook_title(nb, fallback):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, re.MULTILINE)
            if match:
                return match.group(1).strip()
    return fallback


def is_object_dump(output):
    """A cell result that is only a printed object or array (e.g. a parameter dump)."""
    if output.get("output_type") not in ("execute_result", "display_data"):
        return False
    data = output.get("data", {})
    text = data.get("text/plain", "")
    if isinstance(text, list):
        text = "".join(text)
    return set(data) <= {"text/plain"} and text.lstrip()[:1] in ("{", "[")


def combine(notebooks, title):
    """One notebook: a one-line contents cell, then each notebook's cells behind an anchor."""
    combined = nbformat.v4.new_notebook()
    combined.metadata = notebooks[0][1].metadata
    combined.metadata["title"] = title
    generated = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    links = " · ".join(
        f'<a href="#nb-{name}">{html.escape(notebook_title(nb, name))}</a>' for name, nb in notebooks
    )
    # The answer first for a keyboard too: one Tab and Enter from the top to the decision card.
    if any('id=\\"decision\\"' in nbformat.writes(nb) for _, nb in notebooks):
        links = f'<a href="#decision">The pick</a> · {links}'

    # Short on purpose: the decision card must be on the first screen, even on a phone.
    contents = (
        f"# {html.escape(title)}\n\n"
        f'<nav aria-label="Contents"><small>Generated {generated} · {links}</small></nav>'
    )
    combined.cells.append(nbformat.v4.new_markdown_cell(contents))
    for name, nb in notebooks:
        combined.cells.append(nbformat.v4.new_markdown_cell(f'<a id="nb-{name}"></a>'))
        for cell in nb.cells:
            cell = nbformat.from_dict(cell)
            if cell.cell_type == "code":
                cell.outputs = [output for output in cell.get("outputs", []) if not is_object_dump(output)]
            combined.cells.append(cell)
    return combined


def finish_report(body, assets_dir, redactions):
    """Adds the report's language, its <main> landmark, stylesheet and script; replaces local paths."""
    for path, label in redactions:
        if path:
            body = body.replace(path, label)
    # A screen reader needs the language; every cell belongs to the page's main content.
    body = re.sub(r"<html(?![^>]*\slang=)(?=[\s>])", '<html lang="en"', body, count=1)
    body = re.sub(r"(<body[^>]*>)", r"\1\n<main>", body, count=1)
    index = body.rfind("</body>")
    body = body[:index] + "</main>\n" + body[index:]
    if assets_dir:
        with open(os.path.join(assets_dir, "report.css"), encoding="utf-8") as handle:
            css = handle.read()
        with open(os.path.join(assets_dir, "report.js"), encoding="utf-8") as handle:
            script = handle.read()
        body = body.replace("</head>", f"<style>\n{css}</style>\n</head>", 1)
        index = body.rfind("</body>")
        body = body[:index] + f"<script>\n{script}</script>\n" + body[index:]
    return body


def export_html(nb):
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"visionbench-report.html.j2": REPORT_TEMPLATE})],
        template_file="visionbench-report.html.j2",
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    return body


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", help=".ipynb files, executed in this order")
    parser.add_argument("--out", default="results", help="folder for notebooks/ (default: results)")
    parser.add_argument("--report", help="combined HTML report to write (default: none)")
    parser.add_argument("--title", default="visionbench report")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell (default: 1800)")
    parser.add_argument("--grace-ms", type=int, default=50, help="iopub grace after idle (default: 50)")
    parser.add_argument("--kernel", default="deno")
    parser.add_argument("--order", help="comma-separated notebook names: the report's order (default: execution order)")
    parser.add_argument("--assets", help="folder with report.css and report.js to inline")
    parser.add_argument("--stage", action="append", default=[], metavar="NAME,NAME",
                        help="notebooks that may run together (repeatable; stages run in order)")
    parser.add_argument("--jobs", type=int, default=1, help="kernels at a time within a stage (default: 1)")
    parser.add_argument("--redact", action="append", default=[], metavar="PATH=LABEL",
                        help="replace a local path in the report (repeatable)")
    options = parser.parse_args()

    for path in options.notebooks:
        if not os.path.isfile(path):
            print(f"execute-notebooks: no such notebook: {path}", file=sys.stderr)
            return 2

    executed = {}
    for stage in stages_of(options.notebooks, options.stage):
        for name, nb, problems, seconds in run_stage(stage, options):
            if problems:
                print(f"FAILED {name} after {seconds:.1f} s:", file=sys.stderr)
                for problem in problems:
                    print(f"  - {problem}", file=sys.stderr)
                print(f"  executed notebook: {os.path.join(options.out, 'notebooks', name + '.ipynb')}", file=sys.stderr)
                return 1
            print(f"  {name}: ok in {seconds:.1f} s", flush=True)
            executed[name] = nb
    # The report follows the order given (then --order), not the order notebooks finished in.
    executed = [(name, executed[name]) for name in map(name_of, options.notebooks)]

    if options.report:
        started = time.monotonic()
        if options.order:
            wanted = [name.strip() for name in options.order.split(",") if name.strip()]
            rank = {name: index for index, name in enumerate(wanted)}
            executed.sort(key=lambda item: rank.get(item[0], len(rank)))
        redactions = [tuple(item.split("=", 1)) if "=" in item else (item, "") for item in options.redact]
        # Longest first: a folder inside another is replaced before its parent.
        redactions.sort(key=lambda pair: -len(pair[0]))
        body = finish_report(export_html(combine(executed, options.title)), options.assets, redactions)
        if "file://" in body:
            print("execute-notebooks: the exported report still links file:// — refusing to write it", file=sys.stderr)
            return 1
        os.makedirs(os.path.dirname(os.path.abspath(options.report)), exist_ok=True)
        with open(options.report, "w", encoding="utf-8") as handle:
            handle.write(body)
        print(f"exported {options.report} in {time.monotonic() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
