"""conv2d on CUDA, tiled: each block stages what its outputs share in shared memory.

Forward: a block of (TW, TH) threads computes a TH x TW tile of output pixels for up to
OCB output channels of one group of one sample. Per input channel of the group it
stages the input tile with its halo ((TH-1)*sh + (kH-1)*dh + 1 rows, likewise columns,
zeros where the padding is) and those OCB filters' kH x kW taps, then every thread adds
its pixel's taps for the OCB channels into OCB register accumulators: each input pixel
read from global memory once per block instead of once per (output, tap, channel).

grad_x (a gather, no atomics): the same on the input plane: a block computes a tile of
grad_x for up to CIB input channels; per output channel it stages the grad_out rows and
columns the tile's windows reach and the CIB filters' taps.

grad_w: a block owns up to OCB x CCB x kH x kW entries of grad_w (at most EPT per
thread, in registers) and a fixed share of the (sample, output tile) items; per item it
stages the grad_out tile of its OCB channels and the input tiles (with halo) of its CCB
channels, and each thread correlates the two for its entries. Each block writes its own
partial sums; a second kernel adds the parts in order (deterministic, no atomics).

grad_b: one block per output channel, a shared-memory tree reduction.

Tiles are sized on the host so that what is staged fits in 48 KiB of dynamic shared
memory (halving the tile for big strides/dilations); where not even a 1 x 1 tile fits
(an enormous dilated kernel) that pass runs the direct kernel instead.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from numba import cuda

from ... import _cuda
from ..._cuda import empty, zeros
from .. import Geometry
from . import _common, direct
from ._common import nb_type, pow2_at_most, sum_parts

OCB = 8  # output channels per forward / grad_w block (register accumulators)
CIB = 8  # input channels per grad_x block
EPT = 4  # grad_w entries per thread
GW_THREADS = 256  # at most, per grad_w block
RED_THREADS = 256  # at most, per grad_b reduction block
MAX_PARTS = 256  # grad_w partial sums: at most this many blocks share the batch

DeviceArray = Any


@lru_cache(maxsize=None)
def _kernels(dtype: np.dtype):
    zero = np.dtype(dtype).type(0)
    nbt = nb_type(dtype)

    @_cuda.kernel
    def forward_k(x, w3, bias, has_bias, out, Cg, Og, n_ocb, tiles_h, tiles_w,
                  sh, sw, top, left, dh, dw, kH, kW, in_h, in_w):
        smem = cuda.shared.array(0, nbt)  # [input tile in_h*in_w | weights noc*kH*kW]
        tx = cuda.threadIdx.x
        ty = cuda.threadIdx.y
        TW = cuda.blockDim.x
        TH = cuda.blockDim.y
        nt = TW * TH
        tid = ty * TW + tx
        B, Co, Ho, Wo = out.shape
        H = x.shape[2]
        W = x.shape[3]
        groups = Co // Og
        t = cuda.blockIdx.x
        tj = t % tiles_w
        t //= tiles_w
        ti = t % tiles_h
        t //= tiles_h
        ob = t % n_ocb
        t //= n_ocb
        grp = t % groups
        b = t // groups
        oc0 = grp * Og + ob * OCB
        noc = min(OCB, Og - ob * OCB)
        kk = kH * kW
        woff = in_h * in_w
        h0 = ti * TH * sh - top  # input row of the tile's halo origin
        w0 = tj * TW * sw - left
        acc = cuda.local.array(OCB, nbt)
        for k in range(OCB):
            acc[k] = zero
        base = ty * sh * in_w + tx * sw  # this thread's window origin in the tile
        for c in range(Cg):
            ci = grp * Cg + c
            for e in range(tid, woff, nt):
                r = e // in_w
                ih = h0 + r
                iw = w0 + e - r * in_w
                v = zero
                if ih >= 0 and ih < H and iw >= 0 and iw < W:
                    v = x[b, ci, ih, iw]
                smem[e] = v
            for e in range(tid, noc * kk, nt):
                k = e // kk
                smem[woff + e] = w3[oc0 + k, c, e - k * kk]
            cuda.syncthreads()
            for p in range(kH):
                for q in range(kW):
                    v = smem[base + p * dh * in_w + q * dw]
                    for k in range(OCB):
                        if k < noc:
                            acc[k] += v * smem[woff + k * kk + p * kW + q]
            cuda.syncthreads()
        i = ti * TH + ty
        j = tj * TW + tx
        if i < Ho and j < Wo:
            for k in range(OCB):
                if k < noc:
                    v = acc[k]
                    if has_bias:
                        v += bias[oc0 + k]
                    out[b, oc0 + k, i, j] = v

    @_cuda.kernel
    def grad_x_k(gout, w3, gx, Cg, Og, n_cib, tiles_h, tiles_w,
                 sh, sw, top, left, dh, dw, kH, kW, gh, gw):
        smem = cuda.shared.array(0, nbt)  # [grad_out tile gh*gw | weights ncb*kH*kW]
        tx = cuda.threadIdx.x
        ty = cuda.threadIdx.y
        TW = cuda.blockDim.x
        TH = cuda.blockDim.y
        nt = TW * TH
        tid = ty * TW + tx
        B, C, H, W = gx.shape
        Ho = gout.shape[2]
        Wo = gout.shape[3]
        groups = C // Cg
        t = cuda.blockIdx.x
        tj = t % tiles_w
        t //= tiles_w
        ti = t % tiles_h
        t //= tiles_h
        cb = t % n_cib
        t //= n_cib
        grp = t % groups
        b = t // groups
        c0 = cb * CIB
        ncb = min(CIB, Cg - c0)
        kk = kH * kW
        woff = gh * gw
        h0 = ti * TH
        w0 = tj * TW
        # First output row/column any pixel of the tile reaches: ceil((h0+top-(kH-1)dh)/sh).
        i_lo = -((-(h0 + top - (kH - 1) * dh)) // sh)
        j_lo = -((-(w0 + left - (kW - 1) * dw)) // sw)
        h = h0 + ty
        xw = w0 + tx
        acc = cuda.local.array(CIB, nbt)
        for k in range(CIB):
            acc[k] = zero
        for m in range(Og):
            oc = grp * Og + m
            for e in range(tid, woff, nt):
                r = e // gw
                i = i_lo + r
                j = j_lo + e - r * gw
                v = zero
                if i >= 0 and i < Ho and j >= 0 and j < Wo:
                    v = gout[b, oc, i, j]
                smem[e] = v
            for e in range(tid, ncb * kk, nt):
                k = e // kk
                smem[woff + e] = w3[oc, c0 + k, e - k * kk]
            cuda.syncthreads()
            for p in range(kH):
                hh = h + top - p * dh
                if hh % sh == 0:  # the tap lands on the stride grid: window row exists
                    row = (hh // sh - i_lo) * gw - j_lo
                    for q in range(kW):
                        ww = xw + left - q * dw
                        if ww % sw == 0:
                            v = smem[row + ww // sw]
                            for k in range(CIB):
                                if k < ncb:
                                    acc[k] += v * smem[woff + k * kk + p * kW + q]
            cuda.syncthreads()
        if h < H and xw < W:
            for k in range(CIB):
                if k < ncb:
                    gx[b, grp * Cg + c0 + k, h, xw] = acc[k]

    @_cuda.kernel
    def grad_w_k(gout, x, parts, Og, noc_max, ncc_max, n_ocb, n_ccb, per, tiles_h,
                 tiles_w, TH, TW, sh, sw, top, left, dh, dw, in_h, in_w):
        smem = cuda.shared.array(0, nbt)  # [grad_out tiles noc*TH*TW | x tiles ncc*in_h*in_w]
        tid = cuda.threadIdx.x
        nt = cuda.blockDim.x
        _, Co, Cg, kH, kW = parts.shape
        B, _, Ho, Wo = gout.shape
        H = x.shape[2]
        W = x.shape[3]
        groups = Co // Og
        t = cuda.blockIdx.x
        ccb = t % n_ccb
        t //= n_ccb
        ob = t % n_ocb
        t //= n_ocb
        grp = t % groups
        s = t // groups
        oc0 = grp * Og + ob * noc_max
        noc = min(noc_max, Og - ob * noc_max)
        c0 = ccb * ncc_max
        ncc = min(ncc_max, Cg - c0)
        kk = kH * kW
        E = noc * ncc * kk
        tile = TH * TW
        plane = in_h * in_w
        xoff = noc * tile
        acc = cuda.local.array(EPT, nbt)
        for u in range(EPT):
            acc[u] = zero
        items = B * tiles_h * tiles_w
        for it in range(s * per, min(items, s * per + per)):
            tj = it % tiles_w
            r = it // tiles_w
            ti = r % tiles_h
            b = r // tiles_h
            i0 = ti * TH
            j0 = tj * TW
            for e in range(tid, noc * tile, nt):
                k = e // tile
                r = e - k * tile
                i = i0 + r // TW
                j = j0 + r % TW
                v = zero
                if i < Ho and j < Wo:  # the tile's pixels past the edge add zeros
                    v = gout[b, oc0 + k, i, j]
                smem[e] = v
            h0 = i0 * sh - top
            w0 = j0 * sw - left
            for e in range(tid, ncc * plane, nt):
                cc = e // plane
                r = e - cc * plane
                ih = h0 + r // in_w
                iw = w0 + r % in_w
                v = zero
                if ih >= 0 and ih < H and iw >= 0 and iw < W:
                    v = x[b, grp * Cg + c0 + cc, ih, iw]
                smem[xoff + e] = v
            cuda.syncthreads()
            for u in range(EPT):
                e = tid + u * nt
                if e < E:
                    k = e // (ncc * kk)
                    r = e - k * ncc * kk
                    cc = r // kk
                    r -= cc * kk
                    p = r // kW
                    q = r - p * kW
                    gbase = k * tile
                    xbase = xoff + cc * plane + p * dh * in_w + q * dw
                    part = zero
                    for a in range(TH):
                        for c in range(TW):
                            part += smem[gbase + a * TW + c] * smem[xbase + a * sh * in_w + c * sw]
                    acc[u] += part
            cuda.syncthreads()
        for u in range(EPT):
            e = tid + u * nt
            if e < E:
                k = e // (ncc * kk)
                r = e - k * ncc * kk
                cc = r // kk
                r -= cc * kk
                p = r // kW
                parts[s, oc0 + k, c0 + cc, p, r - p * kW] = acc[u]

    @_cuda.kernel
    def grad_b_k(gout3, gb):
        buf = cuda.shared.array(RED_THREADS, nbt)
        oc = cuda.blockIdx.x
        tid = cuda.threadIdx.x
        nt = cuda.blockDim.x  # a power of two <= RED_THREADS
        B = gout3.shape[0]
        n = gout3.shape[2]
        acc = zero
        for b in range(B):
            for e in range(tid, n, nt):
                acc += gout3[b, oc, e]
        buf[tid] = acc
        cuda.syncthreads()
        half = nt // 2
        while half > 0:
            if tid < half:
                buf[tid] += buf[tid + half]
            cuda.syncthreads()
            half //= 2
        if tid == 0:
            gb[oc] = buf[0]

    return forward_k, grad_x_k, grad_w_k, grad_b_k


# ---------------------------------------------------------------- tile planning (host)


def _shrink(th: int, tw: int) -> tuple[int, int]:
    return (th // 2, tw) if th >= tw else (th, tw // 2)


def _forward_plan(g: Geometry, itemsize: int):
    """(TH, TW, in_h, in_w, smem bytes) of the forward tile, or None if none fits."""
    th, tw = pow2_at_most(g.Ho, 16), pow2_at_most(g.Wo, 16)
    wbytes = min(OCB, g.Og) * g.kH * g.kW * itemsize
    while True:
        in_h = (th - 1) * g.sh + (g.kH - 1) * g.dh + 1
        in_w = (tw - 1) * g.sw + (g.kW - 1) * g.dw + 1
        need = in_h * in_w * itemsize + wbytes
        if need <= _common.SMEM_BYTES:
            return th, tw, in_h, in_w, need
        if th == 1 and tw == 1:
            return None
        th, tw = _shrink(th, tw)


def _grad_x_plan(g: Geometry, itemsize: int):
    """(TH, TW, gh, gw, smem bytes) of the grad_x tile, or None if none fits."""
    th, tw = pow2_at_most(g.H, 16), pow2_at_most(g.W, 16)
    wbytes = min(CIB, g.Cg) * g.kH * g.kW * itemsize
    while True:
        # Output rows a tile of th input rows reaches (see i_lo in the kernel).
        gh = (th - 1 + (g.kH - 1) * g.dh) // g.sh + 1
        gw = (tw - 1 + (g.kW - 1) * g.dw) // g.sw + 1
        need = gh * gw * itemsize + wbytes
        if need <= _common.SMEM_BYTES:
            return th, tw, gh, gw, need
        if th == 1 and tw == 1:
            return None
        th, tw = _shrink(th, tw)


def _grad_w_plan(g: Geometry, itemsize: int):
    """(noc, ncc, TH, TW, in_h, in_w, smem bytes) for grad_w, or None if none fits."""
    kk = g.kH * g.kW
    cap = EPT * GW_THREADS  # entries one block can hold in registers
    if kk > cap:
        return None
    noc = min(OCB, g.Og, cap // kk)
    ncc = min(g.Cg, cap // (noc * kk))
    th, tw = pow2_at_most(g.Ho, 16), pow2_at_most(g.Wo, 16)
    while True:
        in_h = (th - 1) * g.sh + (g.kH - 1) * g.dh + 1
        in_w = (tw - 1) * g.sw + (g.kW - 1) * g.dw + 1
        need = (noc * th * tw + ncc * in_h * in_w) * itemsize
        if need <= _common.SMEM_BYTES:
            return noc, ncc, th, tw, in_h, in_w, need
        if ncc > 1:
            ncc = max(1, ncc // 2)
        elif th > 1 or tw > 1:
            th, tw = _shrink(th, tw)
        else:
            return None


def _cdiv(a: int, b: int) -> int:
    return -(-a // b)


# ---------------------------------------------------------------- the op


def forward(g: Geometry, x: DeviceArray, weight: DeviceArray,
            bias: DeviceArray | None) -> tuple[DeviceArray, tuple]:
    """x (B, C_in, H, W), weight (C_out, C_in // groups, kH, kW), bias (C_out,) or None
    -> (out (B, C_out, H_out, W_out) in x's dtype, saved (x, weight))."""
    dtype = np.dtype(x.dtype)
    plan = _forward_plan(g, dtype.itemsize)
    if plan is None:
        return direct.forward(g, x, weight, bias)
    th, tw, in_h, in_w, smem = plan
    out = empty(g.out_shape, dtype)
    if out.size == 0:
        return out, (x, weight)
    tiles_h, tiles_w, n_ocb = _cdiv(g.Ho, th), _cdiv(g.Wo, tw), _cdiv(g.Og, OCB)
    grid = g.B * g.groups * n_ocb * tiles_h * tiles_w
    w3 = weight.reshape(g.Co, g.Cg, g.kH * g.kW)
    b = bias if bias is not None else w3.reshape(w3.size)  # never read without a bias
    _kernels(dtype)[0][grid, (tw, th), 0, smem](
        x, w3, b, bias is not None, out, g.Cg, g.Og, n_ocb, tiles_h, tiles_w,
        g.sh, g.sw, g.top, g.left, g.dh, g.dw, g.kH, g.kW, in_h, in_w)
    return out, (x, weight)


def _grad_x(grad_out, x, weight, g: Geometry, dtype: np.dtype):
    plan = _grad_x_plan(g, dtype.itemsize)
    if plan is None:
        return None
    th, tw, gh, gw, smem = plan
    grad_x = empty(x.shape, dtype)
    tiles_h, tiles_w, n_cib = _cdiv(g.H, th), _cdiv(g.W, tw), _cdiv(g.Cg, CIB)
    grid = g.B * g.groups * n_cib * tiles_h * tiles_w
    _kernels(dtype)[1][grid, (tw, th), 0, smem](
        grad_out, weight.reshape(g.Co, g.Cg, g.kH * g.kW), grad_x, g.Cg, g.Og, n_cib,
        tiles_h, tiles_w, g.sh, g.sw, g.top, g.left, g.dh, g.dw, g.kH, g.kW, gh, gw)
    return grad_x


def _grad_w(grad_out, x, weight, g: Geometry, dtype: np.dtype):
    plan = _grad_w_plan(g, dtype.itemsize)
    if plan is None:
        return None
    noc, ncc, th, tw, in_h, in_w, smem = plan
    tiles_h, tiles_w = _cdiv(g.Ho, th), _cdiv(g.Wo, tw)
    items = g.B * tiles_h * tiles_w
    if items == 0:  # an empty batch: the sum over it is zero
        return zeros(weight.shape, dtype)
    # The split depends on the shapes only, so the rounding of the sum never changes.
    n_parts = max(1, min(items, MAX_PARTS, (1 << 22) // max(1, g.Co * g.Cg * g.kH * g.kW)))
    per = _cdiv(items, n_parts)
    n_parts = _cdiv(items, per)
    grad_w = empty(weight.shape, dtype)
    parts = grad_w.reshape(1, *weight.shape) if n_parts == 1 else empty(
        (n_parts, *weight.shape), dtype)
    n_ocb, n_ccb = _cdiv(g.Og, noc), _cdiv(g.Cg, ncc)
    grid = n_parts * g.groups * n_ocb * n_ccb
    # Enough threads for the block's entries (EPT each at most), in whole warps.
    threads = min(GW_THREADS, 32 * _cdiv(noc * ncc * g.kH * g.kW, 32))
    _kernels(dtype)[2][grid, threads, 0, smem](
        grad_out, x, parts, g.Og, noc, ncc, n_ocb, n_ccb, per, tiles_h, tiles_w, th, tw,
        g.sh, g.sw, g.top, g.left, g.dh, g.dw, in_h, in_w)
    if n_parts > 1:
        sum_parts(parts.reshape(n_parts, grad_w.size), grad_w.reshape(grad_w.size))
    return grad_w


def backward(g: Geometry, grad_out: DeviceArray, saved: tuple,
             needs_input_grad: tuple[bool, ...]) -> tuple:
    """grad_out (B, C_out, H_out, W_out), saved (x, weight) -> (grad_x, grad_weight,
    grad_bias), None where not needed."""
    x, weight = saved
    dtype = np.dtype(x.dtype)
    grad_x = grad_w = grad_b = None
    if needs_input_grad[0]:
        if x.size == 0:
            grad_x = empty(x.shape, dtype)
        else:
            grad_x = _grad_x(grad_out, x, weight, g, dtype)
            if grad_x is None:  # not even a 1 x 1 tile fits in shared memory
                grad_x = direct.backward(g, grad_out, saved, (True, False, False))[0]
    if needs_input_grad[1]:
        grad_w = _grad_w(grad_out, x, weight, g, dtype)
        if grad_w is None:
            grad_w = direct.backward(g, grad_out, saved, (False, True, False))[1]
    if g.has_bias and needs_input_grad[2]:
        grad_b = empty((g.Co,), dtype)
        threads = pow2_at_most(g.B * g.Ho * g.Wo, RED_THREADS)
        _kernels(dtype)[3][g.Co, threads](
            grad_out.reshape(g.B, g.Co, g.Ho * g.Wo), grad_b)
    return grad_x, grad_w, grad_b
