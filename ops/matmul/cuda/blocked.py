"""matmul on CUDA, blocked: shared-memory tiles plus register blocking, as in fast
SGEMMs. A block of 16x16 threads owns a 64x64 tile of C and each thread a 4x4
micro-tile of it, held in registers; per step of the depth loop a thread reads 4 + 4
values from shared memory and does 16 multiply-adds with them (tiled: 2 reads per
multiply-add), and each global element staged in shared memory serves 64 outputs.

Pseudo code (one launch per product, see _gemm.py; BM = BN = 64, BK = 16)::

    shared sA[BK][BM + 1], sB[BK][BN + 1]       # A's tile stored transposed
    (ty, tx) = threadIdx; row0 = blockIdx.x * BM; col0 = blockIdx.y * BN
    acc[4][4] = 0                               # registers (cuda.local.array)
    for r in summed batch entries:              # 1 in forward
        for p0 in range(0, depth, BK):
            each thread stages 4 elements of A[row0:+BM, p0:+BK] into sA (as [p][i])
            and 4 of B[p0:+BK, col0:+BN] into sB, 0 outside the operands
            syncthreads()
            for p in range(BK):
                a[u] = sA[p][ty + 16u], b[v] = sB[p][tx + 16v]   u, v = 0..3
                acc[u][v] += a[u] * b[v]
            syncthreads()
    C[row0 + ty + 16u, col0 + tx + 16v] = acc[u][v]   (inside C; + bias[j] for linear)

The micro-tile is strided (rows ty, ty+16, ...; columns tx, tx+16, ...), not 4
neighbouring rows and columns: the 16 threads of a half-warp then read 16
consecutive words of sB (no bank conflicts) and store 16 consecutive columns of C
(coalesced). As in tiled, each operand is staged with neighbouring threads walking
its contiguous axis (rows of a transposed operand), so the global loads are
coalesced in forward and in backward; the +1 padding keeps the transposing stores
off a single bank. Backward is this kernel launched for dA = G @ b^T and
dB = a^T @ G.
"""
from __future__ import annotations

import functools

import numpy as np
from numba import cuda
from numba.cuda.np import numpy_support

from ... import _cuda
from . import _gemm
from ._gemm import batch_offsets

BM = BN = 64  # C tile per block
BK = 16  # depth per shared-memory step
TM = TN = 4  # micro-tile per thread
TX = BN // TN  # 16 x 16 threads
TY = BM // TM
THREADS = TX * TY
TILE = (BM, BN)
# Literal sizes for the shared and local arrays and the unrolled loops. The +1
# column keeps transposing stores (threads walking down a column) off one bank.
SHARED_A = (BK, BM + 1)
SHARED_B = (BK, BN + 1)
MICRO = TM * TN
LOADS_A = BM * BK // THREADS  # elements each thread stages per step
LOADS_B = BK * BN // THREADS


@functools.lru_cache(maxsize=None)
def _kernel(dtype: np.dtype):
    zero = dtype.type(0)  # typed, so float32 sums stay float32 on the device
    dt = numpy_support.from_dtype(dtype)  # shared/local arrays' element type

    @_cuda.kernel
    def gemm(A, B, C, D, has_bias, rows, cols, depth, a_rs, a_cs, b_rs, b_cs,
             batches, kept, a_kept, b_kept, reduced, red, a_red, b_red):
        sA = cuda.shared.array(SHARED_A, dt)
        sB = cuda.shared.array(SHARED_B, dt)
        acc = cuda.local.array(MICRO, dt)
        ra = cuda.local.array(TM, dt)
        rb = cuda.local.array(TN, dt)
        tx = cuda.threadIdx.x
        ty = cuda.threadIdx.y
        t = ty * TX + tx
        row0 = cuda.blockIdx.x * BM
        # Staging: thread t's first element of each tile, then steps of THREADS
        # elements, with t walking the operand's contiguous axis. The step is whole
        # rows (or columns) of the tile, so only one coordinate moves.
        if a_cs == 1:  # A row-major: t along p
            ai, ap, ai_step, ap_step = t // BK, t % BK, THREADS // BK, 0
        else:  # transposed: t along rows
            ai, ap, ai_step, ap_step = t % BM, t // BM, 0, THREADS // BM
        if b_cs == 1:  # B row-major: t along columns
            bp, bj, bp_step, bj_step = t // BN, t % BN, THREADS // BN, 0
        else:
            bp, bj, bp_step, bj_step = t % BK, t // BK, 0, THREADS // BK
        col_tiles = (cols + BN - 1) // BN
        for z in range(cuda.blockIdx.z, batches, cuda.gridDim.z):
            oa, ob = batch_offsets(z, kept, a_kept, b_kept)
            for ct in range(cuda.blockIdx.y, col_tiles, cuda.gridDim.y):
                col0 = ct * BN
                for e in range(MICRO):
                    acc[e] = zero
                for r in range(reduced):
                    ra0, rb0 = batch_offsets(r, red, a_red, b_red)
                    for p0 in range(0, depth, BK):
                        for s in range(LOADS_A):
                            i = ai + s * ai_step
                            p = ap + s * ap_step
                            v = zero
                            if row0 + i < rows and p0 + p < depth:
                                v = A[oa + ra0 + (row0 + i) * a_rs + (p0 + p) * a_cs]
                            sA[p, i] = v
                        for s in range(LOADS_B):
                            p = bp + s * bp_step
                            j = bj + s * bj_step
                            v = zero
                            if p0 + p < depth and col0 + j < cols:
                                v = B[ob + rb0 + (p0 + p) * b_rs + (col0 + j) * b_cs]
                            sB[p, j] = v
                        cuda.syncthreads()
                        for p in range(BK):
                            for u in range(TM):
                                ra[u] = sA[p, ty + u * TY]
                            for v in range(TN):
                                rb[v] = sB[p, tx + v * TX]
                            for u in range(TM):
                                for v in range(TN):
                                    acc[u * TN + v] += ra[u] * rb[v]
                        cuda.syncthreads()
                for u in range(TM):
                    i = row0 + ty + u * TY
                    if i < rows:
                        for v in range(TN):
                            j = col0 + tx + v * TX
                            if j < cols:
                                c = acc[u * TN + v]
                                if has_bias:
                                    c += D[j]
                                C[(z * rows + i) * cols + j] = c

    return gemm


# Public: linear's versions (ops/linear/cuda) launch it too, with a bias.
launch = _gemm.launcher(_kernel, TILE, (TX, TY))
# The op around the launches (plans, allocations, which gradients): _gemm.py.
forward = functools.partial(_gemm.forward_with, launch)
backward = functools.partial(_gemm.backward_with, launch)
