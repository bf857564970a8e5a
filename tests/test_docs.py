"""The documentation builds and its code runs, so the docs cannot rot.

1. ``mkdocs build --strict`` (every page in the nav, no broken link, every API
   reference block resolves) passes.
2. Every ```python block of README.md, docs/*.md and docs/ops/*.md runs: a page's
   blocks in order in one namespace, as a doctest would. A block not meant to run is
   marked by an HTML comment ``<!-- no-run -->`` on the line before it (or a fence
   attribute, ```python {.no-run}); there are few. The tutorial trains on a subset
   when MINIGRAD_DOCS_SMALL=1, which this test sets.
"""
from __future__ import annotations

import glob
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from minigrad.dispatch.folders import op_folders

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A fence line opening a code block: its info string, and the line before it.
_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>[^`\n]*)$")
_NO_RUN = "<!-- no-run -->"


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(first line number, code) of each ```python block in Markdown ``text`` that is
    meant to run, in order. Blocks inside other fences are not looked at."""
    lines = text.splitlines()
    blocks: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, info = m.group("fence"), m.group("info").strip()
        start = i + 1
        j = start
        while j < len(lines) and not (lines[j].strip().startswith(fence)
                                      and lines[j].strip().strip(fence[0]) == ""):
            j += 1
        words = re.split(r"[\s{}]+", info)
        is_python = words[0] in ("python", "py", ".python")
        skipped = ".no-run" in words or (i > 0 and lines[i - 1].strip() == _NO_RUN)
        if is_python and not skipped:
            indent = len(m.group("indent"))
            body = [line[indent:] if line[:indent].strip() == "" else line
                    for line in lines[start:j]]
            blocks.append((start + 1, "\n".join(body) + "\n"))
        i = j + 1
    return blocks


def run_page(path: str, workdir: str) -> dict:
    """Run the page's python blocks in order in one namespace, in ``workdir``; each
    block compiles with the page's name and its own line numbers, so a traceback
    points at the Markdown line that failed."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    scope: dict = {"__name__": "__docs__"}
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        for line, code in python_blocks(text):
            # Pad with newlines so the block's line numbers are the file's.
            exec(compile("\n" * (line - 1) + code, path, "exec"), scope)
    finally:
        os.chdir(cwd)
    return scope


def pages() -> list[str]:
    """The docs' pages that hold python blocks (README.md has its own test below)."""
    found = sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    found += sorted(glob.glob(os.path.join(ROOT, "docs", "ops", "*.md")))
    return [p for p in found if python_blocks(open(p, encoding="utf-8").read())]


def _has_dataset() -> bool:
    from minigrad.data.datasets import FashionMNIST

    root = FashionMNIST.default_root()
    return os.path.isfile(os.path.join(root, "train-images-idx3-ubyte.gz")) or \
        os.path.isfile(os.path.join(root, "train-images-idx3-ubyte"))


# ---- the block extractor itself -------------------------------------------------------

def test_python_blocks_finds_runnable_blocks_only():
    text = "\n".join([
        "# Page", "```python", "a = 1", "```", "text", "```bash", "echo no", "```",
        _NO_RUN, "```python", "raise SystemExit", "```",
        "```python {.no-run}", "raise SystemExit", "```",
        "````markdown", "```python", "inside = 'another fence'", "```", "````",
        "- item", "", "    ```python", "    b = a + 1", "    ```",
    ])
    blocks = python_blocks(text)
    assert [code for _, code in blocks] == ["a = 1\n", "b = a + 1\n"]
    assert blocks[0][0] == 3                   # the line number of the code in the page


def test_run_page_reports_the_markdown_line(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("Intro\n\n```python\nx = 1\n```\n\n```python\ny = x\nassert y == 2\n```\n")
    with pytest.raises(AssertionError) as info:
        run_page(str(page), str(tmp_path))
    tb = info.traceback[-1]
    assert str(tb.path) == str(page) and tb.lineno + 1 == 9


# ---- the site ---------------------------------------------------------------------------

@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path):
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("mkdocstrings") is None:
        pytest.skip("mkdocs/mkdocstrings are not installed: pip install -e '.[docs]'")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "--config-file", os.path.join(ROOT, "mkdocs.yml"),
                           "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for page in ("index.html", "tape/index.html", "api/index.html", "benchmarks/index.html"):
        assert (tmp_path / "site" / page).is_file(), page
    api = (tmp_path / "site" / "api" / "index.html").read_text()
    # mkdocstrings rendered the docstrings, not just the headings
    assert "minigrad.nn.functional.conv2d" in api and "cross_entropy" in api
    # The hook (docs/_hooks/ops_index.py) wrote the table of every op, and is no page.
    every = (tmp_path / "site" / "ops" / "index.html").read_text()
    for op in (op for f in op_folders() for op in f.ops):
        assert f"<td><code>{op}</code></td>" in every, op
    assert not (tmp_path / "site" / "_hooks").exists()


def _ops_hook():
    """docs/_hooks/ops_index.py, the mkdocs hook that writes the nav's Ops section and
    the op index from the op folders (it imports minigrad, not mkdocs)."""
    path = os.path.join(ROOT, "docs", "_hooks", "ops_index.py")
    spec = importlib.util.spec_from_file_location("_docs_ops_index", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_nav_page_exists():
    """Cheap twin of the strict build for machines without mkdocs: every page the nav
    names exists, and every page under docs/ (but the raw benchmark output) is in it.
    The nav is mkdocs.yml's with the Ops section the hook fills in."""
    with open(os.path.join(ROOT, "mkdocs.yml"), encoding="utf-8") as f:
        text = f.read()
    head, nav = text[:text.index("\nnav:")], text[text.index("\nnav:"):]
    # mkdocs runs the hook, and the nav keeps the empty section for it to fill.
    assert re.search(r"^hooks:\n  - docs/_hooks/ops_index\.py$", head, re.M)
    assert re.search(r"^  - Ops: \[\]$", nav, re.M), "mkdocs.yml's nav lost '- Ops: []'"
    section = _ops_hook().ops_section(os.path.join(ROOT, "docs"), op_folders())
    named = set(re.findall(r":\s*([\w./-]+\.md)\s*$", nav, re.M))
    named |= {page for entry in section for page in entry.values()}
    for page in named:
        assert os.path.isfile(os.path.join(ROOT, "docs", page)), page
    on_disk = {os.path.relpath(p, os.path.join(ROOT, "docs"))
               for p in glob.glob(os.path.join(ROOT, "docs", "**", "*.md"), recursive=True)}
    on_disk = {p for p in on_disk if not p.startswith("benchmarks" + os.sep)}
    assert on_disk <= named, f"pages missing from the nav: {sorted(on_disk - named)}"


def _table_rows(table: str) -> list[list[list[str]]]:
    """The body rows of a Markdown table: per cell, the names it writes as `code`."""
    lines = table.splitlines()
    assert re.fullmatch(r"\|( --- \|)+", lines[1]), lines[1]
    return [[re.findall(r"`([^`]+)`", cell) for cell in line.strip("|").split("|")]
            for line in lines[2:]]


def test_op_index_and_nav_come_from_the_op_folders():
    """The table of every op lists what the registry reads from the folders (a fresh
    process's registry, so no op a test registered), and every folder's page is in the
    nav, once, after the index of every op."""
    hook, docs = _ops_hook(), os.path.join(ROOT, "docs")
    folders = op_folders()
    fresh = subprocess.run([sys.executable, "-c", (
        "import json; from minigrad.dispatch import registry as r; r._discover(); "
        "d = lambda v: [v] if isinstance(v, str) else list(v); print(json.dumps("
        "{f'{op} {dev}': [list(impls), d(r._defaults[(op, dev)])] "
        "for (op, dev), impls in r._table.items()}))")],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert fresh.returncode == 0, fresh.stderr
    registered = json.loads(fresh.stdout)

    table = hook.op_table(hook.INDEX, docs, folders)
    header = table.splitlines()[0]
    assert header == "| op | folder | CPU | default on CPU | CUDA | default on CUDA | page |"
    rows = _table_rows(table)
    ops = [op for (op,), *_ in rows]
    assert len(ops) == len(set(ops))                            # each op on one row
    listed = {}
    for (op,), _, cpu, cpu_default, cuda, cuda_default, _ in rows:
        for device, impls, default in (("cpu", cpu, cpu_default), ("cuda", cuda, cuda_default)):
            if impls:                                           # "none": not on that device
                listed[f"{op} {device}"] = [impls, default]
    assert listed == registered

    # Every folder with a page: the page is in the nav and its ops' rows link to it.
    nav = [page for entry in hook.ops_section(docs, folders) for page in entry.values()]
    documented = {f.docs for f in folders if f.docs}
    assert nav[0] == hook.INDEX and len(nav) == len(set(nav))
    assert set(nav[1:]) == documented and "ops/avg_pool2d.md" in documented
    for f in folders:
        for op in f.ops:
            line = next(line for line in table.splitlines() if line.startswith(f"| `{op}` |"))
            if f.docs:
                assert line.endswith(f"]({os.path.basename(f.docs)}) |"), line
            else:
                assert line.endswith("|  |"), line

    # The two pages carry the markers the hook replaces; index.md links every op page.
    assert hook.TABLE_MARKER in open(os.path.join(docs, hook.INDEX), encoding="utf-8").read()
    assert hook.PAGES_MARKER in open(os.path.join(docs, "index.md"), encoding="utf-8").read()
    links = re.findall(r"\]\(([^)]+)\)", hook.page_links("index.md", docs, folders))
    assert links == nav[1:]
    # A section listed by hand would fall behind the folders: the hook refuses it.
    with pytest.raises(ValueError, match="Ops: \\[\\]"):
        hook.fill_nav([{"Ops": [{"conv2d": "ops/conv2d.md"}]}], docs, folders)


def test_tape_picture_shows_the_pages_example():
    """docs/img/tape.svg is the graph of docs/tape.md's example (scripts/docs_images.py)."""
    with open(os.path.join(ROOT, "docs", "img", "tape.svg"), encoding="utf-8") as f:
        svg = f.read()
    for label in ("MatmulBackward", "ReluBackward", "MulBackward", "SumBackward", ">w<", ">b<"):
        assert label in svg, label


# ---- the code in the pages --------------------------------------------------------------

@pytest.mark.parametrize("path", pages(), ids=lambda p: os.path.relpath(p, ROOT))
def test_page_code_runs(path, tmp_path, monkeypatch, restore_registry):
    # restore_registry (tests/conftest.py): ops a page registers do not outlive it.
    if os.path.basename(path) == "tutorial.md" and not _has_dataset():
        pytest.skip("Fashion-MNIST is not installed (bash scripts/setup.sh installs it)")
    monkeypatch.setenv("MINIGRAD_DOCS_SMALL", "1")
    _run_or_skip_without_dot(path, str(tmp_path))


def _run_or_skip_without_dot(path: str, workdir: str) -> dict:
    try:
        return run_page(path, workdir)
    except RuntimeError as e:
        # Rendering a graph picture needs Graphviz's dot; everything before it ran.
        if shutil.which("dot") is None and "graphviz" in str(e).lower():
            pytest.skip(f"{os.path.basename(path)} renders a graph; Graphviz's dot is not installed")
        raise


def test_readme_example_runs(tmp_path):
    """README.md's example (replaces the former tests/test_readme.py): it runs, and
    computes the gradients it says it does."""
    scope = _run_or_skip_without_dot(os.path.join(ROOT, "README.md"), str(tmp_path))
    assert scope["w"].grad is not None and scope["w"].grad.shape == (6, 1, 5, 5)
    assert scope["b"].grad is not None and scope["b"].grad.shape == (6,)
    assert (tmp_path / "graph.svg").is_file()


def test_the_tape_page_counts_the_engine_truly():
    """docs/tape.md says how long the engine is: within 10% of the three files' lines."""
    text = open(os.path.join(ROOT, "docs", "tape.md")).read()
    claimed = int(re.search(r"The engine is about (\d+) lines", text).group(1))
    files = ("function.py", "node.py", "engine.py")
    actual = sum(len(open(os.path.join(ROOT, "minigrad", "autograd", f)).read().splitlines())
                 for f in files)
    assert abs(actual - claimed) <= 0.1 * claimed, (claimed, actual)
