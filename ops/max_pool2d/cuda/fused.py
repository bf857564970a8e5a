"""max_pool2d on CUDA, "fused": forward keeps each window's argmax beside its output (as
cuDNN does), backward is a one-pass scatter of grad_out to those positions.

Forward: a 2-D tile of (32, 8) threads per block, thread (tx, ty) owning output
(n, i, j) with j along blockIdx.x (a warp runs along an output row, so its reads of x
and writes of out/indices are coalesced), i along y and the plane n along z (both looped
when they pass the grid's limit): no index divisions. Each scans its window from global
memory (overlapping windows are served by L1/L2) and writes the max and its position
h*W + w in the same pass: that position is all backward needs.

Backward: grad_x is zeroed, then thread o (one per output) adds grad_out[o] into
grad_x[n, indices[o]]. Windows that cannot overlap (stride >= dilated kernel span in
both axes) have distinct winners, so a plain store suffices; overlapping ones may share
a winner and use atomic adds (their float sums are then in no fixed order: the last
bits may differ from run to run).
"""
from __future__ import annotations

from numba import cuda

from ..._cuda import THREADS, blocks, empty, flat, zeros
from .. import output_shape
from ._window import DeviceArray, grid3, shrink_tile, spans, tap_range, window_args, window_max

TILE = (32, 8)  # threads per block (columns, rows) for the forward


@cuda.jit
def _forward_kernel(x, out, ind, planes, height, width, out_h, out_w,
                    kh, kw, sh, sw, ph, pw, dh, dw):
    j = cuda.blockIdx.x * cuda.blockDim.x + cuda.threadIdx.x
    if j >= out_w:
        return
    w0 = j * sw - pw
    q_lo, q_hi = tap_range(w0, kw, dw, width)
    for tile_i in range(cuda.blockIdx.y, (out_h + cuda.blockDim.y - 1) // cuda.blockDim.y,
                        cuda.gridDim.y):
        i = tile_i * cuda.blockDim.y + cuda.threadIdx.y
        if i < out_h:
            h0 = i * sh - ph
            p_lo, p_hi = tap_range(h0, kh, dh, height)
            for n in range(cuda.blockIdx.z, planes, cuda.gridDim.z):
                best, pos = window_max(x, n * height * width, width, h0, w0,
                                       p_lo, p_hi, q_lo, q_hi, dh, dw, width)
                o = (n * out_h + i) * out_w + j
                out[o] = best
                ind[o] = pos


@cuda.jit
def _scatter_kernel(grad_out, ind, grad_x, plane_out, plane_in, overlap):
    o = cuda.grid(1)
    if o >= grad_out.size:
        return
    target = (o // plane_out) * plane_in + ind[o]
    if overlap:
        cuda.atomic.add(grad_x, target, grad_out[o])
    else:
        grad_x[target] = grad_out[o]


def forward(
    x: DeviceArray,
    *,
    kernel_size: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    ceil_mode: bool,
) -> tuple[DeviceArray, DeviceArray]:
    """x: (B, C, H, W) -> (out, indices), both (B, C, H_out, W_out); indices (int64)
    hold ``h * W + w`` of each window's maximum (first in scan order; NaN wins)."""
    shape = output_shape(x.shape, kernel_size, stride, padding, dilation, ceil_mode)
    out = empty(shape, x.dtype)
    ind = empty(shape, "int64")
    planes = shape[0] * shape[1]
    if planes:
        tw, th = shrink_tile(TILE, shape[3], shape[2])
        _forward_kernel[grid3(shape[3], tw, shape[2], th, planes), (tw, th)](
            flat(x), flat(out), flat(ind), planes, x.shape[2], x.shape[3], shape[2], shape[3],
            *window_args(kernel_size, stride, padding, dilation))
    return out, ind


def backward(
    grad_out: DeviceArray,
    inputs: tuple[DeviceArray],
    out: tuple[DeviceArray, DeviceArray],
    needs_input_grad: tuple[bool],
    *,
    kernel_size: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    ceil_mode: bool,
) -> tuple[DeviceArray | None]:
    """grad_out: (B, C, H_out, W_out) -> (grad_x,), grad_x (B, C, H, W): grad_out
    scattered to the saved winners ``out[1]``, summed where windows share one."""
    if not needs_input_grad[0]:
        return (None,)
    (x,) = inputs
    grad_x = zeros(x.shape, x.dtype)
    n = grad_out.size
    if n:
        span_h, span_w = spans(kernel_size, dilation)
        overlap = span_h > stride[0] or span_w > stride[1]
        _scatter_kernel[blocks(n), THREADS](
            flat(grad_out), flat(out[1]), flat(grad_x),
            grad_out.shape[2] * grad_out.shape[3], x.shape[2] * x.shape[3], overlap)
    return (grad_x,)
