"""matmul, parallel CPU kernels with Numba: a register-tiled GEMM in plain loops.

The declaration reduces everything to ``out (B, n, m) = a (B, n, k) @ b (B, k, m)``
(2-D x 2-D and a batch against one matrix are one product, B == 1). The kernel is the
BLAS recipe (Goto / BLIS) written in loops: copy ``b`` into *panels* of NR columns,
then build ``out`` from MR x NR *register tiles*, each the sum of k outer products
of an MR-column of ``a`` (read in place) and an NR-row of a panel.

Pseudo code::

    # 1. pack b (prange over the panels of every batch; each iteration writes one):
    for (s, q) in prange(B * ceil(m / NR)):
        bpack[s, q, p, c] = b[s, p, q*NR + c]          0 past the last column
    # 2. multiply (prange over tasks = (batch s, MC consecutive rows of out)):
    for (s, rows i_lo..i_lo+MC) in prange(B * ceil(n / MC)):
        for p0 in range(0, k, KC):                      # depth blocks, in order
            for each panel q:                           # columns q*NR .. q*NR+NR
                for i0 in range(i_lo, i_lo + MC, MR):   # MR rows at a time
                    acc[MR, NR] = 0                     # kept in registers
                    for p in range(p0, p0 + KC):
                        acc += outer(a[s, i0:i0+MR, p], bpack[s, q, p, :])
                    out[s, i0:i0+MR, q*NR:q*NR+NR] (=, or += after the first block) acc

    Backward: dA = G @ B^T and dB = A^T @ G are the same product on transposed
    views: ``a`` is read and ``b`` packed through any strides, so nothing changes.

The inner step loads MR values of ``a`` (broadcast to a vector) and one row of the
panel (NR/16 AVX-512 vectors in float32) and does MR*NR multiply-adds into MR*NR/16
accumulator vectors that stay in registers for the whole depth block (4 x 64: 16
vectors). For that the accumulator must be a fixed-size array that nothing else
can point to: a NumPy array from ``np.empty`` lives on the heap, LLVM cannot prove
that it does not overlap the inputs, and every step would load and store it (2-4x
slower). Hence ``_stack_tile``, a stack array of compile-time size. Edge tiles
compute on padding (zero columns in the panel; rows past the end re-read the last
row) and store only their valid part, so there are no branches in the inner loop.
``fastmath={"contract"}`` only lets LLVM fuse ``acc + x*y`` into one FMA instruction
(one rounding instead of two, as BLAS does); it neither reorders sums nor changes how
NaN and inf propagate (no other fast-math flag is set).

Parallel strategy and determinism: the packing writes one panel per iteration; in
the product each task owns whole rows of ``out`` (no two threads write the same
element), and every output element is summed in the same order whatever the
tiling: depth blocks p0 = 0, KC, 2*KC, ... one after the other, p in order inside a
block. The thread count only changes which thread computes a tile, so results are
bit-identical with 1 or N threads.

Memory: ``bpack`` (B, ceil(m/NR), k, NR), a copy of ``b`` padded to whole panels
(O(km) against the O(nkm) product; a ``b`` broadcast over the batch is packed once
per batch entry), and ``out`` (B, n, m), uninitialised and written by the task that
owns its rows, once per depth block; the accumulators are on each thread's stack.
``a`` is never copied.

Speed (float32, forward+backward, 2 cores with AVX-512, where MR, NR, KC, MC were
tuned): 128x400 @ 400x120 0.26 ms against NumPy's 0.23 ms (packing ``b`` is about a
fifth of the time at this size), 512x512 @ 512x512 4.3 ms against 4.2 ms, a batch of
32 64x64 products 0.37 ms against 0.57 ms (NumPy runs one small gemm per matrix).
Without AVX-512 the 4 x 64 float32 tile no longer fits in the 16 vector registers.
float64 runs at about half of dgemm's speed (the same tile is 32 vectors: it
spills); it is for gradient checks. Inside ``njit`` ``np.dot`` would call BLAS, but
Numba needs SciPy for that (scipy.linalg.cython_blas), not a minigrad dependency.
"""

from __future__ import annotations

from functools import partial

import numba
import numpy as np
from numba import prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from .._numba import njit
from . import _batched

MR = 4  # rows of a register tile
NR = 64  # columns of a register tile: 4 AVX-512 vectors of float32
KC = 256  # depth of a block: a KC x NR block of a panel (64 KB in float32) stays in L2
MC = 32  # rows of out per parallel task (a multiple of MR); results do not depend on it
_TILE = MR * NR


@intrinsic
def _stack_tile(typingctx, dtype_ty):
    """A pointer to ``_TILE`` elements of ``dtype`` on the stack (an LLVM ``alloca``).

    Memory that nothing else can point to, so LLVM keeps the whole tile in
    registers across the depth loop. ``numba.carray`` makes it an (MR, NR) array.
    """
    elt = dtype_ty.dtype

    def codegen(context, builder, signature, args):
        return cgutils.alloca_once(builder, context.get_data_type(elt), size=_TILE)

    return types.CPointer(elt)(dtype_ty), codegen


# Explicit signatures, one per dtype: every 3-D view (C order, transposed, broadcast,
# read-only) converts to the read-only "A" (any strides) array type, so each kernel
# compiles twice (at import, then cached on disk) instead of once per layout variant.
def _both_dtypes(signature):
    return [signature(types.float32), signature(types.float64)]


def _any_view(dtype):
    return types.Array(dtype, 3, "A", readonly=True)


def _c_array(dtype, ndim):
    return types.Array(dtype, ndim, "C")


@njit(_both_dtypes(lambda t: types.void(_any_view(t), _c_array(t, 4))), parallel=True,
      cache=True)
def _pack_b(b, bpack):
    """bpack[s, q, p, c] = b[s, p, q*NR + c], 0 past the last column."""
    batch, depth, m = b.shape
    n_panels = bpack.shape[1]
    for t in prange(batch * n_panels):  # one panel per iteration
        s = t // n_panels
        q = t % n_panels
        j0 = q * NR
        cols = min(NR, m - j0)
        if b.strides[2] <= b.strides[1]:  # b's rows are contiguous: copy row by row
            for p in range(depth):
                for c in range(cols):
                    bpack[s, q, p, c] = b[s, p, j0 + c]
                for c in range(cols, NR):
                    bpack[s, q, p, c] = 0
        else:  # a transposed view: read down its contiguous columns
            for c in range(cols):
                for p in range(depth):
                    bpack[s, q, p, c] = b[s, p, j0 + c]
            for p in range(depth):
                for c in range(cols, NR):
                    bpack[s, q, p, c] = 0


@njit(inline="always")
def _tile(a, i0, p0, depth, b_panel, out, j0, first):
    """out[i0:i0+MR, j0:j0+NR] (=, or += unless ``first``) the product of
    a[i0:i0+MR, p0:p0+depth] and the packed b_panel (depth, NR); only the part
    inside out is stored (edge tiles)."""
    n, m = out.shape
    acc = numba.carray(_stack_tile(out.dtype), (MR, NR))
    for r in range(MR):
        for c in range(NR):
            acc[r, c] = 0
    last = n - 1
    for p in range(depth):
        for r in range(MR):
            # Rows past the end read the last row again; their sums are not stored.
            a_rp = a[min(i0 + r, last), p0 + p]
            for c in range(NR):  # vectorised: NR/16 (float32) FMA per row
                acc[r, c] += a_rp * b_panel[p, c]
    rows = min(MR, n - i0)
    cols = min(NR, m - j0)
    if first:
        for r in range(rows):
            for c in range(cols):
                out[i0 + r, j0 + c] = acc[r, c]
    else:
        for r in range(rows):
            for c in range(cols):
                out[i0 + r, j0 + c] += acc[r, c]


@njit(_both_dtypes(lambda t: types.void(_any_view(t), _c_array(t, 4), _c_array(t, 3))),
      parallel=True, cache=True, fastmath={"contract"})
def _gemm(a, bpack, out):
    """out[s] = a[s] @ b[s], b from its packed panels; every task owns MC rows of out."""
    batch, n, m = out.shape
    depth = a.shape[2]
    row_tiles = (n + MC - 1) // MC
    b_panels = bpack.shape[1]
    for t in prange(batch * row_tiles):
        s = t // row_tiles
        i_lo = (t % row_tiles) * MC
        i_hi = min(i_lo + MC, n)
        a_s = a[s]
        out_s = out[s]
        for p0 in range(0, depth, KC):
            block = min(KC, depth - p0)
            for q in range(b_panels):
                b_panel = bpack[s, q, p0:p0 + block]
                for i0 in range(i_lo, i_hi, MR):
                    _tile(a_s, i0, p0, block, b_panel, out_s, q * NR, p0 == 0)


def _bmm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(B, n, k) @ (B, k, m) -> (B, n, m); a and b may be any strided views."""
    batch, n, k = a.shape
    m = b.shape[2]
    if batch == 0 or n == 0 or m == 0 or k == 0:
        return np.zeros((batch, n, m), dtype=a.dtype)  # k == 0: the empty sum
    bpack = np.empty((batch, -(-m // NR), k, NR), dtype=a.dtype)
    _pack_b(b, bpack)
    out = np.empty((batch, n, m), dtype=a.dtype)
    _gemm(a, bpack, out)
    return out


# The op around the product (views, saved arrays, gradients): _batched.py.
forward = partial(_batched.forward_with, _bmm)
backward = partial(_batched.backward_with, _bmm)
