"""Average pooling, parallel CPU kernels with Numba: one (b, c) plane per prange iteration.

Every (b, c) plane is pooled on its own, so the planes are the unit of parallel work:
forward and backward loop ``prange`` over the B*C planes, and each iteration reads only
its own plane and writes only its own. The windows' input ranges and divisors are
worked out once per call on the host (``numpy.tables``: O(Ho + Wo) numbers), so the
kernels do no window arithmetic at all::

    forward:
    for n in prange(B*C):                             # one plane per iteration
        for i < Ho, j < Wo:
            s = 0
            for h in [h_lo[i], h_hi[i]), w in [w_lo[j], w_hi[j]):
                s += x[n, h, w]                       # row by row, as naive.py
            out[n, i, j] = s / (d_row[i] * d_col[j])  # or / d_row[i] / d_col[j]

    backward:
    for n in prange(B*C):
        grad_x[n] = 0                                 # zeroed by its own thread, in cache
        for i < Ho, j < Wo:                           # output order, as naive.py
            delta = grad_out[n, i, j] / divisor(i, j)
            grad_x[n, h_lo[i]:h_hi[i], w_lo[j]:w_hi[j]] += delta

Overlapping windows add into the same element from the same thread in the same order,
so there are no races, no atomics, and the bits do not depend on the thread count; they
are naive.py's (the same sums in the same order, in x's dtype). Memory: the output or
grad_x (allocated uninitialised, zeroed plane by plane) and the tables; no padded copy
(the padding is never read, only counted). Non-contiguous arguments are copied to C
order first (a no-op for the usual arrays).
"""
from __future__ import annotations

import numpy as np
from numba import prange

from .._numba import njit
from .numpy import tables


@njit(parallel=True, cache=True)
def _forward_kernel(x, out, h_lo, h_hi, w_lo, w_hi, d_row, d_col, per_axis, zero):
    planes = x.shape[0]
    out_h, out_w = out.shape[1], out.shape[2]
    for n in prange(planes):
        xn = x[n]
        for i in range(out_h):
            for j in range(out_w):
                s = zero
                for h in range(h_lo[i], h_hi[i]):
                    for w in range(w_lo[j], w_hi[j]):
                        s += xn[h, w]
                if per_axis:
                    out[n, i, j] = s / d_row[i] / d_col[j]
                else:
                    out[n, i, j] = s / (d_row[i] * d_col[j])


@njit(parallel=True, cache=True)
def _backward_kernel(grad_out, grad_x, h_lo, h_hi, w_lo, w_hi, d_row, d_col, per_axis):
    planes = grad_x.shape[0]
    out_h, out_w = grad_out.shape[1], grad_out.shape[2]
    for n in prange(planes):
        gx = grad_x[n]
        gx[:, :] = 0
        for i in range(out_h):
            for j in range(out_w):
                if per_axis:
                    delta = grad_out[n, i, j] / d_row[i] / d_col[j]
                else:
                    delta = grad_out[n, i, j] / (d_row[i] * d_col[j])
                for h in range(h_lo[i], h_hi[i]):
                    for w in range(w_lo[j], w_hi[j]):
                        gx[h, w] += delta


def _args(g, dtype) -> tuple:
    (h_lo, h_hi), (w_lo, w_hi), (d_row, d_col) = tables(g, dtype)
    return h_lo, h_hi, w_lo, w_hi, d_row.ravel(), d_col.ravel(), g.windows.per_axis


def forward(g, x: np.ndarray) -> tuple[np.ndarray, None]:
    """x: (B, C, H, W) -> (out, None), out (B, C, Ho, Wo) of x's dtype: each window's
    mean (its sum over the divisor)."""
    out = np.empty((g.B, g.C, g.Ho, g.Wo), dtype=x.dtype)
    planes = g.B * g.C
    if out.size:
        _forward_kernel(np.ascontiguousarray(x).reshape(planes, g.H, g.W),
                        out.reshape(planes, g.Ho, g.Wo), *_args(g, x.dtype), x.dtype.type(0))
    return out, None


def backward(g, grad_out: np.ndarray, saved: None,
             needs_input_grad: tuple[bool]) -> tuple[np.ndarray | None]:
    """grad_out: (B, C, Ho, Wo) -> (grad_x,), grad_x (B, C, H, W): the sum, over the
    windows holding each input element, of their ``grad_out / divisor``."""
    if not needs_input_grad[0]:
        return (None,)
    grad_x = np.empty((g.B, g.C, g.H, g.W), dtype=grad_out.dtype)
    planes = g.B * g.C
    if planes:
        _backward_kernel(np.ascontiguousarray(grad_out).reshape(planes, g.Ho, g.Wo),
                         grad_x.reshape(planes, g.H, g.W), *_args(g, grad_out.dtype))
    return (grad_x,)


# Both ops of the family run these kernels: only their windows (g.windows) differ.
KERNELS = {"avg_pool2d": (forward, backward), "adaptive_avg_pool2d": (forward, backward)}
