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
import os
import re
import shutil
import subprocess
import sys

import pytest

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


def test_every_nav_page_exists():
    """Cheap twin of the strict build for machines without mkdocs: every page the nav
    names exists, and every page under docs/ (but the raw benchmark output) is in it."""
    with open(os.path.join(ROOT, "mkdocs.yml"), encoding="utf-8") as f:
        text = f.read()
    nav = text[text.index("\nnav:"):]
    named = set(re.findall(r":\s*([\w./-]+\.md)\s*$", nav, re.M))
    for page in named:
        assert os.path.isfile(os.path.join(ROOT, "docs", page)), page
    on_disk = {os.path.relpath(p, os.path.join(ROOT, "docs"))
               for p in glob.glob(os.path.join(ROOT, "docs", "**", "*.md"), recursive=True)}
    on_disk = {p for p in on_disk if not p.startswith("benchmarks" + os.sep)}
    assert on_disk <= named, f"pages missing from the nav: {sorted(on_disk - named)}"


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
