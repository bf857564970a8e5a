"""conv2d on CUDA, implicit GEMM: the convolution as a matrix product whose im2col
operand is gathered tile by tile into shared memory, never materialised.

Per group g, with K = Cg*kH*kW taps k = (c, p, q) and N = B*Ho*Wo output positions
n = (b, i, j)::

    out[g]  (Og, N)      = W[g] (Og, K)  x cols (K, N)         cols[k, n] = x_pad[b, c, i*sh+p*dh, j*sw+q*dw]
    grad_x  (Cg, B*H*W)  = W[g]^T (Cg, Og*kH*kW) x gcols       gcols[(oc, p, q), (b, h, w)] =
                           grad_out[b, oc, (h+top-p*dh)/sh, (w+left-q*dw)/sw] (0 off the stride grid)
    grad_w  (Og, K | 1)  = grad_out[g] (Og, N) x [cols^T | 1]  (split over N, the last column
                                                                is grad_b: bias's row of ones)

One kernel shape does all three: a block of 256 threads owns a BM x BN tile of the
result; per step of BK along the reduction it loads a BM x BK tile of the left operand
and a BK x BN tile of the right one into shared memory (decoding the BK reduction
indices once per block into small shared tables, so the gathers do no divisions), then
each thread accumulates its TM x TN outputs (rows ty + r*TY, columns tx + s*TX) in
registers from TM + TN shared loads per step: the register blocking that makes it a
GEMM rather than a dot product per output. BM x BN is picked per call from the number
of rows (8 x 128 up to 64 x 64) so that layers with few channels waste little.

grad_x is a gather (each grad_x element written once, no atomics); with a stride s > 1
most gcols entries are off the grid and add zeros, (s_h*s_w - 1)/(s_h*s_w) wasted
products, the price of no scatter. grad_w splits the N reduction into a number of slices
fixed by the shapes (never by the GPU), each block writing its own partial result; a
second kernel adds the slices in order and separates grad_w from grad_b. The results are
bit-reproducible.

Grids: x = column tiles, y = row tiles, z = groups (grad_w: (slice, group) pairs). CUDA
allows at most 65535 blocks along y and z, so those stop at MAX_GRID_Z and each block
loops over the row tiles and groups past it (the order of every sum stays the same).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numba
import numpy as np
from numba import cuda

from ... import _cuda
from ..._cuda import THREADS, blocks, empty, zeros
from .. import Geometry
from ._common import nb_type

NT = 256  # threads per block
BK = 16  # reduction step
# (TY, TX, TM, TN): threads TY x TX, each computing TM x TN outputs; BM = TY*TM rows,
# BN = TX*TN columns. BN divides NT, so a thread's column in the B-tile load is fixed.
CONFIGS = ((8, 32, 1, 4), (16, 16, 1, 8), (16, 16, 2, 4), (16, 16, 4, 4))
SPLIT_MIN = 512  # grad_w: reduction elements per slice at least ...
SPLIT_MAX = 128  # ... and at most this many slices
# CUDA's limit on gridDim.y and gridDim.z; read at launch, so tests can lower it to make
# the kernels loop on tiny inputs.
MAX_GRID_Z = 65535

DeviceArray = Any
i32 = numba.int32


def _config(rows: int) -> tuple[int, int, int, int]:
    """The smallest tile that covers ``rows`` rows (the largest beyond 64)."""
    for cfg in CONFIGS:
        if cfg[0] * cfg[2] >= rows:
            return cfg
    return CONFIGS[-1]


def _cdiv(a: int, b: int) -> int:
    return -(-a // b)


def _capped(blocks: int) -> int:
    """A grid's y or z: at most MAX_GRID_Z (read here, at launch: the tests lower it);
    the kernels loop over the tiles or groups past it."""
    return min(blocks, MAX_GRID_Z)


def _tile_shapes(BM: int, BN: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Shapes of the A (BK, BM + 1) and B (BK, BN) shared tiles, computed here on the
    host: real CUDA needs a shared array's shape to be a compile-time constant, and
    ``(BK, BM + 1)`` written inside a kernel is typed as a run-time int64 (the simulator
    accepts either; ptxas-bound code does not). The +1 makes the k-fast stores of the A
    tile hit distinct banks."""
    return (BK, BM + 1), (BK, BN)


@lru_cache(maxsize=None)
def _micro(dtype: np.dtype, cfg: tuple[int, int, int, int]):
    """acc (TM, TN) += As[:, rows of ty] outer Bs[:, columns of tx], BK steps."""
    TY, TX, TM, TN = cfg

    @cuda.jit(device=True)
    def micro(As, Bs, acc, ar, br, tx, ty):
        for kx in range(BK):
            for r in range(TM):
                ar[r] = As[kx, ty + r * TY]
            for s in range(TN):
                br[s] = Bs[kx, tx + s * TX]
            for r in range(TM):
                for s in range(TN):
                    acc[r, s] += ar[r] * br[s]

    return micro


@lru_cache(maxsize=None)
def _forward_kernel(dtype: np.dtype, cfg: tuple[int, int, int, int]):
    TY, TX, TM, TN = cfg
    BM, BN = TY * TM, TX * TN
    A_SHAPE, B_SHAPE = _tile_shapes(BM, BN)
    zero = np.dtype(dtype).type(0)
    nbt = nb_type(dtype)
    micro = _micro(dtype, cfg)

    @_cuda.kernel
    def kernel(x, w2, bias, has_bias, out, groups, Cg, Og,
               sh, sw, top, left, dh, dw, kH, kW):
        # A = W[g] (Og, K) from w2 (Co, K); B = cols (K, N) gathered from x.
        As = cuda.shared.array(A_SHAPE, nbt)
        Bs = cuda.shared.array(B_SHAPE, nbt)
        kc = cuda.shared.array(BK, i32)  # per reduction index k of the step: channel,
        kp = cuda.shared.array(BK, i32)  # row offset p*dh,
        kq = cuda.shared.array(BK, i32)  # column offset q*dw
        acc = cuda.local.array((TM, TN), nbt)
        ar = cuda.local.array(TM, nbt)
        br = cuda.local.array(TN, nbt)
        tid = cuda.threadIdx.x
        tx = tid % TX
        ty = tid // TX
        B, _, H, W = x.shape
        Ho = out.shape[2]
        Wo = out.shape[3]
        K = w2.shape[1]
        N = B * Ho * Wo
        kk = kH * kW
        n0 = cuda.blockIdx.x * BN
        # This thread's column of the B tile is the same at every step: decode it once.
        nn = tid % BN
        n = n0 + nn
        bb = 0
        ih0 = 0
        iw0 = 0
        if n < N:
            t = n // Wo
            iw0 = (n - t * Wo) * sw - left
            bb = t // Ho
            ih0 = (t - bb * Ho) * sh - top
        ka = tid % BK
        # The grid stops at MAX_GRID_Z row tiles (y) and groups (z); blocks loop over the
        # rest. The loops depend on the block only, so every thread meets the same
        # barriers, and each k step ends on one, so the next tile may refill the tables.
        # while, not range: range's trip count is a 64-bit division, whose registers
        # would halve grad_x's blocks per SM on some tiles; groups comes from the host
        # for the same reason.
        grp = cuda.blockIdx.z
        while grp < groups:
            m0 = cuda.blockIdx.y * BM
            while m0 < Og:
                for r in range(TM):
                    for s in range(TN):
                        acc[r, s] = zero
                for k0 in range(0, K, BK):
                    if tid < BK:
                        k = k0 + tid
                        c = k // kk
                        r = k - c * kk
                        p = r // kW
                        kc[tid] = grp * Cg + c
                        kp[tid] = p * dh
                        kq[tid] = (r - p * kW) * dw
                    cuda.syncthreads()
                    k = k0 + ka
                    for mm in range(tid // BK, BM, NT // BK):
                        m = m0 + mm
                        v = zero
                        if m < Og and k < K:
                            v = w2[grp * Og + m, k]
                        As[ka, mm] = v
                    for kb in range(tid // BN, BK, NT // BN):
                        v = zero
                        if n < N and k0 + kb < K:
                            ih = ih0 + kp[kb]
                            iw = iw0 + kq[kb]
                            if ih >= 0 and ih < H and iw >= 0 and iw < W:
                                v = x[bb, kc[kb], ih, iw]
                        Bs[kb, nn] = v
                    cuda.syncthreads()
                    micro(As, Bs, acc, ar, br, tx, ty)
                    cuda.syncthreads()
                for s in range(TN):
                    n_out = n0 + tx + s * TX  # not n: the next tile's loads still need it
                    if n_out < N:
                        t = n_out // Wo
                        j = n_out - t * Wo
                        b = t // Ho
                        i = t - b * Ho
                        for r in range(TM):
                            m = m0 + ty + r * TY
                            if m < Og:
                                oc = grp * Og + m
                                v = acc[r, s]
                                if has_bias:
                                    v += bias[oc]
                                out[b, oc, i, j] = v
                m0 += cuda.gridDim.y * BM
            grp += cuda.gridDim.z

    return kernel


@lru_cache(maxsize=None)
def _grad_x_kernel(dtype: np.dtype, cfg: tuple[int, int, int, int]):
    TY, TX, TM, TN = cfg
    BM, BN = TY * TM, TX * TN
    A_SHAPE, B_SHAPE = _tile_shapes(BM, BN)
    zero = np.dtype(dtype).type(0)
    nbt = nb_type(dtype)
    micro = _micro(dtype, cfg)

    @_cuda.kernel
    def kernel(gout, w3, gx, groups, Cg, Og, sh, sw, top, left, dh, dw, kH, kW):
        # A = W[g]^T (Cg, Og*kk) from w3 (Co, Cg, kk); B = gcols (Og*kk, B*H*W).
        As = cuda.shared.array(A_SHAPE, nbt)
        Bs = cuda.shared.array(B_SHAPE, nbt)
        koc = cuda.shared.array(BK, i32)  # per reduction index (oc, p, q): oc,
        kr = cuda.shared.array(BK, i32)  # tap p*kW + q,
        kp = cuda.shared.array(BK, i32)  # p*dh,
        kq = cuda.shared.array(BK, i32)  # q*dw
        acc = cuda.local.array((TM, TN), nbt)
        ar = cuda.local.array(TM, nbt)
        br = cuda.local.array(TN, nbt)
        tid = cuda.threadIdx.x
        tx = tid % TX
        ty = tid // TX
        B, _, H, W = gx.shape
        Ho = gout.shape[2]
        Wo = gout.shape[3]
        kk = kH * kW
        K = Og * kk
        N = B * H * W
        n0 = cuda.blockIdx.x * BN
        nn = tid % BN
        n = n0 + nn
        bb = 0
        hb = 0
        wb = 0
        if n < N:
            t = n // W
            wb = n - t * W + left  # padded coordinates of this thread's input pixel
            bb = t // H
            hb = t - bb * H + top
        ka = tid % BK
        # The grid stops at MAX_GRID_Z channel tiles (y) and groups (z); blocks loop over
        # the rest, as in the forward (while loops for the same reason).
        grp = cuda.blockIdx.z
        while grp < groups:
            m0 = cuda.blockIdx.y * BM
            while m0 < Cg:
                for r in range(TM):
                    for s in range(TN):
                        acc[r, s] = zero
                for k0 in range(0, K, BK):
                    if tid < BK:
                        k = k0 + tid
                        m = k // kk
                        r = k - m * kk
                        p = r // kW
                        koc[tid] = grp * Og + m
                        kr[tid] = r
                        kp[tid] = p * dh
                        kq[tid] = (r - p * kW) * dw
                    cuda.syncthreads()
                    k = k0 + ka
                    for mm in range(tid // BK, BM, NT // BK):
                        c = m0 + mm
                        v = zero
                        if c < Cg and k < K:
                            v = w3[koc[ka], c, kr[ka]]
                        As[ka, mm] = v
                    for kb in range(tid // BN, BK, NT // BN):
                        v = zero
                        if n < N and k0 + kb < K:
                            hh = hb - kp[kb]
                            ww = wb - kq[kb]
                            # The window (i, j) whose tap (p, q) is this pixel, if it exists.
                            if hh >= 0 and ww >= 0 and hh % sh == 0 and ww % sw == 0:
                                i = hh // sh
                                j = ww // sw
                                if i < Ho and j < Wo:
                                    v = gout[bb, koc[kb], i, j]
                        Bs[kb, nn] = v
                    cuda.syncthreads()
                    micro(As, Bs, acc, ar, br, tx, ty)
                    cuda.syncthreads()
                for s in range(TN):
                    n_out = n0 + tx + s * TX  # not n: the next tile's loads still need it
                    if n_out < N:
                        t = n_out // W
                        xw = n_out - t * W
                        b = t // H
                        h = t - b * H
                        for r in range(TM):
                            c = m0 + ty + r * TY
                            if c < Cg:
                                gx[b, grp * Cg + c, h, xw] = acc[r, s]
                m0 += cuda.gridDim.y * BM
            grp += cuda.gridDim.z

    return kernel


@lru_cache(maxsize=None)
def _grad_w_kernel(dtype: np.dtype, cfg: tuple[int, int, int, int]):
    TY, TX, TM, TN = cfg
    BM, BN = TY * TM, TX * TN
    A_SHAPE, B_SHAPE = _tile_shapes(BM, BN + 1)  # +1: grad_w's B tile is stored k-fast too
    zero = np.dtype(dtype).type(0)
    one = np.dtype(dtype).type(1)
    nbt = nb_type(dtype)
    micro = _micro(dtype, cfg)

    @_cuda.kernel
    def kernel(gout, x, parts, Cg, Og, sh, sw, top, left, dh, dw, kH, kW, per):
        # A = grad_out[g] (Og, R); B = [cols^T | 1] (R, ncols); R = B*Ho*Wo is the
        # reduction, of which this block does the slice [s*per, (s+1)*per).
        As = cuda.shared.array(A_SHAPE, nbt)
        Bs = cuda.shared.array(B_SHAPE, nbt)
        rb = cuda.shared.array(BK, i32)  # per reduction index n of the step: b,
        ri = cuda.shared.array(BK, i32)  # i,
        rj = cuda.shared.array(BK, i32)  # j
        cc = cuda.shared.array(BN, i32)  # per column (c, p, q) of the tile: channel (-1: ones),
        cp = cuda.shared.array(BN, i32)  # p*dh,
        cq = cuda.shared.array(BN, i32)  # q*dw
        acc = cuda.local.array((TM, TN), nbt)
        ar = cuda.local.array(TM, nbt)
        br = cuda.local.array(TN, nbt)
        tid = cuda.threadIdx.x
        tx = tid % TX
        ty = tid // TX
        S, Co, ncols = parts.shape
        B, _, H, W = x.shape
        Ho = gout.shape[2]
        Wo = gout.shape[3]
        groups = Co // Og
        kk = kH * kW
        K = Cg * kk
        R = B * Ho * Wo
        n0 = cuda.blockIdx.x * BN
        ka = tid % BK
        # z = sl * groups + grp enumerates (slice, group) pairs. The grid stops at
        # MAX_GRID_Z row tiles (y) and pairs (z); blocks loop over the rest. The loops
        # depend on the block only, so every thread meets the same barriers; the column
        # tables (which depend on grp) are refilled after the last k step's closing
        # barrier and read only after the next step's first one. (while loops: see the
        # forward.)
        z = cuda.blockIdx.z
        while z < groups * S:
            grp = z % groups
            sl = z // groups
            for e in range(tid, BN, NT):
                col = n0 + e
                c = col // kk
                r = col - c * kk
                p = r // kW
                cc[e] = grp * Cg + c if col < K else -1
                cp[e] = p * dh
                cq[e] = (r - p * kW) * dw
            r_end = min(R, sl * per + per)
            m0 = cuda.blockIdx.y * BM
            while m0 < Og:
                for r in range(TM):
                    for s in range(TN):
                        acc[r, s] = zero
                for k0 in range(sl * per, r_end, BK):
                    if tid < BK:
                        t = (k0 + tid) // Wo
                        rj[tid] = k0 + tid - t * Wo
                        rb[tid] = t // Ho
                        ri[tid] = t - (t // Ho) * Ho
                    cuda.syncthreads()
                    valid = k0 + ka < r_end
                    b = rb[ka]
                    i = ri[ka]
                    j = rj[ka]
                    for mm in range(tid // BK, BM, NT // BK):
                        m = m0 + mm
                        v = zero
                        if valid and m < Og:
                            v = gout[b, grp * Og + m, i, j]
                        As[ka, mm] = v
                    ih0 = i * sh - top
                    iw0 = j * sw - left
                    for nb in range(tid // BK, BN, NT // BK):
                        v = zero
                        if valid and n0 + nb < ncols:
                            ci = cc[nb]
                            if ci < 0:
                                v = one  # bias's column: grad_b = grad_out x 1
                            else:
                                ih = ih0 + cp[nb]
                                iw = iw0 + cq[nb]
                                if ih >= 0 and ih < H and iw >= 0 and iw < W:
                                    v = x[b, ci, ih, iw]
                        Bs[ka, nb] = v
                    cuda.syncthreads()
                    micro(As, Bs, acc, ar, br, tx, ty)
                    cuda.syncthreads()
                for r in range(TM):
                    m = m0 + ty + r * TY
                    if m < Og:
                        for s in range(TN):
                            col = n0 + tx + s * TX
                            if col < ncols:
                                parts[sl, grp * Og + m, col] = acc[r, s]
                m0 += cuda.gridDim.y * BM
            z += cuda.gridDim.z

    return kernel


@_cuda.kernel
def _finish_grad_w(parts, gw2, gb, has_b):
    # parts (S, Co, ncols) -> gw2 (Co, K) and gb (Co,) (column K), slices added in order.
    e = cuda.grid(1)
    S, Co, ncols = parts.shape
    if e >= Co * ncols:
        return
    oc = e // ncols
    col = e - oc * ncols
    acc = parts[0, oc, col]
    for s in range(1, S):
        acc += parts[s, oc, col]
    K = gw2.shape[1]
    if col < K:
        gw2[oc, col] = acc
    elif has_b:
        gb[oc] = acc


# ---------------------------------------------------------------- the op


def forward(g: Geometry, x: DeviceArray, weight: DeviceArray,
            bias: DeviceArray | None) -> tuple[DeviceArray, tuple]:
    """x (B, C_in, H, W), weight (C_out, C_in // groups, kH, kW), bias (C_out,) or None
    -> (out (B, C_out, H_out, W_out) in x's dtype, saved (x, weight))."""
    dtype = np.dtype(x.dtype)
    out = empty(g.out_shape, dtype)
    N = g.B * g.Ho * g.Wo
    if out.size == 0:
        return out, (x, weight)
    cfg = _config(g.Og)
    grid = (_cdiv(N, cfg[1] * cfg[3]), _capped(_cdiv(g.Og, cfg[0] * cfg[2])),
            _capped(g.groups))
    w2 = weight.reshape(g.Co, g.Cg * g.kH * g.kW)
    b = bias if bias is not None else w2.reshape(w2.size)  # never read without a bias
    _forward_kernel(dtype, cfg)[grid, NT](
        x, w2, b, bias is not None, out, g.groups, g.Cg, g.Og, *_window(g))
    return out, (x, weight)


def _window(g: Geometry) -> tuple[int, ...]:
    """The window arguments every kernel takes: stride, top/left padding, dilation,
    kernel size."""
    return (g.sh, g.sw, g.top, g.left, g.dh, g.dw, g.kH, g.kW)


def _grad_x(grad_out, weight, g: Geometry, dtype: np.dtype):
    grad_x = empty((g.B, g.C, g.H, g.W), dtype)
    N = g.B * g.H * g.W
    if N == 0:
        return grad_x
    cfg = _config(g.Cg)
    grid = (_cdiv(N, cfg[1] * cfg[3]), _capped(_cdiv(g.Cg, cfg[0] * cfg[2])),
            _capped(g.groups))
    _grad_x_kernel(dtype, cfg)[grid, NT](
        grad_out, weight.reshape(g.Co, g.Cg, g.kH * g.kW), grad_x, g.groups, g.Cg, g.Og,
        *_window(g))
    return grad_x


def _grad_w_b(grad_out, x, g: Geometry, dtype: np.dtype, need_w: bool, need_b: bool):
    """(grad_w or None, grad_b or None) from one split GEMM."""
    K = g.Cg * g.kH * g.kW
    ncols = K + (1 if need_b else 0)
    R = g.B * g.Ho * g.Wo
    grad_w = empty((g.Co, g.Cg, g.kH, g.kW), dtype) if need_w else None
    grad_b = empty((g.Co,), dtype) if need_b else None
    if R == 0:  # an empty batch: the sums are zero
        return (zeros((g.Co, g.Cg, g.kH, g.kW), dtype) if need_w else None,
                zeros((g.Co,), dtype) if need_b else None)
    # Slices fixed by the shapes alone, so the rounding of the sums never changes; so
    # many that groups * S fits one grid where it can (past MAX_GRID_Z groups S is 1
    # and the kernel loops over the groups).
    per = max(SPLIT_MIN, _cdiv(R, SPLIT_MAX), _cdiv(R, max(1, MAX_GRID_Z // g.groups)))
    per = _cdiv(per, BK) * BK
    S = _cdiv(R, per)
    cfg = _config(g.Og)
    grid = (_cdiv(ncols, cfg[1] * cfg[3]), _capped(_cdiv(g.Og, cfg[0] * cfg[2])),
            _capped(g.groups * S))
    direct_out = S == 1 and not need_b
    parts = grad_w.reshape(1, g.Co, K) if direct_out else empty((S, g.Co, ncols), dtype)
    _grad_w_kernel(dtype, cfg)[grid, NT](
        grad_out, x, parts, g.Cg, g.Og, *_window(g), per)
    if not direct_out:
        # Without grad_w the kernel made only the bias column (ncols = K + 1 columns
        # are still computed: the cost of one code path); keep the last one.
        gw2 = grad_w.reshape(g.Co, K) if need_w else empty((g.Co, K), dtype)
        gb = grad_b if need_b else gw2.reshape(gw2.size)
        _finish_grad_w[blocks(g.Co * ncols), THREADS](parts, gw2, gb, need_b)
    return grad_w, grad_b


def backward(g: Geometry, grad_out: DeviceArray, saved: tuple,
             needs_input_grad: tuple[bool, ...]) -> tuple:
    """grad_out (B, C_out, H_out, W_out), saved (x, weight) -> (grad_x, grad_weight,
    grad_bias), None where not needed."""
    x, weight = saved
    dtype = np.dtype(x.dtype)
    grad_x = _grad_x(grad_out, weight, g, dtype) if needs_input_grad[0] else None
    need_w = bool(needs_input_grad[1])
    need_b = g.has_bias and bool(needs_input_grad[2])
    grad_w = grad_b = None
    if need_w or need_b:
        grad_w, grad_b = _grad_w_b(grad_out, x, g, dtype, need_w, need_b)
    return grad_x, grad_w, grad_b
