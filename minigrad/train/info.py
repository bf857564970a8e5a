"""``minigrad info``: versions, devices, the registered implementations of every op, and
whether the datasets are installed. Reads; never compiles, downloads or imports torch."""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import textwrap
from importlib import metadata

from ..data.datasets import FILES
from ..device import device as as_device
from ..dispatch import implementations, ops, selected
from . import data as datasets

DEVICES = ("cpu", "cuda")
_HOW_TO_GET = {"fashion-mnist": "install it with: apt-get install dataset-fashion-mnist",
               "mnist": "no Debian package: put its four IDX files there"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``minigrad info`` takes no options."""


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions() -> list[tuple[str, str]]:
    """(name, version) of Python, minigrad and the libraries it uses or can use.
    torch is looked up in the installed metadata, never imported."""
    from .. import __version__
    dot = shutil.which("dot")
    if dot is None:
        dot_text = "not found (apt-get install graphviz for graph pictures)"
    else:
        try:
            import graphviz
            dot_text = f"{'.'.join(map(str, graphviz.version()))} ({dot})"
        except Exception as e:  # a broken Graphviz: say so, don't fail
            dot_text = f"found at {dot} but not runnable: {e}"
    return [("python", sys.version.split()[0]), ("minigrad", __version__),
            ("numpy", _version("numpy")), ("numba", _version("numba")),
            ("graphviz (Python)", _version("graphviz")), ("graphviz dot", dot_text),
            ("matplotlib", _version("matplotlib")), ("tqdm", _version("tqdm")),
            ("torch (reference only)", _version("torch"))]


def devices() -> list[tuple[str, str]]:
    from ..bench.machine import cpu_model, numba_threads, usable_cores
    threads = numba_threads()
    cpu = f"available: {cpu_model()}, {usable_cores()} usable cores" + (
        f", {threads} Numba threads" if threads else "")
    rows = [("cpu", cpu)]
    try:
        as_device("cuda")
        rows.append(("cuda", "available"))
    except (RuntimeError, ValueError) as e:
        rows.append(("cuda", str(e)))
    return rows


def implementation_table(device: str) -> tuple[list[tuple[str, list[str], str]], list[str]]:
    """([(op, its implementations, the default)] for ops with a choice, [ops with a
    single implementation]) on ``device``."""
    several, single = [], []
    for op in ops():
        names = implementations(op, device)
        if not names:
            continue
        if len(names) == 1:
            single.append(op)
            continue
        try:
            default = selected(op, device)
        except RuntimeError:
            default = ""
        several.append((op, names, default))
    return several, single


def dataset_status(name: str) -> tuple[str, bool]:
    """(the default root, whether the four IDX files are found there)."""
    cls = datasets.DATASETS[name][0]
    root = datasets.default_root(name)
    folders = [root, os.path.join(root, cls.__name__, "raw")]
    found = all(any(os.path.isfile(os.path.join(d, base + ext)) for d in folders
                    for ext in ("", ".gz"))
                for split in (True, False) for base in FILES[split])
    return root, found


def main(args: argparse.Namespace | None = None) -> int:
    print("Versions")
    for name, version in versions():
        print(f"  {name:<24}{version}")
    print("\nDevices")
    for name, status in devices():
        print(f"  {name:<24}{status}")
    print("\nOps and their implementations (* = the default)")
    for device in DEVICES:
        several, single = implementation_table(device)
        if not several and not single:
            continue
        print(f"  on {device}:")
        for op, names, default in several:
            listed = ", ".join(n + ("*" if n == default else "") for n in names)
            print(f"    {op:<16}{listed}")
        if single:
            impls = sorted({implementations(op, device)[0] for op in single})
            head = f"    one implementation ({', '.join(impls)}): "
            print(textwrap.fill(", ".join(single), width=92, initial_indent=head,
                                subsequent_indent=" " * 8))
    print("\nDatasets")
    for name in datasets.DATASETS:
        root, found = dataset_status(name)
        status = (f"found at {root}" if found else
                  f"not found at {root} ({_HOW_TO_GET.get(name, 'see its docs')})")
        print(f"  {name:<24}{status}")
    return 0
