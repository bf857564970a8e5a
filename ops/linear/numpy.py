"""linear, vectorized: matmul numpy's product (BLAS gemm) on views, NumPy for the bias.

Pseudo code (X = x as (N, in), see the declaration)::

    out = np.matmul(X, w.T) + b        # one gemm; BLAS reads w^T in place (no copy)
    dX = np.matmul(G, w);  dw = np.matmul(G.T, X);  db = G.sum(axis=0)
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ..matmul.numpy import _bmm  # the product: np.matmul (BLAS gemm), on views
from . import _products


def _add_rows(out: np.ndarray, b: np.ndarray) -> None:
    """out[n, o] += b[o] for every row n (NumPy broadcasts b over the rows)."""
    out += b


def _sum_rows(g: np.ndarray) -> np.ndarray:
    """db[o] = sum_n g[n, o] (zeros for no rows)."""
    return g.sum(axis=0)


# The op around the pieces (views, saved arrays, which gradients): _products.py.
forward = partial(_products.forward_with, _bmm, _add_rows)
backward = partial(_products.backward_with, _bmm, _sum_rows)
