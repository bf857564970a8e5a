"""softmax's and log_softmax's CUDA kernels, written once for the three strategies of
_rows.py (one thread, one block or one warp per row) and compiled per (strategy, dtype,
looped: whether the grid was capped and blocks loop over several slots of rows, see
_rows.py, log: log_softmax rather than softmax). ``looped`` and ``log`` are
compile-time constants: each variant compiles to its own straight code.

Forward, per row (k runs over the elements this thread owns; reduce_* combines the
row's threads, see _rows.py)::

    m = reduce_max(max_k x[k])                      # NaN if the row holds a NaN
    s = reduce_sum(sum_k exp(x[k] - m))             # >= 1: its log is finite
    softmax:      y[k] = exp(x[k] - m) * (1 / s)    # exp again: cheaper than a buffer
    log_softmax:  y[k] = (x[k] - m) - log(s)        # the same expression as numpy.py

Backward, from the saved output y (for log_softmax exp(y) is the softmax)::

    softmax:      d = reduce_sum(sum_k g[k] * y[k]);  gx[k] = y[k] * (g[k] - d)
    log_softmax:  s = reduce_sum(sum_k g[k]);         gx[k] = g[k] - exp(y[k]) * s

Memory: the output only; partial values live in registers (and shared memory for the
block reductions). Row r of the (outer, n, inner) view lives at o * n * inner + c
with stride inner (o, c = divmod(r, inner)).
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numba import cuda

from ... import _cuda
from ..._cuda import empty
from .. import SoftmaxGeometry
from ._rows import STRATEGIES, Strategy, launch_rows, nanmax


@lru_cache(maxsize=None)
def _kernels(name: str, dtype: np.dtype, looped: bool, log: bool):
    strategy = STRATEGIES[name]
    first_row, row_of = strategy.first_row, strategy.row_of
    reduce_max, reduce_sum = strategy.reducers(dtype)
    # Constants of the array's dtype: a float64 literal would turn float32 maths into
    # float64 maths.
    neg_inf, zero, one = dtype.type(-np.inf), dtype.type(0), dtype.type(1)

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
                if log:
                    ls = math.log(s)
                    for k in range(k0, kend, dk):
                        i = base + k * inner
                        y[i] = (x[i] - m) - ls
                else:
                    inv = one / s
                    for k in range(k0, kend, dk):
                        i = base + k * inner
                        y[i] = math.exp(x[i] - m) * inv
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
            d = zero
            for k in range(k0, kend, dk):
                i = base + k * inner
                d += g[i] if log else g[i] * y[i]
            d = reduce_sum(d)
            for k in range(k0, kend, dk):
                i = base + k * inner
                if log:
                    gx[i] = g[i] - math.exp(y[i]) * d
                else:
                    gx[i] = y[i] * (g[i] - d)
            if not looped:
                break
            b += cuda.gridDim.x

    return forward_kernel, backward_kernel


def _forward(strategy: Strategy, log: bool, g: SoftmaxGeometry, x):
    y = empty(x.shape, x.dtype)
    if y.size:
        dt = np.dtype(x.dtype)
        launch_rows(strategy, lambda looped: _kernels(strategy.name, dt, looped, log)[0], g,
                    x, y)
    return y, y


def _backward(strategy: Strategy, log: bool, g: SoftmaxGeometry, grad_out, y,
              needs_input_grad: tuple[bool]) -> tuple:
    if not needs_input_grad[0]:
        return (None,)
    gx = empty(y.shape, y.dtype)
    if gx.size:
        dt = np.dtype(y.dtype)
        launch_rows(strategy, lambda looped: _kernels(strategy.name, dt, looped, log)[1], g,
                    y, grad_out, gx)
    return (gx,)


def softmax_forward(strategy: Strategy, g: SoftmaxGeometry, x):
    """x (any shape, device array) -> (softmax along ``dim``, same shape and dtype;
    saved: itself)."""
    return _forward(strategy, False, g, x)


def softmax_backward(strategy: Strategy, g: SoftmaxGeometry, grad_out, y,
                     needs_input_grad: tuple[bool]) -> tuple:
    """dL/dx = y * (g - sum(g * y, dim)), from the saved output y: a new device array."""
    return _backward(strategy, False, g, grad_out, y, needs_input_grad)


def log_softmax_forward(strategy: Strategy, g: SoftmaxGeometry, x):
    """x (any shape, device array) -> (log_softmax along ``dim``, same shape and dtype;
    saved: itself)."""
    return _forward(strategy, True, g, x)


def log_softmax_backward(strategy: Strategy, g: SoftmaxGeometry, grad_out, y,
                         needs_input_grad: tuple[bool]) -> tuple:
    """dL/dx = g - exp(y) * sum(g, dim), from the saved output y: a new device array."""
    return _backward(strategy, True, g, grad_out, y, needs_input_grad)
