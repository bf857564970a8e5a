"""conv2d, parallel CPU kernels with Numba: one sample (or chunk of samples) per thread.

Every sample's convolution is a small matrix product on its im2col columns. Per sample
b and group g, with ``K = Cg*kH*kW`` taps and the output positions as columns::

    xp     = x[b, channels of g], zero-padded            # (Cg, Hp, Wp), once per sample
    cols   = im2col(xp)                                  # (K, Ho, Wv): row k = tap (c, p, q)
    out    = W[g] (Og, K) @ cols + bias                  # then cropped to (Og, Ho, Wo)
    gW    += cols @ grad_out.T                           # as grad_w.T (K, Og)
    dcols  = W[g].T (K, Og) @ grad_out                   # grad_x = col2im(dcols), cropped

With stride 1 the columns use the padded row pitch (Wv = Wp): tap (p, q) of every output
position is then ONE contiguous run of the padded plane, ``xp[c].flat[p*dh*Wp + q*dw:]``,
so im2col is K long copies (and col2im K long additions) instead of K*Ho short ones. The
Wv - Wo extra columns per row cost that much more matrix product; forward drops the
outputs they make, and backward sets them to zero in ``cols``, ``grad_out`` and
``dcols`` so that they add exact zeros (never 0 * inf = NaN). With a stride (Wv = Wo)
each tap row is gathered row by row with the stride.

Forward (``prange`` over samples x groups; each iteration writes its own output block)::

    for (b, g) in prange(B * groups):
        xp, cols, o = thread-local buffers
        o[:] = bias[g];  o += W[g] @ cols                # _matmul_acc, see below
        out[b, g] = o[:, :, :Wo]

Backward (``prange`` over FIXED chunks of CHUNK samples x groups; one parallel region)::

    for (chunk, g) in prange(n_chunks * groups):
        gw_part[chunk, g] = 0;  gb_part[chunk, g] = 0    # this iteration's partial sums
        for b in chunk:                                  # in sample order
            go = grad_out[b, g] with the pitch Wv;  gb_part[chunk, g] += go summed
            cols = im2col(pad(x[b]));  gw_part[chunk, g] += cols @ go.T
            dcols = W[g].T @ go;  grad_x[b, channels of g] = crop(col2im(dcols))
    grad_w, grad_b = the sums over chunks of gw_part, gb_part, in chunk order

grad_w and grad_b are reductions over the batch: each chunk's partial sums are made by
one thread in sample order, the chunks are added in a fixed order, and the chunking
does not depend on the number of threads, so the results are bit-identical whatever
the thread count.
No two iterations ever write the same element. The parallelism is B * groups samples
(backward: ceil(B / CHUNK) * groups chunks), so a single image runs on one thread.

The matrix products are Numba loops, not BLAS: ``c += a @ b`` updates four rows of c
from four rows of b at a time, along an inner loop over columns that LLVM vectorises
(each c element still summed in k order; ``fastmath={"contract"}`` only fuses each
multiply-add into an FMA). np.dot inside njit would need SciPy, which minigrad does not
depend on; and NumPy's BLAS called between parallel regions makes the two thread pools
fight over the cores (OpenBLAS's idle threads spin for a while after each call).

Memory: forward allocates ``out`` and, per iteration, ``xp`` (Cg, Hp, Wp), ``cols``
(K, Ho, Wv) and ``o`` (Og, Ho, Wv). Backward allocates ``grad_x`` (each iteration writes
its samples' planes whole), ``gw_part`` (n_chunks, groups, K, Og), ``gb_part``
(n_chunks, groups, Og), and per iteration
``xp`` (reused for the padded grad_x), ``cols`` (reused for dcols), ``go`` (Og, Ho, Wv)
and ``goT`` (Ho*Wv, Og); all per-iteration buffers are thread-local.
Non-contiguous arguments are copied to C order first (a no-op for the usual ones).
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .._numba import njit
from . import Geometry

# Samples per chunk of the backward pass: fixed (never derived from the thread count)
# so that the partial sums of grad_weight and grad_bias, and hence their rounding,
# never change.
CHUNK = 4


# ---------------------------------------------------------------- sequential helpers


# Copies and additions run over whole 0-based views: LLVM vectorises a loop whose index
# is known to be non-negative (with ``j + offset`` Numba's negative-index wraparound
# check gets in the way).
@njit(cache=True)
def _copy(src, dst):
    for j in range(dst.shape[0]):
        dst[j] = src[j]


@njit(cache=True)
def _add(src, dst):
    for j in range(dst.shape[0]):
        dst[j] += src[j]


# Fills go through a flat 1-D view: Numba's multi-dimensional slice assignment
# (``a[:, :, :] = 0``) is several times slower than a plain loop.
@njit(cache=True)
def _fill(a, value):
    """a[...] = value for a C-contiguous array of any dimension."""
    flat = a.reshape(a.size)
    for j in range(flat.shape[0]):
        flat[j] = value


@njit(cache=True)
def _zero_columns(a, start):
    """a (R, Ho, Wv)[:, :, start:] = 0."""
    R, Ho, Wv = a.shape
    for r in range(R):
        for i in range(Ho):
            row = a[r, i]
            for j in range(start, Wv):
                row[j] = 0


@njit(cache=True)
def _pad(xb, c0, xp, top, left):
    """xp (Cg, Hp, Wp) = channels c0 .. c0+Cg of xb (C, H, W), zero-padded."""
    H = xb.shape[1]
    W = xb.shape[2]
    _fill(xp, 0)
    for c in range(xp.shape[0]):
        for h in range(H):
            _copy(xb[c0 + c, h], xp[c, top + h, left : left + W])


@njit(cache=True)
def _im2col(xp, cols, kH, kW, sh, sw, dh, dw, exact):
    """cols (Cg*kH*kW, Ho, Wv)[k=(c, p, q), i, j] = xp[c, i*sh + p*dh, j*sw + q*dw] for
    j < Wo. The columns j >= Wo (only with stride 1, where Wv = Wp) hold other pixels
    of the plane, or 0 with ``exact`` (as products with them must add exact zeros)."""
    Cg, Hp, Wp = xp.shape
    K, Ho, Wv = cols.shape
    Wo = (Wp - dw * (kW - 1) - 1) // sw + 1
    if sh == 1 and sw == 1:
        n = (Ho - 1) * Wv + Wo  # from the first column of row 0 to the last of row Ho-1
        for c in range(Cg):
            src = xp[c].reshape(Hp * Wp)
            for p in range(kH):
                for q in range(kW):
                    k = (c * kH + p) * kW + q
                    start = p * dh * Wp + q * dw
                    _copy(src[start : start + n], cols[k].reshape(Ho * Wv)[:n])
        if exact:
            _zero_columns(cols, Wo)
        else:  # only the end of the last row is never written
            _zero_columns(cols[:, Ho - 1 :], Wo)
    else:
        for c in range(Cg):
            for p in range(kH):
                for q in range(kW):
                    k = (c * kH + p) * kW + q
                    for i in range(Ho):
                        row = xp[c, i * sh + p * dh]
                        _copy(row[q * dw : q * dw + (Wo - 1) * sw + 1 : sw], cols[k, i])


@njit(cache=True)
def _col2im(dcols, gxp, kH, kW, sh, sw, dh, dw):
    """gxp (Cg, Hp, Wp) = the adjoint of _im2col applied to dcols (K, Ho, Wv): every
    entry is added to the padded pixel it was copied from, taps in k order. The
    columns j >= Wo of dcols must be 0."""
    Cg, Hp, Wp = gxp.shape
    K, Ho, Wv = dcols.shape
    Wo = (Wp - dw * (kW - 1) - 1) // sw + 1
    _fill(gxp, 0)
    if sh == 1 and sw == 1:
        n = (Ho - 1) * Wv + Wo
        for c in range(Cg):
            dst = gxp[c].reshape(Hp * Wp)
            for p in range(kH):
                for q in range(kW):
                    k = (c * kH + p) * kW + q
                    start = p * dh * Wp + q * dw
                    _add(dcols[k].reshape(Ho * Wv)[:n], dst[start : start + n])
    else:
        for c in range(Cg):
            for p in range(kH):
                for q in range(kW):
                    k = (c * kH + p) * kW + q
                    for i in range(Ho):
                        row = gxp[c, i * sh + p * dh]
                        _add(dcols[k, i], row[q * dw : q * dw + (Wo - 1) * sw + 1 : sw])


# fastmath={"contract"} lets LLVM fuse each a*b + c into one FMA instruction (one
# rounding instead of two, so slightly more accurate); it allows nothing else: no
# reordering of sums, and NaN/inf propagate as without it.
@njit(cache=True, fastmath={"contract"})
def _matmul_acc(a, b, c):
    """c (M, N) += a (M, K) @ b (K, N), every c[m, n] summed in k order.

    A 4x4 register block: four rows of c are updated together from four rows of b, so
    each b[k, n] loaded serves four outputs and each c[m, n] is loaded and stored once
    per four k. The inner loop runs along n with plain 2-D indexing (0-based, one array
    per operand) so that LLVM vectorises it. Remainder rows and k's go one at a time.
    """
    M, K = a.shape
    N = b.shape[1]
    M4 = M - M % 4
    K4 = K - K % 4
    for m in range(0, M4, 4):
        for k in range(0, K4, 4):
            a00, a01, a02, a03 = a[m, k], a[m, k + 1], a[m, k + 2], a[m, k + 3]
            a10, a11, a12, a13 = a[m + 1, k], a[m + 1, k + 1], a[m + 1, k + 2], a[m + 1, k + 3]
            a20, a21, a22, a23 = a[m + 2, k], a[m + 2, k + 1], a[m + 2, k + 2], a[m + 2, k + 3]
            a30, a31, a32, a33 = a[m + 3, k], a[m + 3, k + 1], a[m + 3, k + 2], a[m + 3, k + 3]
            for n in range(N):
                b0 = b[k, n]
                b1 = b[k + 1, n]
                b2 = b[k + 2, n]
                b3 = b[k + 3, n]
                c[m, n] = (((c[m, n] + a00 * b0) + a01 * b1) + a02 * b2) + a03 * b3
                c[m + 1, n] = (((c[m + 1, n] + a10 * b0) + a11 * b1) + a12 * b2) + a13 * b3
                c[m + 2, n] = (((c[m + 2, n] + a20 * b0) + a21 * b1) + a22 * b2) + a23 * b3
                c[m + 3, n] = (((c[m + 3, n] + a30 * b0) + a31 * b1) + a32 * b2) + a33 * b3
        for k in range(K4, K):
            a0, a1, a2, a3 = a[m, k], a[m + 1, k], a[m + 2, k], a[m + 3, k]
            for n in range(N):
                bk = b[k, n]
                c[m, n] += a0 * bk
                c[m + 1, n] += a1 * bk
                c[m + 2, n] += a2 * bk
                c[m + 3, n] += a3 * bk
    for m in range(M4, M):
        for k in range(0, K4, 4):
            a0, a1, a2, a3 = a[m, k], a[m, k + 1], a[m, k + 2], a[m, k + 3]
            for n in range(N):
                c[m, n] = (((c[m, n] + a0 * b[k, n]) + a1 * b[k + 1, n])
                           + a2 * b[k + 2, n]) + a3 * b[k + 3, n]
        for k in range(K4, K):
            a0 = a[m, k]
            for n in range(N):
                c[m, n] += a0 * b[k, n]


@njit(cache=True)
def _transpose(a, out):
    """out (N, M) = a (M, N).T, in 32x32 blocks (both sides stay in cache)."""
    M, N = a.shape
    for m0 in range(0, M, 32):
        m1 = min(M, m0 + 32)
        for n0 in range(0, N, 32):
            n1 = min(N, n0 + 32)
            for m in range(m0, m1):
                for n in range(n0, n1):
                    out[n, m] = a[m, n]


# ---------------------------------------------------------------- parallel kernels


@njit(parallel=True, cache=True)
def _forward_kernel(x, wm, bias, has_bias, out, kH, kW, sh, sw, top, left, dh, dw, Hp, Wp):
    """out (B, groups, Og, Ho, Wo) = conv(x (B, C_in, H, W), wm (groups, Og, K)) + bias."""
    B = x.shape[0]
    groups, Og, K = wm.shape
    Cg = K // (kH * kW)
    Ho, Wo = out.shape[3], out.shape[4]
    Wv = Wp if sh == 1 and sw == 1 else Wo
    for t in prange(B * groups):
        b = t // groups
        g = t - b * groups
        xp = np.empty((Cg, Hp, Wp), dtype=x.dtype)
        cols = np.empty((K, Ho, Wv), dtype=x.dtype)
        o = np.empty((Og, Ho, Wv), dtype=x.dtype)
        _pad(x[b], g * Cg, xp, top, left)
        # The extra columns j >= Wo only make outputs that are dropped below.
        _im2col(xp, cols, kH, kW, sh, sw, dh, dw, False)
        for m in range(Og):
            _fill(o[m], bias[g * Og + m] if has_bias else 0)
        _matmul_acc(wm[g], cols.reshape(K, Ho * Wv), o.reshape(Og, Ho * Wv))
        for m in range(Og):
            for i in range(Ho):
                _copy(o[m, i, :Wo], out[b, g, m, i])


@njit(parallel=True, cache=True)
def _backward_kernel(x, wt, gout, gx, gw_part, gb_part, need_gx, need_gw, need_gb, chunk,
                     kH, kW, sh, sw, top, left, dh, dw, Hp, Wp):
    """grad_x (B, C_in, H, W), and per-chunk partial sums of grad_w.T (n_chunks, groups,
    K, Og) and grad_b (n_chunks, groups, Og), from gout (B, groups, Og, Ho, Wo), in
    chunks of ``chunk`` samples; wt (groups, K, Og) is W.T per group. Each output is
    written only where its need_* flag is set."""
    B, C_in, H, W = x.shape
    groups, K, Og = wt.shape
    Cg = K // (kH * kW)
    Ho, Wo = gout.shape[3], gout.shape[4]
    Wv = Wp if sh == 1 and sw == 1 else Wo
    n_chunks = (B + chunk - 1) // chunk
    for t in prange(n_chunks * groups):
        ch = t // groups
        g = t - ch * groups
        xp = np.empty((Cg, Hp, Wp), dtype=x.dtype)
        cols = np.empty((K, Ho, Wv), dtype=x.dtype)
        go = np.empty((Og, Ho, Wv), dtype=x.dtype)
        _fill(go, 0)  # the columns j >= Wo stay 0
        goT = np.empty((Ho * Wv if need_gw else 0, Og), dtype=x.dtype)
        gwp = gw_part[ch if need_gw else 0, g]
        gbp = gb_part[ch if need_gb else 0, g]
        if need_gw:
            _fill(gwp, 0)
        if need_gb:
            _fill(gbp, 0)
        for b in range(ch * chunk, min(B, (ch + 1) * chunk)):
            for m in range(Og):
                for i in range(Ho):
                    _copy(gout[b, g, m, i], go[m, i, :Wo])
            if need_gb:
                for m in range(Og):
                    s = gbp[m]
                    for i in range(Ho):
                        for j in range(Wo):
                            s += go[m, i, j]
                    gbp[m] = s
            if need_gw:
                _pad(x[b], g * Cg, xp, top, left)
                _im2col(xp, cols, kH, kW, sh, sw, dh, dw, True)
                # grad_w.T (K, Og) += cols (K, L) @ go.T (L, Og): the product's inner
                # loop runs along Og rather than being a reduction along L.
                _transpose(go.reshape(Og, Ho * Wv), goT)
                _matmul_acc(cols.reshape(K, Ho * Wv), goT, gwp)
            if need_gx:
                dcols = cols  # cols is no longer needed for this sample
                _fill(dcols, 0)
                _matmul_acc(wt[g], go.reshape(Og, Ho * Wv), dcols.reshape(K, Ho * Wv))
                _zero_columns(dcols, Wo)  # exact zeros even if W holds inf/NaN
                _col2im(dcols, xp, kH, kW, sh, sw, dh, dw)
                for c in range(Cg):
                    for h in range(H):
                        _copy(xp[c, top + h, left : left + W], gx[b, g * Cg + c, h])


# Sequential on purpose: a few thousand additions are not worth waking the threads.
@njit(cache=True)
def _sum_chunks(parts, out):
    """out = parts[0] + parts[1] + ..., in chunk order; parts (n_chunks, E)."""
    n, E = parts.shape
    for e in range(E):
        out[e] = parts[0, e]
    for k in range(1, n):
        for e in range(E):
            out[e] += parts[k, e]


# ---------------------------------------------------------------- the op


def forward(
    g: Geometry, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """x (B, C_in, H, W), weight (C_out, C_in // groups, kH, kW), bias (C_out,) or None
    -> (out (B, C_out, H_out, W_out) in x's dtype, saved (x, weight))."""
    saved = (x, weight)
    x = np.ascontiguousarray(x)
    wm = np.ascontiguousarray(weight).reshape(g.groups, g.Og, g.Cg * g.kH * g.kW)
    has_bias = bias is not None
    b = np.ascontiguousarray(bias) if has_bias else np.zeros(1, dtype=x.dtype)
    out = np.empty(g.out_shape, dtype=x.dtype)
    _forward_kernel(
        x, wm, b, has_bias, out.reshape(g.B, g.groups, g.Og, g.Ho, g.Wo),
        g.kH, g.kW, g.sh, g.sw, g.top, g.left, g.dh, g.dw, g.Hp, g.Wp,
    )
    return out, saved


def backward(
    g: Geometry,
    grad_out: np.ndarray,
    saved: tuple[np.ndarray, np.ndarray],
    needs_input_grad: tuple[bool, ...],
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """grad_out (B, C_out, H_out, W_out), saved (x, weight) -> (grad_x, grad_weight,
    grad_bias), None where not needed."""
    x, weight = saved
    K = g.Cg * g.kH * g.kW
    gout = np.ascontiguousarray(grad_out, dtype=x.dtype)

    need_gx, need_gw = bool(needs_input_grad[0]), bool(needs_input_grad[1])
    need_gb = g.has_bias and bool(needs_input_grad[2])
    if not (need_gx or need_gw or need_gb):
        return None, None, None
    x = np.ascontiguousarray(x)
    # W.T per group, (groups, K, Og): the left operand of dcols = W.T @ grad_out.
    wt = np.ascontiguousarray(
        np.ascontiguousarray(weight).reshape(g.groups, g.Og, K).transpose(0, 2, 1)
    )
    # Without a reduction over the batch, one sample per iteration.
    chunk = CHUNK if (need_gw or need_gb) else 1
    n_chunks = -(-g.B // chunk)
    gw_part = np.empty((n_chunks if need_gw else 1, g.groups, K, g.Og), dtype=x.dtype)
    gb_part = np.empty((n_chunks if need_gb else 1, g.groups, g.Og), dtype=x.dtype)
    grad_x = np.empty(x.shape if need_gx else (g.B, 0, 0, 0), dtype=x.dtype)
    _backward_kernel(
        x, wt, gout.reshape(g.B, g.groups, g.Og, g.Ho, g.Wo), grad_x, gw_part, gb_part,
        need_gx, need_gw, need_gb, chunk,
        g.kH, g.kW, g.sh, g.sw, g.top, g.left, g.dh, g.dw, g.Hp, g.Wp,
    )
    grad_w = grad_b = None
    if need_gw:
        gw_t = np.empty((g.groups, K, g.Og), dtype=x.dtype)
        _sum_chunks(gw_part.reshape(n_chunks, -1), gw_t.reshape(-1))
        # A new array of weight's shape (not a view): the tape may keep it as .grad.
        grad_w = np.empty(weight.shape, dtype=x.dtype)
        grad_w.reshape(g.groups, g.Og, K)[...] = gw_t.transpose(0, 2, 1)
    if need_gb:
        grad_b = np.empty(g.Co, dtype=x.dtype)
        _sum_chunks(gb_part.reshape(n_chunks, -1), grad_b)
    return (grad_x if need_gx else None), grad_w, grad_b
