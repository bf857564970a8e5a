"""log_softmax's CUDA kernels, written once for the three strategies of softmax's
cuda/_rows.py (one thread, one block or one warp per row), compiled per (strategy,
dtype, looped). Read ops/softmax/cuda/_kernels.py first: this is the same plan with a
log-sum-exp.

Forward, per row (k over the elements this thread owns; reduce_* combines the row's
threads)::

    m = reduce_max(max_k x[k])                      # NaN if the row holds a NaN
    s = reduce_sum(sum_k exp(x[k] - m))             # >= 1: its log is finite
    y[k] = (x[k] - m) - log(s)                      # the same expression as numpy.py

Backward, from the saved output y (exp(y) is the softmax)::

    s = reduce_sum(sum_k g[k])
    gx[k] = g[k] - exp(y[k]) * s
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numba import cuda

from ... import _cuda
from ..._cuda import empty
from ...softmax.cuda._rows import STRATEGIES, Strategy, launch_rows, nanmax


@lru_cache(maxsize=None)
def _kernels(name: str, dtype: np.dtype, looped: bool):
    strategy = STRATEGIES[name]
    first_row, row_of = strategy.first_row, strategy.row_of
    reduce_max, reduce_sum = strategy.reducers(dtype)
    # Constants of the array's dtype, so float32 maths stays float32.
    neg_inf, zero = dtype.type(-np.inf), dtype.type(0)

    @_cuda.kernel
    def forward_kernel(x, y, rows, n, inner):
        # A block owns one slot of rows, or with ``looped`` several (_rows.py).
        b = cuda.blockIdx.x
        while first_row(b) < rows:
            r, k0, dk = row_of(b)
            # Threads past the last row own no element but join the reductions.
            kend = n if r < rows else 0
            base = (r // inner) * n * inner + r % inner
            m = neg_inf
            for k in range(k0, kend, dk):
                m = nanmax(m, x[base + k * inner])
            m = reduce_max(m)
            s = zero
            for k in range(k0, kend, dk):
                s += math.exp(x[base + k * inner] - m)
            s = reduce_sum(s)
            if r < rows:
                ls = math.log(s)
                for k in range(k0, kend, dk):
                    i = base + k * inner
                    y[i] = (x[i] - m) - ls
            if not looped:
                break
            b += cuda.gridDim.x

    @_cuda.kernel
    def backward_kernel(y, g, gx, rows, n, inner):
        b = cuda.blockIdx.x
        while first_row(b) < rows:
            r, k0, dk = row_of(b)
            kend = n if r < rows else 0
            base = (r // inner) * n * inner + r % inner
            s = zero
            for k in range(k0, kend, dk):
                s += g[base + k * inner]
            s = reduce_sum(s)
            for k in range(k0, kend, dk):
                i = base + k * inner
                gx[i] = g[i] - math.exp(y[i]) * s
            if not looped:
                break
            b += cuda.gridDim.x

    return forward_kernel, backward_kernel


def run_forward(strategy: Strategy, x, dim: int):
    """log_softmax of the device array x along dim with ``strategy``: a new array."""
    y = empty(x.shape, x.dtype)
    if y.size:
        dt = np.dtype(x.dtype)
        launch_rows(strategy, lambda looped: _kernels(strategy.name, dt, looped)[0], x.shape,
                    dim, x, y)
    return y


def run_backward(strategy: Strategy, grad_out, out, dim: int):
    """dL/dx = g - exp(y) * sum(g, dim) with ``strategy``: a new device array."""
    gx = empty(out.shape, out.dtype)
    if gx.size:
        dt = np.dtype(out.dtype)
        launch_rows(strategy, lambda looped: _kernels(strategy.name, dt, looped)[1], out.shape,
                    dim, out, grad_out, gx)
    return gx
