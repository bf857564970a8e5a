"""max_pool2d on CUDA, "direct": one thread per output (forward), one thread per input
element gathering from the windows that contain it (backward, argmax recomputed).

Forward: thread o of a 1-D grid owns output (n, i, j) (n = b*C + c) and scans its
window in global memory, clipped to the input, writing the max and its plane index.
Backward: thread g owns grad_x element (n, h, w); for each window (i, j) holding (h, w)
it rescans that window from x and adds grad_out[n, i, j] if (h, w) won. Every element
is written by exactly one thread: no atomics, no zero fill, deterministic; the price is
kh*kw reads per containing window, and forward saves x for it (not the indices).

Index decoding divides in 32 bits (``divmod32``): each launch covers a group of planes
whose flat indices fit (``plane_groups``).
"""
from __future__ import annotations

from numba import cuda

from ... import _cuda
from ..._cuda import THREADS, blocks, empty
from ..._pool_cuda import DeviceArray, divmod32, plane_slice
from .. import Geometry
from ._window import plane_groups, tap_range, window_max


@_cuda.kernel
def _forward_kernel(x, out, ind, height, width, out_h, out_w, kh, kw, sh, sw, ph, pw, dh, dw):
    o = cuda.grid(1)
    if o >= out.size:
        return
    t, j = divmod32(o, out_w)
    n, i = divmod32(t, out_h)
    h0 = i * sh - ph
    w0 = j * sw - pw
    p_lo, p_hi = tap_range(h0, kh, dh, height)
    q_lo, q_hi = tap_range(w0, kw, dw, width)
    best, pos = window_max(x, n * height * width, width, h0, w0, p_lo, p_hi, q_lo, q_hi,
                           dh, dw, width)
    out[o] = best
    ind[o] = pos


@_cuda.kernel
def _backward_kernel(x, grad_out, grad_x, zero, height, width, out_h, out_w,
                     kh, kw, sh, sw, ph, pw, dh, dw):
    g = cuda.grid(1)
    if g >= grad_x.size:
        return
    t, w = divmod32(g, width)
    n, h = divmod32(t, height)
    me = h * width + w
    base = n * height * width
    acc = zero  # x's dtype: float32 sums stay float32
    # Window row i holds row h through tap p when i*sh - ph + p*dh == h.
    for p in range(kh):
        ti = h + ph - p * dh
        if ti < 0:
            break
        i, off = divmod32(ti, sh)
        if off != 0 or i >= out_h:
            continue
        h0 = i * sh - ph
        p_lo, p_hi = tap_range(h0, kh, dh, height)
        for q in range(kw):
            tj = w + pw - q * dw
            if tj < 0:
                break
            j, off = divmod32(tj, sw)
            if off != 0 or j >= out_w:
                continue
            w0 = j * sw - pw
            q_lo, q_hi = tap_range(w0, kw, dw, width)
            best, pos = window_max(x, base, width, h0, w0, p_lo, p_hi, q_lo, q_hi,
                                   dh, dw, width)
            if pos == me:
                acc += grad_out[(n * out_h + i) * out_w + j]
    grad_x[g] = acc


def forward(g: Geometry, x: DeviceArray) -> tuple[tuple[DeviceArray, DeviceArray], DeviceArray]:
    """x: (B, C, H, W) -> ((out, indices), x), out and indices (B, C, Ho, Wo); indices
    (int64) hold ``h * W + w`` of each window's maximum (first in scan order; NaN wins).
    Saved for backward: x, whose windows it rescans (it never reads the indices)."""
    out = empty(g.out_shape, x.dtype)
    ind = empty(g.out_shape, "int64")
    if out.size:
        for p0, p1 in plane_groups(g.B * g.C, g.H * g.W, g.Ho * g.Wo):
            o = plane_slice(out, p0, p1)
            _forward_kernel[blocks(o.size), THREADS](
                plane_slice(x, p0, p1), o, plane_slice(ind, p0, p1), g.H, g.W, g.Ho, g.Wo,
                *g.window)
    return (out, ind), x


def backward(
    g: Geometry, grad_out: DeviceArray, x: DeviceArray, needs_input_grad: tuple[bool]
) -> tuple[DeviceArray | None]:
    """grad_out: (B, C, Ho, Wo) -> (grad_x,), grad_x (B, C, H, W): the sum of grad_out
    over the windows whose maximum (recomputed from the saved x) was that input element."""
    if not needs_input_grad[0]:
        return (None,)
    grad_x = empty(g.in_shape, x.dtype)
    if grad_x.size:
        for p0, p1 in plane_groups(g.B * g.C, g.H * g.W, g.Ho * g.Wo):
            gx = plane_slice(grad_x, p0, p1)
            _backward_kernel[blocks(gx.size), THREADS](
                plane_slice(x, p0, p1), plane_slice(grad_out, p0, p1), gx, x.dtype.type(0),
                g.H, g.W, g.Ho, g.Wo, *g.window)
    return (grad_x,)
