"""max_pool2d, parallel CPU kernels with Numba: one (b, c) plane per prange iteration.

Every (b, c) plane of the input is pooled independently, so the planes are the unit of
parallel work: forward and backward both loop ``prange`` over the B*C planes, and each
iteration reads only its own input plane and writes only its own output plane. No two
threads ever write the same element, and each element is computed by one thread in a
fixed order, so the results do not depend on the number of threads.

Forward, per plane (the same scan as naive.py, ties -> first tap, NaN -> last NaN)::

    for n in prange(B*C):                          # one plane per iteration
        for i in range(H_out):
            rows p in [p_lo, p_hi): the taps of window row i inside the input
            for j in range(W_out):
                if window j's columns are all inside:   # the interior: no checks
                    scan taps (p, q), q in [0, kw)
                else:                                   # the left/right borders
                    scan taps (p, q), q in [q_lo(j), q_hi(j))
                # the first tap inside starts the scan (so an all -inf window
                # still names an input element); later taps win with v > best or NaN
                out[n, i, j], indices[n, i, j] = best, h*W + w

The interior of the usual 2x2 window with column stride 2 (``max_pool2d(x, 2)``) has
its four taps written out (``_pool_row_2x2s2``): with constant column offsets LLVM
vectorises that loop over j, about twice as fast as the general scan. Every choice
(border, interior, 2x2) is a branch taken per row, never per tap, and the winner is
picked with selects rather than branches (random data would mispredict them).

Backward, per plane: zero the plane of grad_x, then walk the plane's outputs in order
and add ``grad_out[n, i, j]`` into ``grad_x[n, indices[n, i, j]]``. Overlapping windows
add into the same element, but always from the same thread and in the same order::

    for n in prange(B*C):
        grad_x[n, :] = 0
        for k in range(H_out * W_out):
            grad_x[n, indices[n, k]] += grad_out[n, k]

Memory: forward allocates ``out`` (x's dtype) and ``indices`` (int64), both
(B, C, H_out, W_out), and nothing else: no padded copy, no window copies (the padding is
skipped by computing each window's valid tap range). Backward allocates ``grad_x``
(B, C, H, W) uninitialised; each thread zeroes its own planes just before scattering
into them (one pass, while they are in cache). Non-contiguous arguments are copied to
C order first (a no-op for the usual contiguous arrays).
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .._numba import njit
from . import Geometry


@njit(cache=True)
def _tap_range(start, k, d, n):
    """Taps t in [lo, hi) of a window starting at ``start`` (positions start + t*d)
    that fall inside [0, n). declare guarantees lo < hi."""
    lo = 0 if start >= 0 else (-start + d - 1) // d
    hi = (n - 1 - start) // d + 1
    if hi > k:
        hi = k
    return lo, hi


@njit(cache=True)
def _pool_row(xn, orow, irow, j_start, j_stop, h0, p_lo, p_hi, kw, sw, pw, dh, dw, check):
    """Windows j_start <= j < j_stop of one output row, one window after the other.

    Scans taps (p, q) in order; the first tap inside the input starts the scan, a
    later one wins if it is larger or NaN (so ties keep the first, NaNs the last).
    With ``check`` each window's columns are clipped to the input (border windows);
    without, they are all assumed inside (the interior: no tests in the loop).
    """
    width = xn.shape[1]
    for j in range(j_start, j_stop):
        w0 = j * sw - pw
        q_lo, q_hi = 0, kw
        if check:
            q_lo, q_hi = _tap_range(w0, kw, dw, width)
        h = h0 + p_lo * dh
        w = w0 + q_lo * dw
        best = xn[h, w]
        best_index = h * width + w
        for p in range(p_lo, p_hi):
            h = h0 + p * dh
            for q in range(q_lo, q_hi):
                w = w0 + q * dw
                v = xn[h, w]
                take = (v > best) | (v != v)
                best = v if take else best
                best_index = h * width + w if take else best_index
        orow[j] = best
        irow[j] = best_index


@njit(cache=True)
def _pool_row_2x2s2(xn, orow, irow, j_start, j_stop, h0, dh, pw):
    """The same scan for the usual 2x2 window with column stride 2 and no column
    dilation, both rows inside: the four taps written out, so that LLVM sees constant
    strides and vectorises over j (the loads become shuffles of contiguous vectors)."""
    width = xn.shape[1]
    r0 = xn[h0]
    r1 = xn[h0 + dh]
    b0 = h0 * width - pw
    b1 = b0 + dh * width
    for j in range(j_start, j_stop):
        w = 2 * j
        best = r0[w - pw]
        bi = b0 + w
        v = r0[w - pw + 1]
        take = (v > best) | (v != v)
        best = v if take else best
        bi = b0 + w + 1 if take else bi
        v = r1[w - pw]
        take = (v > best) | (v != v)
        best = v if take else best
        bi = b1 + w if take else bi
        v = r1[w - pw + 1]
        take = (v > best) | (v != v)
        orow[j] = v if take else best
        irow[j] = b1 + w + 1 if take else bi


@njit(parallel=True, cache=True)
def _forward_kernel(x, out, indices, kh, kw, sh, sw, ph, pw, dh, dw):
    planes, height, width = x.shape
    out_h, out_w = out.shape[1], out.shape[2]
    # Interior columns j_lo <= j < j_hi: the window's columns j*sw - pw + q*dw are all
    # inside [0, width). The same for every row and plane.
    j_lo = min((pw + sw - 1) // sw, out_w)
    j_hi = max(min((width - 1 + pw - (kw - 1) * dw) // sw + 1, out_w), j_lo)
    two_by_two = kh == 2 and kw == 2 and sw == 2 and dw == 1
    for n in prange(planes):
        xn = x[n]
        for i in range(out_h):
            h0 = i * sh - ph
            p_lo, p_hi = _tap_range(h0, kh, dh, height)
            orow = out[n, i]
            irow = indices[n, i]
            _pool_row(xn, orow, irow, 0, j_lo, h0, p_lo, p_hi, kw, sw, pw, dh, dw, True)
            if two_by_two and p_lo == 0 and p_hi == 2:
                _pool_row_2x2s2(xn, orow, irow, j_lo, j_hi, h0, dh, pw)
            else:
                _pool_row(xn, orow, irow, j_lo, j_hi, h0, p_lo, p_hi, kw, sw, pw, dh, dw,
                          False)
            _pool_row(xn, orow, irow, j_hi, out_w, h0, p_lo, p_hi, kw, sw, pw, dh, dw, True)


@njit(parallel=True, cache=True)
def _backward_kernel(grad_out, indices, grad_x):
    planes, plane_size = grad_x.shape
    n_out = grad_out.shape[1]
    for n in prange(planes):
        g = grad_x[n]
        for k in range(plane_size):
            g[k] = 0
        for k in range(n_out):
            g[indices[n, k]] += grad_out[n, k]


def forward(g: Geometry, x: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """x: (B, C, H, W) -> ((out, indices), indices), both (B, C, Ho, Wo): the planes in
    parallel, each scanned as naive.py does but without a test per tap (the module
    docstring). Saved for backward: the indices."""
    out = np.empty(g.out_shape, dtype=x.dtype)
    indices = np.empty(g.out_shape, dtype=np.int64)
    planes = g.B * g.C
    if planes == 0:
        return (out, indices), indices
    _forward_kernel(
        np.ascontiguousarray(x).reshape(planes, g.H, g.W),
        out.reshape(planes, g.Ho, g.Wo),
        indices.reshape(planes, g.Ho, g.Wo),
        *g.window,
    )
    return (out, indices), indices


def backward(
    g: Geometry, grad_out: np.ndarray, indices: np.ndarray, needs_input_grad: tuple[bool]
) -> tuple[np.ndarray | None]:
    """grad_out: (B, C, Ho, Wo) -> (grad_x,), grad_x (B, C, H, W) in grad_out's dtype:
    each plane zeroed, then grad_out added into its saved winners by one thread."""
    if not needs_input_grad[0]:
        return (None,)
    planes = g.B * g.C
    grad_x = np.empty(g.in_shape, dtype=grad_out.dtype)
    if planes == 0:
        return (grad_x,)
    _backward_kernel(
        np.ascontiguousarray(grad_out).reshape(planes, -1),
        np.ascontiguousarray(indices).reshape(planes, -1),
        grad_x.reshape(planes, g.H * g.W),
    )
    return (grad_x,)
