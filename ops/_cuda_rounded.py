"""Arithmetic for CUDA kernels that must give NumPy's bits: each operation rounded once
in the array's dtype, never fused.

NVVM fuses a multiply and an add into one FMA by default (one rounding instead of two),
which drifts from NumPy by an ulp now and then. libdevice's correctly rounded ``*_rn``
functions are never fused. Under the simulator each thread runs as Python on NumPy
scalars of the array's dtype, so plain operators already round once per operation
(libdevice's functions are only typing stubs there).

Used by the in-place updates that the CPU does in NumPy and the GPU must repeat exactly
(the optimizers' steps, BatchNorm's running statistics). Their Python-number options
must be turned into the array's dtype on the host (``np.float32(lr)``), as NumPy does
with a Python scalar next to an array, so the kernel never computes in float64 where
NumPy computes in float32.
"""
from __future__ import annotations

import functools
import operator

import numpy as np

from . import _cuda


@functools.lru_cache(maxsize=None)
def arith(dtype: np.dtype) -> tuple:
    """(add, mul, div, sqrt) rounding once per operation in ``dtype``, never fused."""
    if _cuda.SIMULATOR:
        return operator.add, operator.mul, operator.truediv, np.sqrt
    from numba.cuda import libdevice
    if dtype == np.float32:
        return libdevice.fadd_rn, libdevice.fmul_rn, libdevice.fdiv_rn, libdevice.fsqrt_rn
    return libdevice.dadd_rn, libdevice.dmul_rn, libdevice.ddiv_rn, libdevice.dsqrt_rn
