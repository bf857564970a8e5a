"""log_softmax, vectorized with NumPy: whole-array reductions along ``dim``.

The row maxima (``keepdims`` so they broadcast back), then the log of the sum of the
shifted exponentials; backward is one row sum and an elementwise expression.
"""

from __future__ import annotations

import numpy as np


def forward(x: np.ndarray, *, dim: int) -> np.ndarray:
    """x (any shape) -> log_softmax along ``dim``, same shape and dtype."""
    # A 0-d input is one row of one element.
    x1 = x.reshape(x.shape or (1,))
    # initial=-inf lets a dimension of size 0 reduce to an empty result.
    m = np.max(x1, axis=dim, keepdims=True, initial=-np.inf)
    z = x1 - m
    # The sums are >= 1 except over a dimension of size 0, whose log(0) meets no value.
    with np.errstate(divide="ignore"):
        z -= np.log(np.sum(np.exp(z), axis=dim, keepdims=True))
    return z.reshape(x.shape).astype(x.dtype, copy=False)


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
    y = out.reshape(out.shape or (1,))
    g = grad_out.reshape(y.shape)
    gx = g - np.exp(y) * np.sum(g, axis=dim, keepdims=True)
    return (gx.reshape(out.shape).astype(out.dtype, copy=False),)
