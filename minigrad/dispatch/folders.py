"""What each op folder declares, folder by folder: read by the registry (its table),
the docs' op index and nav, and the tools that find a folder's own files.

An op is one folder, ``ops/<folder>/``, whose ``__init__.py`` declares its ops
(``OPS``, or the folder's own name), its implementations per device
(``IMPLEMENTATIONS``), their defaults (``DEFAULT``) and, when a page teaches them, that
page (``DOCS = "ops/<page>.md"``, relative to docs/). :func:`op_folders` gives them as
declared, whatever this machine has installed (so the docs built anywhere list the same
implementations); the registry fills its table from it and imports a file only when it
is first needed (:func:`minigrad.implementations` lists those usable here).
:func:`folder_modules` finds the folders' own ``cases.py``, ``examples.py`` and
``bench.py``. ``SAVED_READ_BY`` (optional) says, per op and input, which inputs'
gradients read that input's saved array (see registry.Kernel.read_by).
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from typing import NamedTuple


class OpFolder(NamedTuple):
    """One op folder's declaration.

    name: the folder, ``ops/<name>/``; ops: its ops, in declaration order; docs: its
    page relative to docs/ (``"ops/conv2d.md"``), or None; implementations: device ->
    implementation names, in declaration order; files: device -> {name: the file (module
    name) holding it}, which is the name itself unless one file holds several versions;
    defaults: device -> the default's names in order of preference (the first that
    imports is used, so ``("numba", "numpy")`` is numba, or numpy without numba).
    """

    name: str
    ops: tuple[str, ...]
    docs: str | None
    implementations: dict[str, tuple[str, ...]]
    files: dict[str, dict[str, str]]
    defaults: dict[str, tuple[str, ...]]
    # op -> per input, the inputs whose gradients read its saved array (SAVED_READ_BY).
    read_by: dict[str, tuple] = {}

    def module(self, device: str, name: str) -> str:
        """The module path of implementation ``name`` on ``device``:
        ``ops/<folder>/<file>.py`` on the CPU, ``ops/<folder>/<device>/<file>.py`` else."""
        where = f"minigrad.ops.{self.name}" + ("" if device == "cpu" else f".{device}")
        return f"{where}.{self.files[device][name]}"


def op_folders() -> list[OpFolder]:
    """Every op folder under minigrad.ops that declares implementations, in folder
    (alphabetical) order, the order the registry reads them in."""
    ops_pkg = importlib.import_module("minigrad.ops")
    found = []
    for info in pkgutil.iter_modules(ops_pkg.__path__):
        decl = importlib.import_module(f"minigrad.ops.{info.name}") if info.ispkg else None
        impls = getattr(decl, "IMPLEMENTATIONS", None)
        if impls is None:
            continue
        # A device's names are a tuple, or {name: file} where one file holds several
        # versions (its VERSIONS[name]): the names are the keys either way.
        files = {device: dict(names) if isinstance(names, dict) else {n: n for n in names}
                 for device, names in impls.items()}
        implementations = {device: tuple(names) for device, names in files.items()}
        defaults = {device: (d,) if isinstance(d, str) else tuple(d)
                    for device, d in decl.DEFAULT.items()}
        found.append(OpFolder(info.name, tuple(getattr(decl, "OPS", (info.name,))),
                              getattr(decl, "DOCS", None), implementations, files, defaults,
                              getattr(decl, "SAVED_READ_BY", {})))
    return found


def folder_modules(name: str) -> list:
    """The ``ops/<folder>/<name>.py`` modules that exist (``cases``, ``examples``,
    ``bench``), in folder order: what an op folder declares for the tests, the warm-up
    and the bench."""
    ops_pkg = importlib.import_module("minigrad.ops")
    found = []
    for info in pkgutil.iter_modules(ops_pkg.__path__):
        if info.ispkg and importlib.util.find_spec(f"minigrad.ops.{info.name}.{name}"):
            found.append(importlib.import_module(f"minigrad.ops.{info.name}.{name}"))
    return found
