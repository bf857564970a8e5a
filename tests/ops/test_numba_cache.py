"""ops/_numba.py: the on-disk cache of an ops kernel notices edits to the ops files its
file imports. The dependency finder on the real ops tree and on a small tree built here;
then the real thing: a cached kernel compiling in a helper from another file, run in
fresh processes (numba keeps compiled code in memory too) before and after an edit to
the helper, with plain numba.njit as the control that returns the stale value."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("numba")

from minigrad.ops import _numba  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OPS = os.path.realpath(os.path.dirname(_numba.__file__))
PKG = "mg_cache_probe"  # the package built in tmp_path


def _ops(rel: str) -> str:
    return os.path.join(OPS, *rel.split("/"))


def _write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


# ---------------------------------------------------------------- the dependency finder


def test_real_kernels_depend_on_the_files_they_compile_in():
    linear = _numba.dependencies(_ops("linear/numba.py"))
    assert _ops("matmul/numba.py") in linear  # _bmm
    assert _ops("matmul/_batched.py") in linear  # through matmul/numba.py
    assert _ops("softmax/_rows_numba.py") in _numba.dependencies(_ops("softmax/numba.py"))
    assert _ops("avg_pool2d/numpy.py") in _numba.dependencies(_ops("avg_pool2d/numba.py"))
    for rel in ("linear/numba.py", "softmax/numba.py", "softmax/_rows_numba.py"):
        deps = _numba.dependencies(_ops(rel))
        assert _ops(rel) not in deps
        assert _ops("_numba.py") in deps  # njit comes from there
        assert deps == sorted(deps)
        assert all(os.path.commonpath([OPS, d]) == OPS for d in deps)


def test_files_outside_the_tree_have_no_dependencies():
    assert _numba.dependencies(os.path.abspath(__file__)) == []


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A package laid out like ops in tmp_path, tracked for this test only."""
    monkeypatch.setattr(_numba, "_ROOTS", dict(_numba._ROOTS))
    pkg = tmp_path / PKG
    _write(pkg / "__init__.py", "GEOMETRY = 1\n")
    _write(pkg / "_shared.py", "from . import kernel  # a cycle back\nK = 3\n")
    _write(pkg / "op" / "__init__.py", "from .. import _shared\n")
    _write(pkg / "op" / "helper.py", "def value():\n    return 1\n")
    _write(pkg / "op" / "unused.py", "X = 0\n")
    _write(pkg / "kernel.py", f"""\
        import numpy as np
        from . import GEOMETRY, _shared
        from .op.helper import value
        import {PKG}.op.unused
        from ... import beyond
        def f():
            from ._missing import nothing
    """)
    _numba.track(str(pkg))
    return pkg


def test_dependency_rules_on_a_small_tree(tree):
    deps = _numba.dependencies(str(tree / "kernel.py"))
    expected = [
        tree / "__init__.py",  # `from . import GEOMETRY`: an attribute, so the package
        tree / "_shared.py",  # `from . import _shared`: a submodule
        tree / "op" / "helper.py",  # not op/__init__.py: an implicit parent
        tree / "op" / "unused.py",  # an absolute import of the tree
    ]
    assert deps == sorted(os.path.realpath(p) for p in expected)


def test_digest_follows_dependencies_not_the_file_itself(tree):
    kernel = str(tree / "kernel.py")
    before = _numba.digest(kernel)
    with open(kernel, "a") as f:
        f.write("# an edit to the file itself: numba's own stamp sees it\n")
    assert _numba.digest(kernel) == before
    (tree / "op" / "helper.py").write_text("def value():\n    return 20\n")
    edited = _numba.digest(kernel)
    assert edited != before
    (tree / "op" / "unused.py").unlink()  # a dependency gone counts too
    assert _numba.digest(kernel) not in (before, edited)


# ---------------------------------------------------------------- the cache, for real


RUN = """\
import sys, warnings
sys.path.insert(0, {tmp!r})
from minigrad.ops import _numba
_numba.track({pkg!r})
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    {hide}
    from {name}.kernel import kernel
    value = kernel()
lost = sum("will not notice" in str(w.message) for w in caught)
print(value, sum(kernel.stats.cache_hits.values()), lost)
"""

HIDE = """\
import numba.core.caching as caching
    for name in ("CacheImpl", "_CacheImpl"):
        if hasattr(caching, name):
            delattr(caching, name)"""


def _probe(tmp_path, njit_from: str):
    """The package: kernel.py's cached kernel calls helper.py's value(); returns how to
    run it in a fresh process, giving (value, cache hits, 'cache lost' warnings)."""
    pkg = tmp_path / PKG
    _write(pkg / "__init__.py", "")
    _write(pkg / "helper.py", f"""\
        from {njit_from} import njit

        @njit
        def value():
            return 1
    """)
    _write(pkg / "kernel.py", f"""\
        from {njit_from} import njit
        from .helper import value

        @njit(cache=True)
        def kernel():
            return value()
    """)

    def run(cache_dir=None, hide=False):
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")  # no stale .pyc of helper.py
        for var in ("NUMBA_CACHE_DIR", "NUMBA_CACHE_LOCATOR_CLASSES", "NUMBA_DISABLE_JIT"):
            env.pop(var, None)
        if cache_dir is not None:
            env["NUMBA_CACHE_DIR"] = str(cache_dir)
        code = RUN.format(tmp=str(tmp_path), pkg=str(pkg), name=PKG,
                          hide=HIDE if hide else "pass")
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=180)
        assert out.returncode == 0, out.stderr
        return tuple(int(v) for v in out.stdout.split())

    return pkg, run


def _edit_helper(pkg) -> None:
    helper = pkg / "helper.py"
    helper.write_text(helper.read_text().replace("return 1", "return 20"))


@pytest.mark.parametrize("user_cache_dir", [False, True], ids=["__pycache__", "NUMBA_CACHE_DIR"])
def test_an_edit_to_a_helper_recompiles_the_cached_kernel(tmp_path, user_cache_dir):
    pkg, run = _probe(tmp_path, "minigrad.ops._numba")
    cache_dir = tmp_path / "numba_cache" if user_cache_dir else None
    assert run(cache_dir) == (1, 0, 0)  # compiled and saved
    assert run(cache_dir) == (1, 1, 0)  # loaded from disk: the stamp is stable
    _edit_helper(pkg)
    assert run(cache_dir) == (20, 0, 0)  # the stamp changed: compiled afresh
    assert run(cache_dir) == (20, 1, 0)
    in_tree = list((pkg / "__pycache__").glob("*.nbi"))
    if user_cache_dir:
        assert not in_tree and list(cache_dir.rglob("kernel.kernel-*.nbi"))
    else:
        assert in_tree


def test_control_plain_numba_returns_the_stale_value(tmp_path):
    pkg, run = _probe(tmp_path, "numba")
    assert run() == (1, 0, 0)
    _edit_helper(pkg)
    assert run() == (1, 1, 0)  # what ops' kernels did before ops/_numba.py


def test_without_numbas_private_names_njit_warns_once_and_works(tmp_path):
    _, run = _probe(tmp_path, "minigrad.ops._numba")
    assert run(hide=True) == (1, 0, 1)  # two njit calls, one warning, numba's own cache
