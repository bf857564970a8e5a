"""linear, parallel CPU kernels with Numba: matmul numba's register-tiled GEMM on views,
and two small ``prange`` loops for the bias.

Pseudo code (X = x as (N, in), see the declaration; matmul's numba.py explains the
GEMM: ``b`` packed into panels of 64 columns, 4 x 64 register tiles)::

    out = gemm(X, w^T)                          # w^T packed straight from w's memory
    for n in prange(N): out[n, :] += b          # one row per iteration
    backward: dX = gemm(G, w);  dw = gemm(G^T, X)   (views, as matmul's backward)
    for c in prange(ceil(out / 16)):            # 16 columns of db per task
        db[16c : 16c+16] = sum over n, in order, of G[n, 16c : 16c+16]

Determinism: every element of db is one task's sum over the rows in order, and the
GEMM is bit-identical with any thread count (matmul's numba.py), so results do not
depend on the number of threads. Memory: matmul's panel copy of the right operand
(w^T, w or X: O(in out) or O(N in)), and the outputs; nothing else is copied.
"""

from __future__ import annotations

from functools import partial

import numpy as np
from numba import prange, types

from .._numba import njit
from ..matmul.numba import _bmm  # the product: matmul numba's GEMM, on views
from . import _products

COLS = 16  # columns of db per task: one AVX-512 vector of float32, added row by row


def _both_dtypes(signature):
    return [signature(types.float32), signature(types.float64)]


def _c(dtype, ndim):
    return types.Array(dtype, ndim, "C")


def _any(dtype, ndim):
    # Read-only, any strides: one compiled kernel per dtype for every view.
    return types.Array(dtype, ndim, "A", readonly=True)


@njit(_both_dtypes(lambda t: types.void(_c(t, 2), _any(t, 1))), parallel=True, cache=True)
def _add_rows_par(out, b):
    """out[n, o] += b[o] for every row n."""
    for n in prange(out.shape[0]):
        for o in range(out.shape[1]):
            out[n, o] += b[o]


@njit(_both_dtypes(lambda t: types.void(_any(t, 2), _c(t, 1))), parallel=True, cache=True)
def _sum_rows_par(g, db):
    """db[o] = sum_n g[n, o]: COLS columns per task, rows in order (zeros for no rows)."""
    n_rows, m = g.shape
    for c in prange((m + COLS - 1) // COLS):
        lo = c * COLS
        hi = min(lo + COLS, m)
        for o in range(lo, hi):
            db[o] = 0
        for n in range(n_rows):
            for o in range(lo, hi):
                db[o] += g[n, o]


def _add_rows(out: np.ndarray, b: np.ndarray) -> None:
    """out[n, o] += b[o] for every row n (an empty out has nothing to add)."""
    if out.size:
        _add_rows_par(out, b)


def _sum_rows(g: np.ndarray) -> np.ndarray:
    """db[o] = sum_n g[n, o], a new (out,) array (zeros for no rows)."""
    db = np.empty(g.shape[1], dtype=g.dtype)
    _sum_rows_par(g, db)
    return db


# The op around the pieces (views, saved arrays, which gradients): _products.py.
forward = partial(_products.forward_with, _bmm, _add_rows)
backward = partial(_products.backward_with, _bmm, _sum_rows)
