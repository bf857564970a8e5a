"""linear's three CUDA versions, each matmul's GEMM kernel of the same name
(ops/matmul/cuda/<version>.py) launched on linear's products, the bias added as each
output is stored: ``VERSIONS[version] = (forward, backward)`` (the registry reads it),
both written once in _linear.py on top of the matmul version's ``launch``, and
``TILE[version]``, the (rows, columns) of out one block computes.

X = x as (N, in); in every version backward is the same kernel launched for
dX = G @ w and dw = G^T @ X, and one tree sum over G's rows for db.

naive: one thread per output element, its dot product read straight from global
memory, on the weight read transposed through strides::

    n = blockIdx.x * 16 + threadIdx.y          # row of out
    o = blockIdx.y * 16 + threadIdx.x          # column: neighbouring threads, columns
    acc = 0
    for i in range(in):
        acc += X[n, i] * w[o, i]               # w^T[i, o]: strides (1, in), no copy
    out[n, o] = acc + b[o]

tiled: a block of 16x16 threads owns a 16x16 tile of out and walks the depth 16 at a
time, staging a tile of X and one of w^T in shared memory::

    shared sX[16][16 + 1], sW[16][16 + 1]
    acc = 0
    for i0 in range(0, in, 16):
        sX[ty][tx] = X[row0 + ty, i0 + tx]         # 0 outside X
        sW[tx][ty] = w[col0 + ty, i0 + tx]         # w^T's tile: threadIdx.x walks
        syncthreads()                              # w's contiguous rows (coalesced)
        for q in range(16): acc += sX[ty][q] * sW[q][tx]
        syncthreads()
    out[row0 + ty, col0 + tx] = acc + b[col0 + tx]     # if inside out

  w^T is w's memory read through swapped strides: the kernel sees a transposed operand
  and stages it with neighbouring threads along w's rows, as matmul's backward does for
  its transposes.

blocked (the default): a block of 16x16 threads owns a 64x64 tile of out, each thread
a 4x4 micro-tile of it in registers; tiles of X and w^T (64 x 16) are staged in shared
memory per depth step::

    shared sX[16][64 + 1] (X's tile stored transposed), sW[16][64 + 1]
    acc[4][4] = 0
    for i0 in range(0, in, 16):
        each thread stages 4 elements of X[row0:+64, i0:+16] and 4 of
        w^T[i0:+16, col0:+64] (= w[col0:+64, i0:+16], read along w's rows); syncthreads
        for i in range(16):
            x[u] = sX[i][ty + 16u];  v[t] = sW[i][tx + 16t]          u, t < 4
            acc[u][t] += x[u] * v[t]
        syncthreads
    out[row0 + ty + 16u, col0 + tx + 16t] = acc[u][t] + b[col0 + tx + 16t]   (inside out)
"""
from __future__ import annotations

from functools import partial

from ...matmul.cuda import blocked as _blocked
from ...matmul.cuda import naive as _naive
from ...matmul.cuda import tiled as _tiled
from . import _linear

# Each version runs the matmul version of its name (the kernels and their launch).
_MATMUL = {"naive": _naive, "tiled": _tiled, "blocked": _blocked}

VERSIONS = {
    name: (partial(_linear.forward_with, m.launch), partial(_linear.backward_with, m.launch))
    for name, m in _MATMUL.items()
}
TILE = {name: m.TILE for name, m in _MATMUL.items()}
