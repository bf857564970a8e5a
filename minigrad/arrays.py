"""The few array operations the engine, the optimizers and the modules do outside ops,
written once for both devices: a NumPy array on the CPU, a Numba device array on cuda.

On cuda they run the registry's kernels or the fill/copy helpers of ops/_cuda.py, so a
gradient being accumulated never leaves the GPU.
"""
from __future__ import annotations

import numpy as np

from .device import CPU, Device, device_of


def _cuda_helpers():
    from .ops import _cuda
    return _cuda


def full(shape, value, dtype, device: Device = CPU):
    """A new array of ``shape`` filled with ``value``."""
    if device == CPU:
        return np.full(shape, value, dtype=dtype)
    return _cuda_helpers().full(shape, value, dtype)


def zeros_like(a):
    return full(a.shape, 0, a.dtype, device_of(a))


def copy(a):
    """A new array with the same values (device to device on cuda)."""
    if isinstance(a, np.ndarray):
        return np.array(a, copy=True)
    return _cuda_helpers().duplicate(a)


def cast(a, dtype):
    """``a`` in ``dtype`` (``a`` itself when it already is)."""
    dtype = np.dtype(dtype)
    if not hasattr(a, "copy_to_host"):
        a = np.asarray(a)  # a NumPy scalar from a kernel counts as a 0-d array
    if a.dtype == dtype:
        return a
    if isinstance(a, np.ndarray):
        return a.astype(dtype)
    from . import dispatch
    return dispatch.lookup("cast", "cuda")[1].forward(a, dtype=dtype)


def add(a, b):
    """``a + b`` for two arrays of one shape, dtype and device."""
    if isinstance(a, np.ndarray):
        return a + b
    from . import dispatch
    return dispatch.lookup("add", "cuda")[1].forward(a, b)
