"""The site's op pages and op index, found from the op folders: an mkdocs hook.

An op is one folder, and ``ops/<folder>/__init__.py`` names the page that teaches it
(``DOCS``), so no list of ops is kept by hand:

- ``on_config`` fills mkdocs.yml's placeholder ``- Ops: []`` with docs/ops/index.md, then
  every folder's page (a page two folders share once, in folder order), each titled by
  its first ``# `` heading;
- ``on_page_markdown`` replaces :data:`PAGES_MARKER` (docs/index.md) with links to those
  pages, and :data:`TABLE_MARKER` (docs/ops/index.md) with a table of every op: its
  folder, its implementations and default on each device, its page.

What the folders declare comes from :func:`minigrad.dispatch.folders.op_folders`; this
file only writes it as nav entries and Markdown. tests/test_docs.py calls the functions
below to check the nav without mkdocs.
"""
from __future__ import annotations

import os
import posixpath

from minigrad.dispatch.folders import OpFolder, op_folders

SECTION = "Ops"
INDEX = "ops/index.md"
PAGES_MARKER = "<!-- op pages: written by docs/_hooks/ops_index.py -->"
TABLE_MARKER = "<!-- op table: written by docs/_hooks/ops_index.py -->"


def title(docs_dir: str, page: str) -> str:
    """The text of ``page``'s first ``# `` heading (``page`` relative to ``docs_dir``)."""
    with open(os.path.join(docs_dir, page), encoding="utf-8") as f:
        for line in f:
            if line.startswith("# "):
                return line[2:].strip()
    raise ValueError(f"docs/{page} has no '# ' heading to title it in the nav")


def op_pages(folders: list[OpFolder]) -> list[str]:
    """The folders' pages, each once, in folder order (matmul and linear share one)."""
    return list(dict.fromkeys(f.docs for f in folders if f.docs))


def ops_section(docs_dir: str, folders: list[OpFolder]) -> list[dict[str, str]]:
    """The nav's Ops section: the index of every op, then the op pages."""
    return [{title(docs_dir, page): page} for page in [INDEX] + op_pages(folders)]


def fill_nav(nav: list, docs_dir: str, folders: list[OpFolder]) -> list:
    """``nav`` (mkdocs.yml's, as mkdocs read it) with its ``Ops: []`` filled."""
    for i, item in enumerate(nav):
        if isinstance(item, dict) and list(item) == [SECTION]:
            if item[SECTION]:
                break
            return nav[:i] + [{SECTION: ops_section(docs_dir, folders)}] + nav[i + 1:]
    # A section listed by hand would fall behind the folders again: refuse it.
    raise ValueError(f"mkdocs.yml's nav needs the entry '- {SECTION}: []', which "
                     "docs/_hooks/ops_index.py fills from the op folders")


def _link(src: str, target: str) -> str:
    """The link from page ``src`` to page ``target``, both relative to docs/."""
    return posixpath.relpath(target, posixpath.dirname(src) or ".")


def page_links(src: str, docs_dir: str, folders: list[OpFolder]) -> str:
    """``[title](page), ...`` for the op pages, as links from page ``src``."""
    return ", ".join(f"[{title(docs_dir, page)}]({_link(src, page)})"
                     for page in op_pages(folders))


def op_table(src: str, docs_dir: str, folders: list[OpFolder]) -> str:
    """A Markdown table with a row per op, folder by folder; links are from page ``src``."""
    devices = list(dict.fromkeys(["cpu"] + [d for f in folders for d in f.implementations]))
    header = ["op", "folder"]
    for device in devices:
        header += [device.upper(), f"default on {device.upper()}"]
    rows = [header + ["page"], ["---"] * (len(header) + 1)]
    for f in folders:
        cells = []
        for device in devices:
            names = f.implementations.get(device, ())
            cells.append(", ".join(f"`{n}`" for n in names) or "none")
            # A default of several names is an order of preference.
            cells.append(", else ".join(f"`{n}`" for n in f.defaults.get(device, ())) or "none")
        page = f"[{title(docs_dir, f.docs)}]({_link(src, f.docs)})" if f.docs else ""
        rows += [[f"`{op}`", f"`{f.name}`"] + cells + [page] for op in f.ops]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def on_config(config):
    config["nav"] = fill_nav(config["nav"], config["docs_dir"], op_folders())
    return config


def on_page_markdown(markdown, page, config, files):
    src, docs_dir = page.file.src_uri, config["docs_dir"]
    if PAGES_MARKER in markdown:
        markdown = markdown.replace(PAGES_MARKER, page_links(src, docs_dir, op_folders()))
    if TABLE_MARKER in markdown:
        markdown = markdown.replace(TABLE_MARKER, op_table(src, docs_dir, op_folders()))
    return markdown
