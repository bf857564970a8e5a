"""max_pool2d on CUDA, "fused": forward keeps each window's argmax beside its output (as
cuDNN does), backward is a one-pass scatter of grad_out to those positions.

Forward: a 2-D tile of (32, 8) threads per block, thread (tx, ty) owning output
(n, i, j) with j along blockIdx.x (a warp runs along an output row, so its reads of x
and writes of out/indices are coalesced), i along y and the plane n along z (both looped
when they pass the grid's limit): no index divisions. Each scans its window from global
memory (overlapping windows are served by L1/L2) and writes the max and its position
h*W + w in the same pass: that position is all backward needs.

Backward, windows that cannot overlap (stride >= dilated kernel span in both axes, as
LeNet-5's 2x2/2): each input element lies in at most one window, so thread (n, h, w)
(one per input element) finds it, i = (h + ph) / sh and j = (w + pw) / sw, and writes
grad_out[n, i, j] if that window's winner is h*W + w, else 0: one pass that writes every
element once (no zero fill first). Overlapping windows may share a winner: grad_x is
zeroed, then thread o (one per output) atomically adds grad_out[o] into
grad_x[n, indices[o]] (those float sums are in no fixed order: the last bits may differ
from run to run).

Index maths that divides is 32-bit (``_pool_cuda``'s ``div32``, int32 loop bounds): each
launch covers a group of planes whose flat indices fit (``plane_groups``).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from numba import cuda, int32

from ... import _cuda
from ..._cuda import THREADS, blocks, empty, zeros
from ..._pool_cuda import DeviceArray, div32, divmod32, plane_slice
from .. import Geometry
from ._window import grid3, plane_groups, shrink_tile, tap_range, window_max

TILE = (32, 8)  # threads per block (columns, rows) for the forward


@_cuda.kernel
def _forward_kernel(x, out, ind, planes, height, width, out_h, out_w,
                    kh, kw, sh, sw, ph, pw, dh, dw):
    j = cuda.blockIdx.x * cuda.blockDim.x + cuda.threadIdx.x
    if j >= out_w:
        return
    w0 = j * sw - pw
    q_lo, q_hi = tap_range(w0, kw, dw, width)
    tiles_h = int32(div32(out_h + cuda.blockDim.y - 1, cuda.blockDim.y))
    for tile_i in range(int32(cuda.blockIdx.y), tiles_h, int32(cuda.gridDim.y)):
        i = tile_i * cuda.blockDim.y + cuda.threadIdx.y
        if i < out_h:
            h0 = i * sh - ph
            p_lo, p_hi = tap_range(h0, kh, dh, height)
            for n in range(int32(cuda.blockIdx.z), int32(planes), int32(cuda.gridDim.z)):
                best, pos = window_max(x, n * height * width, width, h0, w0,
                                       p_lo, p_hi, q_lo, q_hi, dh, dw, width)
                o = (n * out_h + i) * out_w + j
                out[o] = best
                ind[o] = pos


@_cuda.kernel
def _scatter_kernel(grad_out, ind, grad_x, plane_out, plane_in, overlap):
    o = cuda.grid(1)
    if o >= grad_out.size:
        return
    target = div32(o, plane_out) * plane_in + ind[o]
    if overlap:
        cuda.atomic.add(grad_x, target, grad_out[o])
    else:
        grad_x[target] = grad_out[o]


@lru_cache(maxsize=None)
def _gather_kernel(dtype: np.dtype):
    zero = np.dtype(dtype).type(0)  # a typed zero: no float64 store in float32 kernels

    @_cuda.kernel
    def kernel(grad_out, ind, grad_x, width, out_h, out_w, sh, sw, ph, pw, plane_in):
        # Non-overlapping windows only: element (n, h, w) lies in window (i, j) or none.
        e = cuda.grid(1)
        if e >= grad_x.size:
            return
        n, r = divmod32(e, plane_in)
        h, w = divmod32(r, width)
        i = div32(h + ph, sh)
        j = div32(w + pw, sw)
        v = zero
        if i < out_h and j < out_w:
            o = (n * out_h + i) * out_w + j
            if ind[o] == r:
                v = grad_out[o]
        grad_x[e] = v

    return kernel


def forward(g: Geometry, x: DeviceArray) -> tuple[tuple[DeviceArray, DeviceArray], DeviceArray]:
    """x: (B, C, H, W) -> ((out, indices), indices), out and indices (B, C, Ho, Wo);
    indices (int64) hold ``h * W + w`` of each window's maximum (first in scan order; NaN
    wins). Saved for backward: the indices (it never reads x)."""
    out = empty(g.out_shape, x.dtype)
    ind = empty(g.out_shape, "int64")
    tw, th = shrink_tile(TILE, g.Wo, g.Ho)
    for p0, p1 in plane_groups(g.B * g.C, g.H * g.W, g.Ho * g.Wo):
        _forward_kernel[grid3(g.Wo, tw, g.Ho, th, p1 - p0), (tw, th)](
            plane_slice(x, p0, p1), plane_slice(out, p0, p1), plane_slice(ind, p0, p1),
            p1 - p0, g.H, g.W, g.Ho, g.Wo, *g.window)
    return (out, ind), ind


def backward(
    g: Geometry, grad_out: DeviceArray, ind: DeviceArray, needs_input_grad: tuple[bool]
) -> tuple[DeviceArray | None]:
    """grad_out: (B, C, Ho, Wo) -> (grad_x,), grad_x (B, C, H, W): grad_out
    scattered to the saved winners ``ind``, summed where windows share one."""
    if not needs_input_grad[0]:
        return (None,)
    overlap = g.span_h > g.sh or g.span_w > g.sw
    plane_out, plane_in = g.Ho * g.Wo, g.H * g.W
    if not overlap and grad_out.size:
        grad_x = empty(g.in_shape, grad_out.dtype)  # the gather writes every element
        kernel = _gather_kernel(np.dtype(grad_out.dtype))
        for p0, p1 in plane_groups(g.B * g.C, plane_in, plane_out):
            gx = plane_slice(grad_x, p0, p1)
            kernel[blocks(gx.size), THREADS](
                plane_slice(grad_out, p0, p1), plane_slice(ind, p0, p1), gx, g.W,
                g.Ho, g.Wo, g.sh, g.sw, g.ph, g.pw, plane_in)
        return (grad_x,)
    grad_x = zeros(g.in_shape, grad_out.dtype)
    if grad_out.size:
        for p0, p1 in plane_groups(g.B * g.C, plane_in, plane_out):
            go = plane_slice(grad_out, p0, p1)
            _scatter_kernel[blocks(go.size), THREADS](
                go, plane_slice(ind, p0, p1), plane_slice(grad_x, p0, p1), plane_out,
                plane_in, overlap)
    return (grad_x,)
