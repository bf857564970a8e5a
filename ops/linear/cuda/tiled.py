"""linear on CUDA, tiled: matmul's shared-memory GEMM kernel (ops/matmul/cuda/tiled.py).
A block of 16x16 threads owns a 16x16 tile of out and walks the depth 16 at a time,
staging a tile of X and one of w^T in shared memory; the bias is added as each thread
stores its element.

Pseudo code (X = x as (N, in); host side in _linear.py)::

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
its transposes. Backward is the same kernel launched for dX = G @ w and dw = G^T @ X,
and one tree sum over G's rows for db.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...matmul.cuda import tiled as _matmul
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
