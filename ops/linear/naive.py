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

import numpy as np

from ..matmul.naive import _bmm
from . import output_shape, rows


def _mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(n, k) @ (k, m) by matmul naive's loops (views of any strides, nothing copied)."""
    return _bmm(a[None], b[None])[0]


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


def forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    """x (*, in), w (out, in), b (out,) or None -> x @ w^T + b (*, out)."""
    out = _mm(rows(x), w.T)
    if b is not None:
        _add_rows(out, b)
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
    grad_b = _sum_rows(g) if b is not None and needs_input_grad[2] else None
    return grad_x, grad_w, grad_b
