"""conv2d, the sequential baseline: plain Python loops, one output element at a time.

This is the "1x" of the speedup graphs and the easiest version to read: every output
element is a sum over the input channels of its group and the kernel taps, skipping
taps that fall in the zero padding (so no padded copy of the input is made).
"""

from __future__ import annotations

import numpy as np

from . import output_shape


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
    _, _, H, W = x.shape
    _, c_per_group, kH, kW = weight.shape
    out_per_group = C_out // groups
    sh, sw = stride
    top, _, left, _ = padding
    dh, dw = dilation

    out = np.zeros((B, C_out, H_out, W_out), dtype=x.dtype)
    for b in range(B):
        for oc in range(C_out):
            g = oc // out_per_group
            for oh in range(H_out):
                for ow in range(W_out):
                    acc = 0.0 if bias is None else float(bias[oc])
                    for c in range(c_per_group):
                        ic = g * c_per_group + c
                        for p in range(kH):
                            ih = oh * sh + p * dh - top
                            if ih < 0 or ih >= H:
                                continue
                            for q in range(kW):
                                iw = ow * sw + q * dw - left
                                if iw < 0 or iw >= W:
                                    continue
                                acc += x[b, ic, ih, iw] * weight[oc, c, p, q]
                    out[b, oc, oh, ow] = acc
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

    Each output element scatters its gradient back along the same taps forward read:
    grad_x[b, ic, ih, iw] += g * w[oc, c, p, q] and grad_w[oc, c, p, q] += g * x[...].
    """
    x, weight, bias = inputs
    B, C_out, H_out, W_out = output_shape(
        x.shape, weight.shape, stride, padding, dilation, groups
    )
    _, _, H, W = x.shape
    _, c_per_group, kH, kW = weight.shape
    out_per_group = C_out // groups
    sh, sw = stride
    top, _, left, _ = padding
    dh, dw = dilation
    need_x = needs_input_grad[0]
    need_w = needs_input_grad[1]
    need_b = bias is not None and needs_input_grad[2]

    grad_x = np.zeros_like(x) if need_x else None
    grad_w = np.zeros_like(weight) if need_w else None
    grad_b = np.zeros_like(bias) if need_b else None
    for b in range(B):
        for oc in range(C_out):
            g = oc // out_per_group
            for oh in range(H_out):
                for ow in range(W_out):
                    go = grad_out[b, oc, oh, ow]
                    if need_b:
                        grad_b[oc] += go
                    for c in range(c_per_group):
                        ic = g * c_per_group + c
                        for p in range(kH):
                            ih = oh * sh + p * dh - top
                            if ih < 0 or ih >= H:
                                continue
                            for q in range(kW):
                                iw = ow * sw + q * dw - left
                                if iw < 0 or iw >= W:
                                    continue
                                if need_x:
                                    grad_x[b, ic, ih, iw] += go * weight[oc, c, p, q]
                                if need_w:
                                    grad_w[oc, c, p, q] += go * x[b, ic, ih, iw]
    return grad_x, grad_w, grad_b
