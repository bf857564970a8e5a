"""Average pooling, the sequential baseline: plain Python loops over the output elements.

The "1x" of the speedup graphs and the version to read first (for avg_pool2d and
adaptive_avg_pool2d alike: the windows come from ``g.windows``, see
``_windows.py``)::

    forward:
    for b, c, i, j:                                     # every output element
        s = 0
        for h in rows[i], w in cols[j]:                 # the window's input elements
            s += x[b, c, h, w]
        out[b, c, i, j] = s / divisor(i, j)

    backward:
    grad_x = 0
    for b, c, i, j:                                     # in output order, as PyTorch
        delta = grad_out[b, c, i, j] / divisor(i, j)
        for h in rows[i], w in cols[j]:
            grad_x[b, c, h, w] += delta                 # overlapping windows add up

Arithmetic in x's dtype, summed in this order: the same bits as PyTorch's CPU kernels
(but for adaptive pooling to 1 x 1, which PyTorch computes as a mean). Memory: the
output (forward) or grad_x (backward) and nothing else. Saves nothing for backward: the
geometry says all it needs.
"""
from __future__ import annotations

import numpy as np


def _mean(s, d_row: int, d_col: int, per_axis: bool, dtype):
    t = dtype.type
    return s / t(d_row) / t(d_col) if per_axis else s / t(d_row * d_col)


def forward(g, x: np.ndarray) -> tuple[np.ndarray, None]:
    """x: (B, C, H, W) -> (out, None), out (B, C, Ho, Wo) of x's dtype: each window's
    mean (its sum over the divisor)."""
    rows, cols = g.windows.axis_divisors()
    per_axis = g.windows.per_axis
    out = np.empty((g.B, g.C, g.Ho, g.Wo), dtype=x.dtype)
    zero = x.dtype.type(0)  # sums stay in x's dtype (a Python 0.0 would widen on NumPy 1)
    for b in range(g.B):
        for c in range(g.C):
            for i, (h_lo, h_hi, d_row) in enumerate(rows):
                for j, (w_lo, w_hi, d_col) in enumerate(cols):
                    s = zero
                    for h in range(h_lo, h_hi):
                        for w in range(w_lo, w_hi):
                            s += x[b, c, h, w]
                    out[b, c, i, j] = _mean(s, d_row, d_col, per_axis, x.dtype)
    return out, None


def backward(g, grad_out: np.ndarray, saved: None,
             needs_input_grad: tuple[bool]) -> tuple[np.ndarray | None]:
    """grad_out: (B, C, Ho, Wo) -> (grad_x,), grad_x (B, C, H, W): the sum, over the
    windows holding each input element, of their ``grad_out / divisor``."""
    if not needs_input_grad[0]:
        return (None,)
    rows, cols = g.windows.axis_divisors()
    per_axis = g.windows.per_axis
    grad_x = np.zeros((g.B, g.C, g.H, g.W), dtype=grad_out.dtype)
    for b in range(g.B):
        for c in range(g.C):
            for i, (h_lo, h_hi, d_row) in enumerate(rows):
                for j, (w_lo, w_hi, d_col) in enumerate(cols):
                    delta = _mean(grad_out[b, c, i, j], d_row, d_col, per_axis, grad_out.dtype)
                    for h in range(h_lo, h_hi):
                        for w in range(w_lo, w_hi):
                            grad_x[b, c, h, w] += delta
    return (grad_x,)


# Both ops of the family run these kernels: only their windows (g.windows) differ.
KERNELS = {"avg_pool2d": (forward, backward), "adaptive_avg_pool2d": (forward, backward)}
