"""max_pool2d on CUDA, "direct": one thread per output (forward), one thread per input
element gathering from the windows that contain it (backward, argmax recomputed).

Forward: thread o of a 1-D grid owns output (n, i, j) (n = b*C + c) and scans its
window in global memory, clipped to the input, writing the max and its plane index.
Backward: thread g owns grad_x element (n, h, w); for each window (i, j) holding (h, w)
it rescans that window from x and adds grad_out[n, i, j] if (h, w) won. Every element
is written by exactly one thread: no atomics, no zero fill, deterministic; the price is
kh*kw reads per containing window (the saved indices are not used).

Index decoding divides in 32 bits (``divmod32``): each launch covers a group of planes
whose flat indices fit (``plane_groups``).
"""
from __future__ import annotations

from numba import cuda

from ... import _cuda
from ..._cuda import THREADS, blocks, empty
from .. import output_shape
from ._window import (DeviceArray, divmod32, plane_groups, plane_slice, tap_range, window_args,
                      window_max)


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


def forward(
    x: DeviceArray,
    *,
    kernel_size: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    ceil_mode: bool,
) -> tuple[DeviceArray, DeviceArray]:
    """x: (B, C, H, W) -> (out, indices), both (B, C, H_out, W_out); indices (int64)
    hold ``h * W + w`` of each window's maximum (first in scan order; NaN wins)."""
    shape = output_shape(x.shape, kernel_size, stride, padding, dilation, ceil_mode)
    out = empty(shape, x.dtype)
    ind = empty(shape, "int64")
    if out.size:
        for p0, p1 in plane_groups(shape[0] * shape[1], x.shape[2] * x.shape[3],
                                   shape[2] * shape[3]):
            o = plane_slice(out, p0, p1)
            _forward_kernel[blocks(o.size), THREADS](
                plane_slice(x, p0, p1), o, plane_slice(ind, p0, p1), x.shape[2], x.shape[3],
                shape[2], shape[3], *window_args(kernel_size, stride, padding, dilation))
    return out, ind


def backward(
    grad_out: DeviceArray,
    inputs: tuple[DeviceArray],
    out: tuple[DeviceArray, DeviceArray],
    needs_input_grad: tuple[bool],
    *,
    kernel_size: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    ceil_mode: bool,
) -> tuple[DeviceArray | None]:
    """grad_out: (B, C, H_out, W_out) -> (grad_x,), grad_x (B, C, H, W): the sum of
    grad_out over the windows whose maximum was that input element."""
    if not needs_input_grad[0]:
        return (None,)
    (x,) = inputs
    grad_x = empty(x.shape, x.dtype)
    if grad_x.size:
        for p0, p1 in plane_groups(x.shape[0] * x.shape[1], x.shape[2] * x.shape[3],
                                   grad_out.shape[2] * grad_out.shape[3]):
            g = plane_slice(grad_x, p0, p1)
            _backward_kernel[blocks(g.size), THREADS](
                plane_slice(x, p0, p1), plane_slice(grad_out, p0, p1), g, x.dtype.type(0),
                x.shape[2], x.shape[3], grad_out.shape[2], grad_out.shape[3],
                *window_args(kernel_size, stride, padding, dilation))
    return (grad_x,)
