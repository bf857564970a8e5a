"""Average pooling, vectorized with NumPy: separable window sums by gathers, and their
transpose by ``np.bincount``.

A window is a rectangle, rows[i] x cols[j], so its sum is separable: sum each column's
taps over the row window first, then those row sums over the column window. Each axis
becomes one gather of a (m, K) table of tap positions (K the longest window on that
axis; the shorter windows' extra taps masked to 0)::

    forward:
    taps_h, ok_h = (Ho, Kh) positions lo_h[i] + t and whether t < hi_h[i] - lo_h[i]
    r   = where(ok_h, x[:, :, taps_h, :], 0).sum(over t)         # (B, C, Ho, W)
    s   = where(ok_w, r[:, :, :, taps_w], 0).sum(over t)         # (B, C, Ho, Wo)
    out = s / divisor                                            # (Ho, Wo) divisors

    backward (the same maps transposed):
    gd  = grad_out / divisor
    r   = bincount spreading gd[..., j] onto the columns taps_w[j, ok]   # (B, C, Ho, W)
    grad_x = bincount spreading r[:, :, i, :] onto the rows taps_h[i, ok]

The masks are applied with ``where``, never by multiplying by 0, so an inf or NaN stays
in its own windows (0 * inf would be NaN everywhere). ``np.bincount`` sums in float64
and visits only the valid taps; the result is cast back to x's dtype.

Memory: forward copies (B, C, Ho, Kh, W) then (B, C, Ho, Wo, Kw) elements (for 2x2/2
about the input's size each, (Kh + Kw) per output instead of Kh * Kw); backward makes
flat index and weight arrays of the same sizes. The tables are O(Ho*Kh + Wo*Kw) ints.
The sums run in another order than naive.py's, so the last bits may differ.
"""
from __future__ import annotations

import numpy as np


def tables(g, dtype) -> tuple:
    """Per axis: (lo, hi) int64 arrays of the windows' input ranges, and the divisors as
    a (Ho, Wo) array of ``dtype`` (``windows.axis_divisors``'s rule)."""
    rows, cols = g.windows.axis_divisors()
    r = np.array(rows, dtype=np.int64).reshape(-1, 3).T.copy()  # rows: lo, hi, d
    c = np.array(cols, dtype=np.int64).reshape(-1, 3).T.copy()
    d_row = r[2].astype(dtype)[:, None]
    d_col = c[2].astype(dtype)[None, :]
    return (r[0], r[1]), (c[0], c[1]), (d_row, d_col)


def _mean(s: np.ndarray, divisors, per_axis: bool) -> np.ndarray:
    d_row, d_col = divisors
    return s / d_row / d_col if per_axis else s / (d_row * d_col)


def _taps(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(m, K) tap positions lo[i] + t (clipped to stay valid indices) and whether each
    is one of window i's; K is the longest window."""
    k = int((hi - lo).max(initial=1))
    pos = lo[:, None] + np.arange(k)[None, :]
    ok = pos < hi[:, None]
    return np.where(ok, pos, lo[:, None]), ok


def _window_sums(a: np.ndarray, taps) -> np.ndarray:
    """a (..., n) -> (..., m): each window's sum along the last axis."""
    pos, ok = taps
    return np.where(ok, a[..., pos], 0).sum(axis=-1)


def _spread(a: np.ndarray, taps, n: int) -> np.ndarray:
    """The transpose of :func:`_window_sums`: a (..., m) -> (..., n) float64, each
    window's value added onto each of its positions."""
    pos, ok = taps
    window, tap = np.nonzero(ok)
    lead = a.reshape(-1, a.shape[-1])
    index = (np.arange(lead.shape[0])[:, None] * n + pos[window, tap][None, :]).ravel()
    summed = np.bincount(index, weights=lead[:, window].ravel(), minlength=lead.shape[0] * n)
    return summed.reshape(a.shape[:-1] + (n,))


def forward(g, x: np.ndarray) -> tuple[np.ndarray, None]:
    """x: (B, C, H, W) -> (out, None), out (B, C, Ho, Wo) of x's dtype: each window's
    mean (its sum over the divisor)."""
    if g.Ho == 0 or g.Wo == 0:
        return np.zeros((g.B, g.C, g.Ho, g.Wo), dtype=x.dtype), None
    (h_lo, h_hi), (w_lo, w_hi), divisors = tables(g, x.dtype)
    rows = _window_sums(x.swapaxes(2, 3), _taps(h_lo, h_hi)).swapaxes(2, 3)  # (B, C, Ho, W)
    sums = _window_sums(rows, _taps(w_lo, w_hi))                              # (B, C, Ho, Wo)
    out = _mean(sums, divisors, g.windows.per_axis)
    return np.ascontiguousarray(out, dtype=x.dtype), None


def backward(g, grad_out: np.ndarray, saved: None,
             needs_input_grad: tuple[bool]) -> tuple[np.ndarray | None]:
    """grad_out: (B, C, Ho, Wo) -> (grad_x,), grad_x (B, C, H, W): the sum, over the
    windows holding each input element, of their ``grad_out / divisor``."""
    if not needs_input_grad[0]:
        return (None,)
    dtype = grad_out.dtype
    if g.Ho == 0 or g.Wo == 0:
        return (np.zeros((g.B, g.C, g.H, g.W), dtype=dtype),)
    (h_lo, h_hi), (w_lo, w_hi), divisors = tables(g, dtype)
    gd = _mean(grad_out, divisors, g.windows.per_axis)
    rows = _spread(gd, _taps(w_lo, w_hi), g.W)                                # (B, C, Ho, W)
    grad_x = _spread(rows.swapaxes(2, 3), _taps(h_lo, h_hi), g.H).swapaxes(2, 3)
    return (np.ascontiguousarray(grad_x, dtype=dtype),)


# Both ops of the family run these kernels: only their windows (g.windows) differ.
KERNELS = {"avg_pool2d": (forward, backward), "adaptive_avg_pool2d": (forward, backward)}
