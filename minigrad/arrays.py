"""The few array operations the engine, the optimizers and the modules do outside ops,
written once for both devices: a NumPy array on the CPU, a Numba device array on cuda.

They run the registry's kernels (``dispatch.run``) on every device, so a gradient's cast,
copy and accumulation, a fill and a copy to another device are ordinary dispatched ops
(the profiler sees them, ``use()`` selects them) and, on cuda, never leave the GPU
unless asked to.
"""
from __future__ import annotations

import numpy as np

from .device import CPU, Device, device_of
from .ops import full as _full
from .ops import to_copy as _to_copy
from .ops._attrs import NONE, Attrs


def full(shape, value, dtype, device: Device = CPU):
    """A new array of ``shape`` filled with ``value`` on ``device`` (the op ``full``)."""
    from . import dispatch
    return dispatch.run("full", device.type, _full.declare(shape, value, dtype))


def move(a, target: Device):
    """``a`` on ``target``: ``a`` itself when it is there already, else a copy (the op
    ``to_copy``, off the tape: for arrays, where ``Tensor.to`` records one)."""
    source = device_of(a)
    if source == target:
        return a
    from . import dispatch
    return dispatch.run("to_copy", source.type, _to_copy.declare(source, target), a)


def to_host(a) -> np.ndarray:
    """``a`` as a NumPy array: itself on the host, else a copy back (``to_copy``)."""
    return move(a, CPU)


def zeros_like(a):
    return full(a.shape, 0, a.dtype, device_of(a))


def _run(op: str, g, *arrays):
    from . import dispatch
    # A NumPy scalar (a kernel's 0-d result) is a host value too: only device arrays
    # have copy_to_host.
    return dispatch.run(op, "cuda" if hasattr(arrays[0], "copy_to_host") else "cpu", g, *arrays)


def owns_memory(a) -> bool:
    """Whether ``a`` is a NumPy array owning its buffer (no view of another array): a
    kernel's fresh output, which the engine may keep as a gradient without a copy. False
    for a device array, whose views cannot be told apart cheaply (it is copied)."""
    return isinstance(a, np.ndarray) and a.base is None


def copy(a):
    """A new array with the same values: the cast kernel to ``a``'s own dtype (device to
    device on cuda)."""
    return _run("cast", Attrs(dtype=a.dtype), a)


def cast(a, dtype):
    """``a`` in ``dtype`` (``a`` itself when it already is)."""
    dtype = np.dtype(dtype)
    if not hasattr(a, "copy_to_host"):
        a = np.asarray(a)  # a NumPy scalar from a kernel counts as a 0-d array
    if a.dtype == dtype:
        return a
    return _run("cast", Attrs(dtype=dtype), a)


def add(a, b):
    """``a + b`` for two arrays of one shape, dtype and device."""
    return _run("add", NONE, a, b)
