"""linear on CUDA, naive: matmul's naive GEMM kernel (ops/matmul/cuda/naive.py), one
thread per output element, its dot product read straight from global memory, on the
weight read transposed through strides; the bias is added as each thread stores.

Pseudo code (16x16 threads per block; X = x as (N, in); host side in _linear.py)::

    n = blockIdx.x * 16 + threadIdx.y          # row of out
    o = blockIdx.y * 16 + threadIdx.x          # column: neighbouring threads, columns
    acc = 0
    for i in range(in):
        acc += X[n, i] * w[o, i]               # w^T[i, o]: strides (1, in), no copy
    out[n, o] = acc + b[o]

Backward is the same kernel launched for dX = G @ w and dw = G^T @ X, and one tree
sum over G's rows for db.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...matmul.cuda import naive as _matmul
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
