"""log_softmax, parallel CPU kernels with Numba: softmax's kernels with a log-sum-exp.

The same plan as softmax's numba.py (read it first; the vectorised exp and the row and
column reductions are shared from there). The input is viewed as (outer, n, inner) with
the dimension ``dim`` in the middle, and each item of a prange loop owns whole lines or
whole chunks of lines, so no two threads write the same element and each value is
computed in a fixed order: the results do not depend on the number of threads.

Along the last dimension (inner == 1), one row per item, in L1::

    for r in prange(outer):
        m = max(x[r, :])
        y[r, k] = exp(x[r, k] - m)           # y as scratch space for the exponentials
        ls = log(sum(y[r, :]))
        y[r, k] = (x[r, k] - m) - ls         # the same expression as numpy.py

Along another dimension (inner > 1), three passes over chunks of kc rows, each inner
loop along a contiguous row of ``inner`` values (the kc and chunk count are fixed by the
shape, never by the thread count)::

    for (o, j) in prange(outer x chunks):    part[o, j, c] = max over the chunk's rows
    m[o, c] = max_j part[o, j, c]            # serial, 1/kc of the data
    for (o, j) in prange(outer x chunks):    part[o, j, c] = sum over the chunk of exp(x - m)
    s[o, c] = sum_j part[o, j, c]            # serial, in chunk order
    for (o, j) in prange(outer x chunks):    y[o, k, c] = (x[o, k, c] - m[o, c]) - log s[o, c]

Backward, from the saved output y (exp(y) is the softmax): dL/dx = g - exp(y) * sum(g),
with the sum per row (inner == 1) or by chunks as above. Tiny inputs (fewer than
PARALLEL_MIN elements) run the row loops serially.

Memory: forward and backward allocate their output (x's shape and dtype); the column
kernels also allocate the (outer, n / kc, inner) chunk partials and (outer, inner)
totals. The row kernels use the output row itself as scratch. Non-contiguous arguments
are copied to C order first (a no-op for the usual arrays).

The helpers imported from softmax/numba.py are compiled into this module's kernels, and
Numba's on-disk cache of this module does not notice edits to that file: after changing
it, delete this folder's __pycache__ as well.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ..softmax.numba import (
    PARALLEL_MIN,
    _cols_exp_sum,
    _cols_max,
    _cols_sum,
    _exp,
    _exp_shifted,
    _max,
    _sum,
    chunking,
    combine_max,
    combine_sum,
    lines,
)


@njit(cache=True)
def _log_softmax_row(x, y):
    m = _max(x)
    _exp_shifted(x, m, y)
    ls = np.log(_sum(y))
    for k in range(x.shape[0]):
        y[k] = (x[k] - m) - ls


@njit(cache=True)
def _log_softmax_row_grad(y, g, gx):
    s = _sum(g)
    for k in range(y.shape[0]):
        gx[k] = g[k] - _exp(y[k]) * s


@njit(parallel=True, cache=True)
def _forward_rows(x, y):
    """x, y: (R, n). log_softmax of every row, one row per item."""
    if x.size < PARALLEL_MIN:
        for r in range(x.shape[0]):
            _log_softmax_row(x[r], y[r])
    else:
        for r in prange(x.shape[0]):
            _log_softmax_row(x[r], y[r])


@njit(parallel=True, cache=True)
def _backward_rows(y, g, gx):
    if y.size < PARALLEL_MIN:
        for r in range(y.shape[0]):
            _log_softmax_row_grad(y[r], g[r], gx[r])
    else:
        for r in prange(y.shape[0]):
            _log_softmax_row_grad(y[r], g[r], gx[r])


@njit(parallel=True, cache=True)
def _forward_cols(x, y):
    """x, y: (outer, n, inner). log_softmax along axis 1; items are chunks of kc rows."""
    outer, n, inner = x.shape
    kc, nk = chunking(n, inner)
    part = np.empty((outer, nk, inner), x.dtype)
    for item in prange(outer * nk):
        o, j = item // nk, item % nk
        _cols_max(x[o, j * kc:(j + 1) * kc], part[o, j])
    m = combine_max(part)
    part = np.empty((outer, nk, inner), x.dtype)
    for item in prange(outer * nk):
        o, j = item // nk, item % nk
        _cols_exp_sum(x[o, j * kc:(j + 1) * kc], m[o], None, part[o, j])
    s = combine_sum(part)
    for item in prange(outer * nk):
        o, j = item // nk, item % nk
        xc, yc, mo = x[o, j * kc:(j + 1) * kc], y[o, j * kc:(j + 1) * kc], m[o]
        ls = np.log(s[o])
        for k in range(xc.shape[0]):
            xk, yk = xc[k], yc[k]
            for c in range(inner):
                yk[c] = (xk[c] - mo[c]) - ls[c]


@njit(parallel=True, cache=True)
def _backward_cols(y, g, gx):
    """y, g, gx: (outer, n, inner). sum(g) along axis 1 by chunks, then gx."""
    outer, n, inner = y.shape
    kc, nk = chunking(n, inner)
    part = np.empty((outer, nk, inner), y.dtype)
    for item in prange(outer * nk):
        o, j = item // nk, item % nk
        _cols_sum(g[o, j * kc:(j + 1) * kc], part[o, j])
    gs = combine_sum(part)
    for item in prange(outer * nk):
        o, j = item // nk, item % nk
        rows = slice(j * kc, (j + 1) * kc)
        yc, gc, gxc, so = y[o, rows], g[o, rows], gx[o, rows], gs[o]
        for k in range(yc.shape[0]):
            yk, gk, gxk = yc[k], gc[k], gxc[k]
            for c in range(inner):
                gxk[c] = gk[c] - _exp(yk[c]) * so[c]


def forward(x: np.ndarray, *, dim: int) -> np.ndarray:
    """x (any shape) -> log_softmax along ``dim``, same shape and dtype."""
    y = np.empty(x.shape, x.dtype)
    if y.size:
        outer, n, inner = lines(x.shape, dim)
        x = np.ascontiguousarray(x)
        if inner == 1:
            _forward_rows(x.reshape(outer, n), y.reshape(outer, n))
        else:
            _forward_cols(x.reshape(outer, n, inner), y.reshape(outer, n, inner))
    return y


def backward(
    grad_out: np.ndarray,
    inputs: tuple[np.ndarray],
    out: np.ndarray,
    needs_input_grad: tuple[bool],
    *,
    dim: int,
) -> tuple[np.ndarray | None]:
    """dL/dx = g - exp(y) * sum(g, dim), from the saved output y."""
    if not needs_input_grad[0]:
        return (None,)
    gx = np.empty(out.shape, out.dtype)
    if gx.size:
        outer, n, inner = lines(out.shape, dim)
        y = np.ascontiguousarray(out)
        g = np.ascontiguousarray(grad_out, dtype=out.dtype)
        if inner == 1:
            _backward_rows(y.reshape(outer, n), g.reshape(outer, n), gx.reshape(outer, n))
        else:
            shape3 = (outer, n, inner)
            _backward_cols(y.reshape(shape3), g.reshape(shape3), gx.reshape(shape3))
    return (gx,)
