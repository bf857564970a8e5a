"""The registry of kernels: (op, device, implementation name) -> (forward, backward).

Built-in ops declare themselves in ``ops/<folder>/__init__.py`` (``IMPLEMENTATIONS``,
``DEFAULT`` and, for a folder holding several small ops, ``OPS``; read by
folders.py, which the docs and the tools read too); their modules are
imported the first time they are needed, so an implementation whose dependency is
missing simply does not appear. CPU implementations are the files
``ops/<folder>/<name>.py``; another device's are ``ops/<folder>/<device>/<name>.py`` (so
``ops/conv2d/cuda/tiled.py`` is conv2d's "tiled" kernel on cuda); a file may also hold
several versions, declared as ``{"row": "rows", "warp": "rows"}`` and found in its
``VERSIONS[name]``, or several ops of a family folder, in ``KERNELS[op]``.
``DEFAULT[device]`` is a name or a tuple of names in
order of preference: the first one that imports is used (so without numba the numba
kernels fall back to numpy). Users add their own with :func:`register`.

The kernel contract (docs/tape.md): ``forward(g, *inputs) -> (out, saved)`` and
``backward(g, grad_out, saved, needs_input_grad) -> grads``, where ``g`` is the one
immutable geometry the op's declaration made. Every kernel call, forward or backward,
goes through :func:`call`, the one place a profiler hooks in (:func:`observe`).
"""
from __future__ import annotations

import contextlib
import contextvars
import importlib
from typing import Callable, Iterator, NamedTuple

from .folders import op_folders


class Kernel(NamedTuple):
    """``forward(g, *inputs) -> (out, saved)``; ``backward(g, grad_out, saved,
    needs_input_grad) -> tuple`` with one gradient (or None) per input."""

    forward: Callable
    # None for ops that are not differentiable (comparisons, argmax).
    backward: Callable | None
    # Per input, the inputs whose gradients read that input's saved array (the op
    # folder's SAVED_READ_BY; None: every gradient reads every saved input). apply
    # version-checks a saved input only when one of those gradients is asked for:
    # ``d * 2`` keeps d for 2's gradient, so d may change before backward, as in PyTorch.
    read_by: tuple | None = None


# The profiler's recorder while a profile is active: record(name, impl, device, arrays,
# fn, *args) runs fn(*args) and times it.
_observer = None


def observe(recorder) -> None:
    """Route every kernel call through ``recorder.record`` (None: stop)."""
    global _observer
    _observer = recorder


def call(name: str, impl: str, device: str, arrays: tuple, fn: Callable, *args):
    """``fn(*args)``: one kernel call named ``name`` (``"conv2d"``, ``"conv2d backward"``)
    of implementation ``impl`` on ``device``; ``arrays`` are its inputs, for the
    profiler's shapes."""
    if _observer is None:
        return fn(*args)
    return _observer.record(name, impl, device, arrays, fn, *args)


# (op, device) -> {name: Kernel, or (module path, version name) to import it from}
_table: dict[tuple[str, str], dict[str, "Kernel | tuple[str, str]"]] = {}
# A name, or a tuple of names in order of preference until first resolved.
_defaults: dict[tuple[str, str], "str | tuple[str, ...]"] = {}
_choices: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("minigrad_use", default={})
# (op, device) -> (name, Kernel) of the default, once resolved: the lookup of every op call
# outside a use() block. Emptied whenever a default or an implementation changes.
_resolved: dict[tuple[str, str], tuple[str, "Kernel"]] = {}
_discovered = False
# op -> its folder's SAVED_READ_BY entry (Kernel.read_by).
_read_by: dict[str, tuple] = {}


def _discover() -> None:
    """Read every op declaration under minigrad.ops (once)."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    for folder in op_folders():
        for device, names in folder.implementations.items():
            for op in folder.ops:
                entry = _table.setdefault((op, device), {})
                for name in names:
                    entry.setdefault(name, (folder.module(device, name), name))
                if op in folder.read_by:
                    _read_by[op] = folder.read_by[op]
                default = folder.defaults[device]
                _defaults.setdefault((op, device), default[0] if len(default) == 1 else default)


def _load(op: str, device: str, name: str) -> Kernel | None:
    entry = _table[(op, device)]
    k = entry[name]
    if isinstance(k, Kernel):
        return k
    path, version = k
    try:
        module = importlib.import_module(path)
    except ImportError:
        # An optional dependency (numba, a CUDA driver) is missing: not available here.
        return None
    # A file with several versions has VERSIONS[name]; a file for several ops (a family
    # folder) has KERNELS[op]; otherwise the file's own forward and backward.
    table = getattr(module, "VERSIONS", {}).get(version, getattr(module, "KERNELS", None))
    if isinstance(table, dict):
        table = table[op]
    forward, backward = table if table is not None else (module.forward, module.backward)
    kernel = Kernel(forward, backward, _read_by.get(op))
    entry[name] = kernel
    return kernel


def register(op: str, device: str, name: str, forward: Callable, backward: Callable | None,
             default: bool = False) -> None:
    """Register an implementation of ``op`` on ``device`` under ``name``.

    ``forward(g, *inputs) -> (out, saved)`` and ``backward(g, grad_out, saved,
    needs_input_grad) -> grads`` follow docs/add-your-own-op.md: ``g`` is the geometry
    the front end passed to ``apply``, ``saved`` whatever forward chose to keep. The
    first implementation of an op on a device becomes its default, as does one
    registered with ``default=True``.
    """
    _discover()
    for arg, value in (("op", op), ("device", device), ("name", name)):
        if not isinstance(value, str) or not value:
            raise TypeError(f"{arg}: expected a non-empty string, got {value!r}")
    if not callable(forward) or (backward is not None and not callable(backward)):
        raise TypeError("forward and backward must be callables (backward may be None)")
    _table.setdefault((op, device), {})[name] = Kernel(forward, backward)
    if default or (op, device) not in _defaults:
        _defaults[(op, device)] = name
    _resolved.clear()


def run(op: str, device: str, g, *arrays):
    """The output of ``op``'s selected forward kernel on ``device`` for ``arrays``, off
    the tape (for the engine's own casts and sums, and the optimizers' updates)."""
    impl, kernel = lookup(op, device)
    return call(op, impl, device, arrays, kernel.forward, g, *arrays)[0]


def ops() -> list[str]:
    """Names of all registered ops."""
    _discover()
    return sorted({op for op, _ in _table})


def implementations(op: str, device: str = "cpu") -> list[str]:
    """Names of the implementations of ``op`` usable on ``device`` (those whose
    dependencies import), in registration order."""
    _discover()
    _check_op(op)
    device = _device_key(device)
    entry = _table.get((op, device), {})
    return [name for name in list(entry) if _load(op, device, name) is not None]


def _device_key(device) -> str:
    """"cuda:0", "cuda" and a Device all name the table's "cuda"."""
    return str(getattr(device, "type", device)).split(":")[0]


def _check_op(op: str) -> None:
    if not any(o == op for o, _ in _table):
        raise ValueError(f"unknown op {op!r}; registered ops: {', '.join(ops())}")


def _check_name(op: str, name: str) -> None:
    _check_op(op)
    known = sorted({n for (o, _), entry in _table.items() if o == op for n in entry})
    if name not in known:
        raise ValueError(f"{op}: unknown implementation {name!r}; registered: {', '.join(known)}")


def set_default(op: str, device: str, name: str) -> None:
    """Make ``name`` the implementation of ``op`` used on ``device`` unless a
    :func:`use` block says otherwise."""
    _discover()
    _check_name(op, name)
    if name not in implementations(op, device):
        raise ValueError(f"{op}: implementation {name!r} is not available on {device}; "
                         f"available: {', '.join(implementations(op, device))}")
    _defaults[(op, _device_key(device))] = name
    _resolved.clear()


@contextlib.contextmanager
def use(**choices: str) -> Iterator[None]:
    """Select implementations for a block: ``with minigrad.use(conv2d="naive"): ...``.

    Applies on every device that has an implementation of that name; nested blocks
    override outer ones. Unknown op or implementation names raise ValueError.
    """
    _discover()
    for op, name in choices.items():
        _check_name(op, name)
    token = _choices.set({**_choices.get(), **choices})
    try:
        yield
    finally:
        _choices.reset(token)


def selected(op: str, device: str) -> str:
    """The implementation name :func:`lookup` would use now."""
    _discover()
    device = _device_key(device)
    name = _choices.get().get(op)
    # A use() choice applies on the devices that have an implementation of that name;
    # elsewhere the device's default stands (use(conv2d="naive") leaves cuda alone).
    if name is not None and name not in _table.get((op, device), {}):
        name = None
    if name is None:
        try:
            name = _defaults[(op, device)]
        except KeyError:
            _check_op(op)
            raise RuntimeError(f"{op} has no implementation on device {device!r}") from None
        if isinstance(name, tuple):
            available = [n for n in name if n in _table[(op, device)] and _load(op, device, n)]
            if not available:
                raise RuntimeError(f"{op}: none of the default implementations {name} is "
                                   f"available on {device}")
            name = _defaults[(op, device)] = available[0]
    return name


def lookup(op: str, device: str) -> tuple[str, Kernel]:
    """The (name, kernel) to run ``op`` on ``device`` with, honouring :func:`use` and
    :func:`set_default`."""
    choices = _choices.get()
    if not choices or op not in choices:
        found = _resolved.get((op, device))
        if found is not None:
            return found
    device = _device_key(device)
    name = selected(op, device)
    entry = _table.get((op, device), {})
    kernel = _load(op, device, name) if name in entry else None
    if kernel is None:
        raise RuntimeError(f"{op}: implementation {name!r} is not available on {device}; "
                           f"available: {', '.join(implementations(op, device))}")
    if not choices or op not in choices:
        _resolved[(op, device)] = (name, kernel)
    return name, kernel
