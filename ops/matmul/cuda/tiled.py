"""matmul on CUDA, tiled: the classic shared-memory GEMM. A block of 16x16 threads owns
a 16x16 tile of C; the depth is walked 16 at a time, each step staging a 16x16 tile of
A and one of B in shared memory, so every global element is read once per block
instead of once per thread (16x fewer global loads than naive).

Pseudo code (one launch per product, see _gemm.py)::

    shared sA[16][16 + 1], sB[16][16 + 1]      # +1: transposed stores hit 16 banks
    (ty, tx) = threadIdx; row0 = blockIdx.x * 16; col0 = blockIdx.y * 16
    acc = 0                                    # one register per thread
    for r in summed batch entries:             # 1 in forward
        for p0 in range(0, depth, 16):
            sA[ty][tx] = A[row0 + ty, p0 + tx]     # 0 outside A: edge tiles
            sB[ty][tx] = B[p0 + ty, col0 + tx]
            syncthreads()
            for q in range(16): acc += sA[ty][q] * sB[q][tx]
            syncthreads()
    C[row0 + ty, col0 + tx] = acc              # if inside C; + bias[j] for linear

A transposed operand (backward's b^T and a^T, whose elements are contiguous down a
column) is loaded with threadIdx.x walking its rows instead (the thread writes
sA[tx][ty]), so neighbouring threads still read neighbouring addresses: coalesced
loads either way. Backward is this kernel launched for dA = G @ b^T and dB = a^T @ G.
"""
from __future__ import annotations

import functools

import numpy as np
from numba import cuda
from numba.cuda.np import numpy_support

from ... import _cuda
from . import _gemm
from ._gemm import batch_offsets

T = 16
TILE = (T, T)  # rows, columns of C per block
# Shared arrays need literal shapes: computed here, not in the kernel. The +1 column
# keeps a transposing store (threads walking a column) on 16 different banks.
SHARED = (T, T + 1)


@functools.lru_cache(maxsize=None)
def _kernel(dtype: np.dtype):
    zero = dtype.type(0)  # typed, so float32 sums stay float32 on the device
    dt = numpy_support.from_dtype(dtype)  # shared arrays' element type, a constant

    @_cuda.kernel
    def gemm(A, B, C, D, has_bias, rows, cols, depth, a_rs, a_cs, b_rs, b_cs,
             batches, kept, a_kept, b_kept, reduced, red, a_red, b_red):
        sA = cuda.shared.array(SHARED, dt)
        sB = cuda.shared.array(SHARED, dt)
        tx = cuda.threadIdx.x
        ty = cuda.threadIdx.y
        row0 = cuda.blockIdx.x * T
        # Which thread loads which tile element: along the operand's contiguous axis.
        if a_cs == 1:
            ai, ap = ty, tx
        else:
            ai, ap = tx, ty
        if b_cs == 1:
            bp, bj = ty, tx
        else:
            bp, bj = tx, ty
        col_tiles = (cols + T - 1) // T
        for z in range(cuda.blockIdx.z, batches, cuda.gridDim.z):
            oa, ob = batch_offsets(z, kept, a_kept, b_kept)
            for ct in range(cuda.blockIdx.y, col_tiles, cuda.gridDim.y):
                col0 = ct * T
                acc = zero
                for r in range(reduced):
                    ra, rb = batch_offsets(r, red, a_red, b_red)
                    for p0 in range(0, depth, T):
                        v = zero
                        if row0 + ai < rows and p0 + ap < depth:
                            v = A[oa + ra + (row0 + ai) * a_rs + (p0 + ap) * a_cs]
                        sA[ai, ap] = v
                        v = zero
                        if p0 + bp < depth and col0 + bj < cols:
                            v = B[ob + rb + (p0 + bp) * b_rs + (col0 + bj) * b_cs]
                        sB[bp, bj] = v
                        cuda.syncthreads()
                        for q in range(T):
                            acc += sA[ty, q] * sB[q, tx]
                        cuda.syncthreads()
                i = row0 + ty
                j = col0 + tx
                if i < rows and j < cols:
                    if has_bias:
                        acc += D[j]
                    C[(z * rows + i) * cols + j] = acc

    return gemm


# Public: linear's versions (ops/linear/cuda) launch it too, with a bias.
launch = _gemm.launcher(_kernel, TILE, (T, T))
# The op around the launches (plans, allocations, which gradients): _gemm.py.
forward = functools.partial(_gemm.forward_with, launch)
backward = functools.partial(_gemm.backward_with, launch)
