"""linear, the sequential baseline: matmul's naive triple loop on views of the operands,
and the bias in a loop of its own.

Pseudo code (X = x as (N, in), w (out, in), see the declaration)::

    for n < N, o < out:                         # one output element
        acc = 0
        for i < in: acc += X[n, i] * w[o, i]    # matmul naive's loop, on the view w^T
        out[n, o] = acc + b[o]

Backward runs the same loop nest on views, dX = G @ w and dw = G^T @ X, and sums G's
rows for db in a plain loop. O(N in out) scalar multiply-adds, each a Python-level
operation: the "1x" of the speedup graphs. Accumulators have the arrays' dtype.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ..matmul.naive import _bmm  # the product: matmul naive's loops, on views
from . import _products


def _add_rows(out: np.ndarray, b: np.ndarray) -> None:
    """out[n, o] += b[o] for every row n."""
    for n in range(out.shape[0]):
        for o in range(out.shape[1]):
            out[n, o] += b[o]


def _sum_rows(g: np.ndarray) -> np.ndarray:
    """db[o] = sum_n g[n, o], the rows added in order (zeros for no rows)."""
    db = np.zeros(g.shape[1], dtype=g.dtype)
    for n in range(g.shape[0]):
        for o in range(g.shape[1]):
            db[o] += g[n, o]
    return db


# The op around the pieces (views, saved arrays, which gradients): _products.py.
forward = partial(_products.forward_with, _bmm, _add_rows)
backward = partial(_products.backward_with, _bmm, _sum_rows)
