"""matmul on CUDA, naive: one thread per output element, its dot product read straight
from global memory (the "1x" of the CUDA versions).

Pseudo code (one launch per product, see _gemm.py; 16x16 threads per block)::

    i = blockIdx.x * 16 + threadIdx.y          # row of C
    j = blockIdx.y * 16 + threadIdx.x          # column: neighbouring threads, columns
    z = blockIdx.z                             # batch entry of C
    acc = 0
    for r in summed batch entries:             # 1 in forward
        for p in range(depth):
            acc += A[z, r, i, p] * B[z, r, p, j]   # global loads, strided per operand
    C[z, i, j] = acc                           # + bias[j] for linear (epilogue)

Backward is the same kernel launched for dA = G @ b^T and dB = a^T @ G, the transposes
being swapped strides.
"""
from __future__ import annotations

import functools

import numpy as np
from numba import cuda

from ... import _cuda
from . import _gemm
from ._gemm import batch_offsets

TILE = (16, 16)  # rows, columns of C per block


@functools.lru_cache(maxsize=None)
def _kernel(dtype: np.dtype):
    zero = dtype.type(0)  # typed, so float32 sums stay float32 on the device
    T = TILE[0]

    @_cuda.kernel
    def gemm(A, B, C, D, has_bias, rows, cols, depth, a_rs, a_cs, b_rs, b_cs,
             batches, kept, a_kept, b_kept, reduced, red, a_red, b_red):
        i = cuda.blockIdx.x * T + cuda.threadIdx.y
        col_tiles = (cols + T - 1) // T
        for z in range(cuda.blockIdx.z, batches, cuda.gridDim.z):
            oa, ob = batch_offsets(z, kept, a_kept, b_kept)
            for ct in range(cuda.blockIdx.y, col_tiles, cuda.gridDim.y):
                j = ct * T + cuda.threadIdx.x
                if i < rows and j < cols:
                    acc = zero
                    for r in range(reduced):
                        ra, rb = batch_offsets(r, red, a_red, b_red)
                        a0 = oa + ra + i * a_rs
                        b0 = ob + rb + j * b_cs
                        for p in range(depth):
                            acc += A[a0 + p * a_cs] * B[b0 + p * b_rs]
                    if has_bias:
                        acc += D[j]
                    C[(z * rows + i) * cols + j] = acc

    return gemm


# Public: linear's versions (ops/linear/cuda) launch it too, with a bias.
launch = _gemm.launcher(_kernel, TILE, (TILE[1], TILE[0]))
# The op around the launches (plans, allocations, which gradients): _gemm.py.
forward = functools.partial(_gemm.forward_with, launch)
backward = functools.partial(_gemm.backward_with, launch)
