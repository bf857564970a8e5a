"""max_pool2d on CUDA, "tiled": blocks stage a tile of one plane in shared memory.

Forward: a block of (TW, TH) threads owns a TH x TW tile of outputs of plane n. It
first copies the input region those windows read, ((TH-1)*sh + span_h) rows by
((TW-1)*sw + span_w) columns (the tile plus its halo), into shared memory, each thread
loading a strided share of it (a warp reads a row: coalesced); then each thread scans
its window there. Overlapping windows (stride < span) read each input once from global
memory instead of up to ceil(span/stride)^2 times.

Backward: a block owns a TH x TW tile of grad_x. It stages the grad_out values and the
saved argmax positions of every window touching the tile (the window positions as
offsets from the tile's first element, -1 when the winner lies outside the tile, so an
int32 holds them); then each thread gathers: for each window holding its element it
adds the staged gradient if the staged winner is itself. One writer per element: no
atomics, no zero fill, deterministic.

Shared memory has a compile-time size (FWD_CAP, BWD_CAP elements) and dtype, so the
kernels are built per dtype (``_kernels``); the host picks the largest tile whose
region fits, and falls back to the "direct" kernels for windows too large for even a
1 x 1 tile (span_h*span_w > FWD_CAP, e.g. a 5x5 window with dilation 12).

Index maths that divides is 32-bit (``_pool_cuda``'s ``div32``/``divmod32``, int32 loop
bounds): each launch covers a group of planes whose flat indices fit
(``plane_groups``).
"""
from __future__ import annotations

import functools

import numpy as np
from numba import cuda, from_dtype, int32

from ... import _cuda
from ..._cuda import empty
from ..._pool_cuda import DeviceArray, div32, divmod32, plane_slice
from .. import Geometry
from . import direct
from ._window import grid3, pick_tile, plane_groups, shrink_tile, tap_range, window_max

FWD_CAP = 2048  # staged input elements (16 KiB in float64): a 32x8 tile of 3x3/2 needs 1105
BWD_CAP = 1024  # staged windows (grad + int32 position): a 32x8 tile of 3x3/1 needs 340


@cuda.jit(device=True)
def first_window(t, s):
    """The first window index i >= 0 with i*s >= t (ceil(t / s), or 0 when t <= 0)."""
    if t <= 0:
        return 0
    return div32(t + s - 1, s)


@functools.lru_cache(maxsize=None)
def _kernels(dtype: np.dtype):
    """(forward, backward) kernels whose shared arrays hold ``dtype``."""
    nb_dtype = from_dtype(dtype)

    @_cuda.kernel
    def forward_kernel(x, out, ind, planes, height, width, out_h, out_w, reg_h, reg_w,
                       kh, kw, sh, sw, ph, pw, dh, dw):
        tile = cuda.shared.array(FWD_CAP, nb_dtype)
        tx = int32(cuda.threadIdx.x)
        ty = int32(cuda.threadIdx.y)
        tw = int32(cuda.blockDim.x)
        th = int32(cuda.blockDim.y)
        j = cuda.blockIdx.x * tw + tx
        w_reg = cuda.blockIdx.x * tw * sw - pw  # input column of the region's column 0
        tiles_h = int32(div32(out_h + th - 1, th))
        for tile_i in range(int32(cuda.blockIdx.y), tiles_h, int32(cuda.gridDim.y)):
            i = tile_i * th + ty
            h_reg = tile_i * th * sh - ph
            for n in range(int32(cuda.blockIdx.z), int32(planes), int32(cuda.gridDim.z)):
                base = n * height * width
                for r in range(ty, int32(reg_h), th):
                    h = h_reg + r
                    if 0 <= h < height:
                        for c in range(tx, int32(reg_w), tw):
                            w = w_reg + c
                            # Taps outside the input are never read: skip them.
                            if 0 <= w < width:
                                tile[r * reg_w + c] = x[base + h * width + w]
                cuda.syncthreads()
                if i < out_h and j < out_w:
                    h0 = i * sh - ph
                    w0 = j * sw - pw
                    p_lo, p_hi = tap_range(h0, kh, dh, height)
                    q_lo, q_hi = tap_range(w0, kw, dw, width)
                    best, pos = window_max(tile, -(h_reg * reg_w + w_reg), reg_w, h0, w0,
                                           p_lo, p_hi, q_lo, q_hi, dh, dw, width)
                    o = (n * out_h + i) * out_w + j
                    out[o] = best
                    ind[o] = pos
                # The next plane overwrites the tile: wait until every thread read it.
                cuda.syncthreads()

    @_cuda.kernel
    def backward_kernel(grad_out, ind, grad_x, zero, planes, height, width, out_h, out_w,
                        kh, kw, sh, sw, ph, pw, dh, dw):
        grads = cuda.shared.array(BWD_CAP, nb_dtype)
        where = cuda.shared.array(BWD_CAP, int32)
        tx = int32(cuda.threadIdx.x)
        ty = int32(cuda.threadIdx.y)
        tw = int32(cuda.blockDim.x)
        th = int32(cuda.blockDim.y)
        w_t = cuda.blockIdx.x * tw  # the tile's first column
        w = w_t + tx
        span_h = (kh - 1) * dh + 1
        span_w = (kw - 1) * dw + 1
        # Windows j touching columns [w_t, w_t + tw): j*sw - pw <= w_t + tw - 1 and
        # j*sw - pw + span_w - 1 >= w_t.
        j_lo = first_window(w_t + pw - span_w + 1, sw)
        j_hi = min(out_w, div32(w_t + tw - 1 + pw, sw) + 1)
        n_j = int32(j_hi - j_lo)
        tiles_h = int32(div32(height + th - 1, th))
        for tile_i in range(int32(cuda.blockIdx.y), tiles_h, int32(cuda.gridDim.y)):
            h_t = tile_i * th
            h = h_t + ty
            i_lo = first_window(h_t + ph - span_h + 1, sh)
            i_hi = min(out_h, div32(h_t + th - 1 + ph, sh) + 1)
            n_i = int32(i_hi - i_lo)
            me = ty * width + tx  # offset of (h, w) from the tile's first element
            for n in range(int32(cuda.blockIdx.z), int32(planes), int32(cuda.gridDim.z)):
                origin = h_t * width + w_t
                for r in range(ty, n_i, th):
                    for c in range(tx, n_j, tw):
                        o = (n * out_h + i_lo + r) * out_w + j_lo + c
                        rel = ind[o] - origin
                        grads[r * n_j + c] = grad_out[o]
                        # Outside [0, th*width) the winner is not in this tile.
                        where[r * n_j + c] = rel if 0 <= rel < th * width else -1
                cuda.syncthreads()
                if h < height and w < width:
                    acc = zero
                    # Window row i holds row h through tap p when i*sh - ph + p*dh == h.
                    for p in range(kh):
                        ti = h + ph - p * dh
                        if ti < 0:
                            break
                        i, off = divmod32(ti, sh)
                        if off != 0 or i >= out_h:
                            continue
                        r = i - i_lo
                        for q in range(kw):
                            tj = w + pw - q * dw
                            if tj < 0:
                                break
                            j, off = divmod32(tj, sw)
                            if off != 0 or j >= out_w:
                                continue
                            k = r * n_j + j - j_lo
                            if where[k] == me:
                                acc += grads[k]
                    grad_x[(n * height + h) * width + w] = acc
                cuda.syncthreads()

    return forward_kernel, backward_kernel


def _region(g: Geometry, tw: int, th: int) -> tuple[int, int]:
    """Rows and columns of x that a forward tile of th x tw outputs reads (tile + halo)."""
    return (th - 1) * g.sh + g.span_h, (tw - 1) * g.sw + g.span_w


def _backward_tile(g: Geometry) -> tuple[int, int] | None:
    """The backward's tile (columns, rows), or None: too many windows touch even a 1x1
    tile to stage them, and direct's backward runs instead."""

    def windows(tw: int, th: int) -> int:
        # At most this many window rows (columns) touch th rows (tw columns).
        return ((th + g.span_h - 2) // g.sh + 1) * ((tw + g.span_w - 2) // g.sw + 1)

    # int32 offsets within a tile: th * W must fit (it always does for real images).
    return pick_tile(lambda tw, th: windows(tw, th) <= BWD_CAP and th * g.W < 2**31)


def forward(g: Geometry, x: DeviceArray) -> tuple[tuple[DeviceArray, DeviceArray], DeviceArray]:
    """x: (B, C, H, W) -> ((out, indices), saved), out and indices (B, C, Ho, Wo); indices
    (int64) hold ``h * W + w`` of each window's maximum (first in scan order; NaN wins).
    Saved for backward: the indices, or x where backward falls back to direct's."""
    tile = pick_tile(lambda tw, th: _region(g, tw, th)[0] * _region(g, tw, th)[1] <= FWD_CAP)
    if tile is None:
        (out, ind), _ = direct.forward(g, x)
    else:
        out = empty(g.out_shape, x.dtype)
        ind = empty(g.out_shape, "int64")
        tw, th = shrink_tile(tile, g.Wo, g.Ho)
        reg_h, reg_w = _region(g, tw, th)
        kernel = _kernels(np.dtype(x.dtype))[0]
        for p0, p1 in plane_groups(g.B * g.C, g.H * g.W, g.Ho * g.Wo):
            kernel[grid3(g.Wo, tw, g.Ho, th, p1 - p0), (tw, th)](
                plane_slice(x, p0, p1), plane_slice(out, p0, p1), plane_slice(ind, p0, p1),
                p1 - p0, g.H, g.W, g.Ho, g.Wo, reg_h, reg_w, *g.window)
    # Only direct's backward reads x; the tiled one needs just the winners.
    return (out, ind), (x if _backward_tile(g) is None else ind)


def backward(
    g: Geometry, grad_out: DeviceArray, saved: DeviceArray, needs_input_grad: tuple[bool]
) -> tuple[DeviceArray | None]:
    """grad_out: (B, C, Ho, Wo) -> (grad_x,), grad_x (B, C, H, W): the sum of grad_out
    over the windows whose maximum (the saved indices) was that input element; where the
    windows are too many to stage, direct's backward from the saved x."""
    if not needs_input_grad[0]:
        return (None,)
    tile = _backward_tile(g)
    if tile is None:
        return direct.backward(g, grad_out, saved, needs_input_grad)
    grad_x = empty(g.in_shape, grad_out.dtype)
    tw, th = shrink_tile(tile, g.W, g.H)
    kernel = _kernels(np.dtype(grad_out.dtype))[1]
    for p0, p1 in plane_groups(g.B * g.C, g.H * g.W, g.Ho * g.Wo):
        kernel[grid3(g.W, tw, g.H, th, p1 - p0), (tw, th)](
            plane_slice(grad_out, p0, p1), plane_slice(saved, p0, p1),
            plane_slice(grad_x, p0, p1), grad_out.dtype.type(0), p1 - p0, g.H, g.W,
            g.Ho, g.Wo, *g.window)
    return (grad_x,)
