"""linear, vectorized: matmul numpy's product (BLAS gemm) on views, NumPy for the bias.

Pseudo code (X = x as (N, in), see the declaration)::

    out = np.matmul(X, w.T) + b        # one gemm; BLAS reads w^T in place (no copy)
    dX = np.matmul(G, w);  dw = np.matmul(G.T, X);  db = G.sum(axis=0)
"""

from __future__ import annotations

import numpy as np

from ..matmul.numpy import _bmm
from . import output_shape, rows


def _mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(n, k) @ (k, m) by matmul numpy's product, on views."""
    return _bmm(a[None], b[None])[0]


def forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """x (*, in), w (out, in), b (out,) or None -> x @ w^T + b (*, out)."""
    out = _mm(rows(x), w.T)
    if b is not None:
        out += b
    return out.reshape(output_shape(x.shape, w.shape))


def backward(
    grad_out: np.ndarray,
    inputs: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    out: np.ndarray,
    needs_input_grad: tuple[bool, bool, bool],
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """(dL/dx, dL/dw, dL/db) = (G @ w, G^T @ X, sum of G's rows)."""
    x, w, b = inputs
    g = rows(grad_out)
    grad_x = _mm(g, w).reshape(x.shape) if needs_input_grad[0] else None
    grad_w = _mm(g.T, rows(x)) if needs_input_grad[1] else None
    grad_b = g.sum(axis=0) if b is not None and needs_input_grad[2] else None
    return grad_x, grad_w, grad_b
