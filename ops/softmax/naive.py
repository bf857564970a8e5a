"""softmax, the sequential baseline: plain Python loops, one row at a time.

The input is viewed as R rows of n values, the rows running along ``dim``. For each
row: a loop for the maximum, a loop for the sum of the shifted exponentials, a loop to
divide. This is the "1x" of the speedup graphs.
"""

from __future__ import annotations

import math

import numpy as np


def _rows(a: np.ndarray, dim: int) -> np.ndarray:
    """a viewed (or copied) as (R, n) with the n values of each row along ``dim``."""
    moved = np.moveaxis(a.reshape(a.shape or (1,)), dim, -1)
    return moved.reshape(math.prod(moved.shape[:-1]), moved.shape[-1])


def _unrows(rows: np.ndarray, like: np.ndarray, dim: int) -> np.ndarray:
    """The inverse of :func:`_rows` for an array shaped like ``like``."""
    moved_shape = np.moveaxis(like.reshape(like.shape or (1,)), dim, -1).shape
    return np.moveaxis(rows.reshape(moved_shape), -1, dim).reshape(like.shape)


def forward(x: np.ndarray, *, dim: int) -> np.ndarray:
    """x (any shape) -> softmax along ``dim``, same shape and dtype."""
    rows = _rows(x, dim)
    R, n = rows.shape
    out = np.empty((R, n), dtype=x.dtype)
    for r in range(R):
        m = -math.inf
        for j in range(n):
            if rows[r, j] > m:
                m = float(rows[r, j])
        exps = [0.0] * n
        total = 0.0
        for j in range(n):
            exps[j] = math.exp(float(rows[r, j]) - m)
            total += exps[j]
        for j in range(n):
            out[r, j] = exps[j] / total
    return _unrows(out, x, dim)


def backward(
    grad_out: np.ndarray,
    inputs: tuple[np.ndarray],
    out: np.ndarray,
    needs_input_grad: tuple[bool],
    *,
    dim: int,
) -> tuple[np.ndarray | None]:
    """dL/dx_i = y_i * (g_i - sum_j g_j y_j) per row, from the saved output y."""
    if not needs_input_grad[0]:
        return (None,)
    y = _rows(out, dim)
    g = _rows(grad_out, dim)
    R, n = y.shape
    gx = np.empty((R, n), dtype=out.dtype)
    for r in range(R):
        dot = 0.0
        for j in range(n):
            dot += float(g[r, j]) * float(y[r, j])
        for j in range(n):
            gx[r, j] = float(y[r, j]) * (float(g[r, j]) - dot)
    return (_unrows(gx, out, dim),)
