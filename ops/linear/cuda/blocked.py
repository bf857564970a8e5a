"""linear on CUDA, blocked: matmul's register-blocked GEMM kernel
(ops/matmul/cuda/blocked.py). A block of 16x16 threads owns a 64x64 tile of out, each
thread a 4x4 micro-tile of it in registers; tiles of X and w^T (64 x 16) are staged in
shared memory per depth step; the bias is added as each thread stores its micro-tile.

Pseudo code (X = x as (N, in); host side in _linear.py)::

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

Backward is the same kernel launched for dX = G @ w and dw = G^T @ X, and one tree
sum over G's rows for db.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...matmul.cuda import blocked as _matmul
from . import _linear

if TYPE_CHECKING:
    from numba.cuda.cudadrv.devicearray import DeviceNDArray

TILE = _matmul.TILE


def forward(x: DeviceNDArray, w: DeviceNDArray, b: DeviceNDArray | None) -> DeviceNDArray:
    """x (*, in), w (out, in), b (out,) or None -> x @ w^T + b (*, out), one launch."""
    return _linear.forward_with(_matmul.launch, x, w, b)


def backward(
    grad_out: DeviceNDArray,
    inputs: tuple[DeviceNDArray, DeviceNDArray, DeviceNDArray | None],
    out: DeviceNDArray,
    needs_input_grad: tuple[bool, bool, bool],
) -> tuple[DeviceNDArray | None, DeviceNDArray | None, DeviceNDArray | None]:
    """(dL/dx, dL/dw, dL/db) = (G @ w, G^T @ X, sum of G's rows)."""
    return _linear.backward_with(_matmul.launch, grad_out, inputs, needs_input_grad)
