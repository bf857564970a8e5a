"""max_pool2d, the sequential baseline: plain Python loops over the output elements.

The "1x" of the speedup graphs and the version to read first. For every output
element, scan its window row by row, skip the taps that fall in the padding, and keep
the largest value and where it was. Backward sends each output's gradient back to the
input element that won its window, adding up where windows overlap.
"""

from __future__ import annotations

import math

import numpy as np

from . import output_shape


def forward(
    x: np.ndarray,
    *,
    kernel_size: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    ceil_mode: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """x: (B, C, H, W) -> (out, indices), both (B, C, H_out, W_out).

    ``indices`` (int64) holds ``h * W + w`` of each window's maximum in its (H, W)
    plane. Ties go to the first tap in scan order; a NaN wins (the last one, if
    several), as in PyTorch.
    """
    batch, channels, height, width = x.shape
    _, _, out_h, out_w = output_shape(x.shape, kernel_size, stride, padding, dilation,
                                      ceil_mode)
    kh, kw = kernel_size
    sh, sw = stride
    ph, pw = padding
    dh, dw = dilation
    out = np.empty((batch, channels, out_h, out_w), dtype=x.dtype)
    indices = np.empty((batch, channels, out_h, out_w), dtype=np.int64)
    for b in range(batch):
        for c in range(channels):
            for i in range(out_h):
                for j in range(out_w):
                    best = -math.inf
                    best_index = -1
                    for p in range(kh):
                        h = i * sh - ph + p * dh
                        if h < 0 or h >= height:
                            continue  # padding: never the maximum
                        for q in range(kw):
                            w = j * sw - pw + q * dw
                            if w < 0 or w >= width:
                                continue
                            value = x[b, c, h, w]
                            # The first tap starts the scan, so an all -inf window
                            # still points at an input element.
                            if best_index < 0 or value > best or math.isnan(value):
                                best = value
                                best_index = h * width + w
                    out[b, c, i, j] = best
                    indices[b, c, i, j] = best_index
    return out, indices


def backward(
    grad_out: np.ndarray,
    inputs: tuple[np.ndarray],
    out: tuple[np.ndarray, np.ndarray],
    needs_input_grad: tuple[bool],
    *,
    kernel_size: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    ceil_mode: bool,
) -> tuple[np.ndarray | None]:
    """grad_out: (B, C, H_out, W_out) -> (grad_x,) with grad_x (B, C, H, W).

    ``grad_x[b, c, h, w]`` is the sum of ``grad_out`` over the windows whose maximum
    was input element (h, w).
    """
    if not needs_input_grad[0]:
        return (None,)
    (x,) = inputs
    indices = out[1]
    batch, channels, height, width = x.shape
    _, _, out_h, out_w = output_shape(x.shape, kernel_size, stride, padding, dilation,
                                      ceil_mode)
    grad_x = np.zeros(x.shape, dtype=x.dtype)
    for b in range(batch):
        for c in range(channels):
            for i in range(out_h):
                for j in range(out_w):
                    h, w = divmod(int(indices[b, c, i, j]), width)
                    grad_x[b, c, h, w] += grad_out[b, c, i, j]
    return (grad_x,)
