"""softmax, vectorized with NumPy: whole-array reductions along ``dim``.

Three passes over the data, each one NumPy call: the row maxima (``keepdims`` so they
broadcast back), the shifted exponentials, and their row sums. Backward is one more
reduction, ``sum(g * y)`` along ``dim``, and an elementwise expression.
"""

from __future__ import annotations

import numpy as np


def forward(x: np.ndarray, *, dim: int) -> np.ndarray:
    """x (any shape) -> softmax along ``dim``, same shape and dtype."""
    # A 0-d input is one row of one element.
    x1 = x.reshape(x.shape or (1,))
    # initial=-inf lets a dimension of size 0 reduce to an empty result.
    m = np.max(x1, axis=dim, keepdims=True, initial=-np.inf)
    e = np.exp(x1 - m)
    e /= np.sum(e, axis=dim, keepdims=True)
    return e.reshape(x.shape).astype(x.dtype, copy=False)


def backward(
    grad_out: np.ndarray,
    inputs: tuple[np.ndarray],
    out: np.ndarray,
    needs_input_grad: tuple[bool],
    *,
    dim: int,
) -> tuple[np.ndarray | None]:
    """dL/dx = y * (g - sum(g * y, dim)), from the saved output y."""
    if not needs_input_grad[0]:
        return (None,)
    y = out.reshape(out.shape or (1,))
    g = grad_out.reshape(y.shape)
    gx = y * (g - np.sum(g * y, axis=dim, keepdims=True))
    return (gx.reshape(out.shape).astype(out.dtype, copy=False),)
