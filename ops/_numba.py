"""How ops compile Numba kernels: ``njit`` is numba.njit, except that the on-disk cache
(``cache=True``) of a kernel in an ops file also notices edits to the ops files that its
file imports. ``prange``, ``types`` and the rest still come from numba.

Why: Numba stamps a cached kernel's index with a hash of the kernel's own source file,
and loads the compiled code as long as that stamp matches. A kernel that compiles in a
helper from another file (softmax's numba.py and _rows_numba.py; linear's numba.py and
matmul's ``_bmm``), or reads a constant from one (Numba freezes globals at compile time),
kept running the old code after an edit to that file, until someone deleted
``__pycache__``.

How: the stamp of an ops file becomes (numba's own stamp of the file, a digest of its
dependencies). Its dependencies are the files inside the ops tree it imports, directly
or through each other, found by reading the imports with ``ast`` (nothing is imported):
``from . import X`` counts X's file if X is a submodule, else the package's __init__.py;
``from ..matmul.numba import _bmm`` and ``import minigrad.ops.matmul.numba`` count
matmul/numba.py, not the parent packages Python imports on the way. Numba already
ignores an index whose stamp differs, so only what the stamp covers changes. It is done
by subclasses of numba's cache locators (NUMBA_CACHE_DIR, ``__pycache__`` next to the
source, the user-wide cache: numba's order), put in front of numba's list the first
time ``njit`` runs; they decline files outside the ops tree, so every other package's
cache works as before.

Over-approximate by design: every ops file a kernel's file imports counts, used by a
kernel or not (``from . import Geometry`` brings in the op's __init__.py and what that
imports); an edit there costs a recompile, never a stale kernel. Not seen: imports
spelled at run time (importlib), and everything when NUMBA_CACHE_LOCATOR_CLASSES
replaces numba's locator list. Should a future numba lack the private names used here,
``njit`` warns once and the cache is numba's own again.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import os
import warnings

import numba

_HERE = os.path.dirname(os.path.realpath(__file__))

# Package folders whose files get the dependency stamp -> the names absolute imports of
# them start with. The ops tree is installed as minigrad.ops; `ops.` is accepted too.
_ROOTS: dict[str, tuple[str, ...]] = {_HERE: ("minigrad.ops", "ops")}

# The numba locators we subclass, in numba's own order of preference.
_NUMBA_LOCATORS = ("UserProvidedCacheLocator", "InTreeCacheLocator", "UserWideCacheLocator")

_installed: bool | None = None  # None: not tried yet; then whether the locators are in


def njit(*args, **kwargs):
    """numba.njit, used the same ways (``@njit``, ``@njit(sig, parallel=True, cache=True)``);
    the first call puts the dependency-aware cache locators in (once per process)."""
    _install()
    return numba.njit(*args, **kwargs)


def track(root: str, name: str | None = None) -> None:
    """Give the package folder *root* the same cache stamps as the ops tree; absolute
    imports of it start with *name* (default: the folder's name). For tests, which build
    a small package in a temporary folder."""
    root = os.path.realpath(root)
    _ROOTS[root] = (name or os.path.basename(root),)


def dependencies(path: str) -> list[str]:
    """The files inside *path*'s tree that *path* imports, directly or through each other,
    as real paths, sorted, without *path* itself. [] for a file outside every tree."""
    path = os.path.realpath(path)
    root = _root_of(path)
    if root is None:
        return []
    seen = {path}
    todo = [path]
    while todo:
        for dep in _direct_imports(todo.pop(), root):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    seen.discard(path)
    return sorted(seen)


def digest(path: str) -> str:
    """sha256 over the dependencies of *path* (their paths inside the tree and contents),
    in sorted order; what the cache stamp of *path* adds to numba's own."""
    path = os.path.realpath(path)
    root = _root_of(path)
    h = hashlib.sha256()
    for dep in dependencies(path):
        # The relative path too: a renamed or moved helper changes the digest.
        h.update(os.path.relpath(dep, root).encode() + b"\0")
        h.update(_file_hash(dep, *_stat_key(dep)))
    return h.hexdigest()


# ---------------------------------------------------------------- the dependency finder


def _root_of(path: str) -> str | None:
    """The innermost tracked folder holding the real path *path*, or None."""
    best = None
    for root in _ROOTS:
        if path.startswith(root + os.sep) and (best is None or len(root) > len(best)):
            best = root
    return best


def _stat_key(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_mtime_ns, st.st_size


def _direct_imports(path: str, root: str) -> set[str]:
    """The files inside *root* that the module *path* names in its imports. Resolved on
    every call (a few stat calls), since files can appear or go away after the parse."""
    names = _ROOTS[root]
    package = os.path.relpath(os.path.dirname(path), root).split(os.sep)
    package = [] if package == ["."] else package
    found = set()
    for level, module, imported in _imports(path, *_stat_key(path)):
        if level:
            up = level - 1  # `.` is the file's own package
            if up > len(package):
                continue  # above the tree
            parts = package[:len(package) - up] + (module.split(".") if module else [])
        else:
            parts = _absolute_parts(module, names)
            if parts is None:
                continue  # outside the tree
        if imported is None:  # `import a.b.c`: a/b/c's file, not its parents'
            found.add(_module_file(root, parts))
        for name in imported or ():
            # `from P import X`: X's own file when X is a submodule, else P's file.
            sub = _module_file(root, parts + [name]) if name != "*" else None
            found.add(sub or _module_file(root, parts))
    found.discard(None)
    return found


@functools.lru_cache(maxsize=None)
def _imports(path: str, mtime_ns: int, size: int) -> tuple[tuple[int, str, tuple | None], ...]:
    """The imports of the module *path* as (level, module, names imported, None for a
    plain ``import``), anywhere in the file (a function's local import counts too).
    Memoised per (path, mtime, size): parsed once per process, again if it changes."""
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read(), filename=path)
    except (SyntaxError, ValueError):  # cannot be imported either; its contents still count
        return ()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(0, alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or "", tuple(a.name for a in node.names)))
    return tuple(found)


def _absolute_parts(module: str, names: tuple[str, ...]) -> list[str] | None:
    """Module path inside the tree of the absolute name *module* ([] for the tree's own
    package), or None when it names something outside the tree."""
    for name in names:
        if module == name:
            return []
        if module.startswith(name + "."):
            return module[len(name) + 1:].split(".")
    return None


def _module_file(root: str, parts: list[str]) -> str | None:
    """The file of the module root/<parts> (a .py file or a package's __init__.py)."""
    base = os.path.join(root, *parts)
    candidates = [os.path.join(base, "__init__.py")]
    if parts:
        candidates.insert(0, base + ".py")
    for candidate in candidates:
        if os.path.isfile(candidate):
            return os.path.realpath(candidate)
    return None


@functools.lru_cache(maxsize=None)
def _file_hash(path: str, mtime_ns: int, size: int) -> bytes:
    """sha256 of the file's contents; memoised per (path, mtime, size) as numba does."""
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).digest()


# ---------------------------------------------------------------- numba's cache locators


class _DependencyStamp:
    """Mixed in front of a numba cache locator: declines files outside the tracked trees,
    and stamps the others with (numba's stamp, digest of their dependencies)."""

    def __init__(self, py_func, py_file):
        super().__init__(py_func, py_file)
        self._stamped_file = py_file

    def get_source_stamp(self):
        return (super().get_source_stamp(), digest(self._stamped_file))

    @classmethod
    def from_function(cls, py_func, py_file):
        if _root_of(os.path.realpath(py_file)) is None:
            return None  # numba's own locators, next in the list, take it
        return super().from_function(py_func, py_file)


def _install() -> bool:
    """Put the locators in front of numba's list, once; warn once if this numba lacks the
    names used. Returns whether they are in."""
    global _installed
    if _installed is None:
        _installed = _insert_locators()
        if not _installed:
            warnings.warn(
                f"minigrad.ops: numba {numba.__version__} lacks the cache locator names "
                "ops/_numba.py extends; the on-disk cache of ops' kernels will not notice "
                "edits to the ops files they import (delete their __pycache__ after "
                "editing one)", RuntimeWarning, stacklevel=3)
    return _installed


def _insert_locators() -> bool:
    try:
        from numba.core import caching

        # CacheImpl in numba 0.68; _CacheImpl in older ones.
        impl = getattr(caching, "CacheImpl", None) or getattr(caching, "_CacheImpl")
        classes = impl._locator_classes
        bases = [getattr(caching, name) for name in _NUMBA_LOCATORS]
    except (ImportError, AttributeError):
        return False
    if not isinstance(classes, list):  # changed in place below
        return False
    ours = [type("Ops" + base.__name__, (_DependencyStamp, base),
                 {"__module__": __name__, "_minigrad_ops": True}) for base in bases]
    # In place: numba's CacheImpl subclasses (the CUDA one too) share this list. Ours from
    # an earlier copy of this module (a reload) make way.
    classes[:] = ours + [c for c in classes if not getattr(c, "_minigrad_ops", False)]
    return True
