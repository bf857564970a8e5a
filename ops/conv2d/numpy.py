"""conv2d, vectorized with NumPy: im2col through stride tricks, one tensordot per group.

Forward: pad the input once, take a strided *view* of every (dilated, strided) kernel
window, shape (B, C_in, H_out, W_out, kH, kW) (no copy yet: im2col for free), and
contract it with each group's filters. Backward reuses the same view for grad_weight,
and does col2im for grad_x as kH*kW strided slice additions, one per kernel offset:
all output positions for a given offset touch distinct input pixels, so plain ``+=``
on a slice is safe (no ``np.add.at`` needed).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import output_shape


def _windows(
    x: np.ndarray,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int, int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
) -> np.ndarray:
    """Read-only view (B, C, H_out, W_out, kH, kW) of the padded input's windows."""
    top, bottom, left, right = padding
    x_pad = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    kH, kW = kernel
    dh, dw = dilation
    sh, sw = stride
    span = (dh * (kH - 1) + 1, dw * (kW - 1) + 1)
    win = sliding_window_view(x_pad, span, axis=(2, 3))
    return win[:, :, : out_hw[0] * sh : sh, : out_hw[1] * sw : sw, ::dh, ::dw]


def forward(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None,
    *,
    stride: tuple[int, int],
    padding: tuple[int, int, int, int],
    dilation: tuple[int, int],
    groups: int,
) -> np.ndarray:
    """x (B, C_in, H, W), weight (C_out, C_in // groups, kH, kW), bias (C_out,) or None
    -> out (B, C_out, H_out, W_out), in x's dtype."""
    B, C_out, H_out, W_out = output_shape(
        x.shape, weight.shape, stride, padding, dilation, groups
    )
    _, c_per_group, kH, kW = weight.shape
    out_per_group = C_out // groups
    cols = _windows(x, (kH, kW), stride, padding, dilation, (H_out, W_out))

    out = np.empty((B, C_out, H_out, W_out), dtype=x.dtype)
    for g in range(groups):
        ci = slice(g * c_per_group, (g + 1) * c_per_group)
        co = slice(g * out_per_group, (g + 1) * out_per_group)
        # (B, Cg, Ho, Wo, kH, kW) . (Og, Cg, kH, kW) -> (B, Ho, Wo, Og)
        res = np.tensordot(cols[:, ci], weight[co], axes=([1, 4, 5], [1, 2, 3]))
        out[:, co] = res.transpose(0, 3, 1, 2)
    if bias is not None:
        out += bias.reshape(1, C_out, 1, 1)
    return out


def backward(
    grad_out: np.ndarray,
    inputs: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    out: np.ndarray,
    needs_input_grad: tuple[bool, ...],
    *,
    stride: tuple[int, int],
    padding: tuple[int, int, int, int],
    dilation: tuple[int, int],
    groups: int,
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """grad_out (B, C_out, H_out, W_out) -> (grad_x, grad_weight, grad_bias).

    grad_bias = grad_out summed over (B, H_out, W_out);
    grad_weight[oc, c, p, q] = sum_{b,i,j} grad_out[b, oc, i, j] * cols[b, c, i, j, p, q];
    grad_x = col2im(weight^T . grad_out), cropped back from the padded size.
    """
    x, weight, bias = inputs
    B, C_out, H_out, W_out = output_shape(
        x.shape, weight.shape, stride, padding, dilation, groups
    )
    _, C_in, H, W = x.shape
    _, c_per_group, kH, kW = weight.shape
    out_per_group = C_out // groups
    sh, sw = stride
    top, bottom, left, right = padding
    dh, dw = dilation

    grad_b = None
    if bias is not None and needs_input_grad[2]:
        grad_b = grad_out.sum(axis=(0, 2, 3)).astype(bias.dtype, copy=False)

    grad_w = None
    if needs_input_grad[1]:
        cols = _windows(x, (kH, kW), stride, padding, dilation, (H_out, W_out))
        grad_w = np.empty_like(weight)
        for g in range(groups):
            ci = slice(g * c_per_group, (g + 1) * c_per_group)
            co = slice(g * out_per_group, (g + 1) * out_per_group)
            # (B, Og, Ho, Wo) . (B, Cg, Ho, Wo, kH, kW) -> (Og, Cg, kH, kW)
            grad_w[co] = np.tensordot(
                grad_out[:, co], cols[:, ci], axes=([0, 2, 3], [0, 2, 3])
            )

    grad_x = None
    if needs_input_grad[0]:
        # dcols[b, ic, p, q, i, j]: gradient reaching input tap (p, q) of window (i, j).
        dcols = np.empty((B, C_in, kH, kW, H_out, W_out), dtype=x.dtype)
        for g in range(groups):
            ci = slice(g * c_per_group, (g + 1) * c_per_group)
            co = slice(g * out_per_group, (g + 1) * out_per_group)
            # (Og, Cg, kH, kW) . (B, Og, Ho, Wo) -> (Cg, kH, kW, B, Ho, Wo)
            res = np.tensordot(weight[co], grad_out[:, co], axes=([0], [1]))
            dcols[:, ci] = res.transpose(3, 0, 1, 2, 4, 5)
        grad_pad = np.zeros((B, C_in, H + top + bottom, W + left + right), dtype=x.dtype)
        for p in range(kH):
            rows = slice(p * dh, p * dh + (H_out - 1) * sh + 1, sh)
            for q in range(kW):
                cols_q = slice(q * dw, q * dw + (W_out - 1) * sw + 1, sw)
                grad_pad[:, :, rows, cols_q] += dcols[:, :, p, q]
        grad_x = np.ascontiguousarray(grad_pad[:, :, top : top + H, left : left + W])
    return grad_x, grad_w, grad_b
