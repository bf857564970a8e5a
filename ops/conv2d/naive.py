"""conv2d, the sequential baseline: plain Python loops, one output element at a time.

This is the "1x" of the speedup graphs and the easiest version to read: every output
element is a sum over the input channels of its group and the kernel taps, skipping
taps that fall in the zero padding (so no padded copy of the input is made).
"""

from __future__ import annotations

import numpy as np

from . import Geometry


def forward(
    g: Geometry, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """x (B, C_in, H, W), weight (C_out, C_in // groups, kH, kW), bias (C_out,) or None
    -> (out (B, C_out, H_out, W_out) in x's dtype, saved (x, weight))."""
    # Plain locals: the loops below read them millions of times.
    B, C_out, H_out, W_out = g.out_shape
    H, W, c_per_group, kH, kW, out_per_group = g.H, g.W, g.Cg, g.kH, g.kW, g.Og
    sh, sw, top, left, dh, dw = g.sh, g.sw, g.top, g.left, g.dh, g.dw

    out = np.zeros((B, C_out, H_out, W_out), dtype=x.dtype)
    for b in range(B):
        for oc in range(C_out):
            grp = oc // out_per_group
            for oh in range(H_out):
                for ow in range(W_out):
                    acc = 0.0 if bias is None else float(bias[oc])
                    for c in range(c_per_group):
                        ic = grp * c_per_group + c
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
    return out, (x, weight)


def backward(
    g: Geometry,
    grad_out: np.ndarray,
    saved: tuple[np.ndarray, np.ndarray],
    needs_input_grad: tuple[bool, ...],
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """grad_out (B, C_out, H_out, W_out), saved (x, weight) -> (grad_x, grad_weight,
    grad_bias), None where not needed.

    Each output element scatters its gradient back along the same taps forward read:
    grad_x[b, ic, ih, iw] += go * w[oc, c, p, q] and grad_w[oc, c, p, q] += go * x[...].
    """
    x, weight = saved
    B, C_out, H_out, W_out = g.out_shape
    H, W, c_per_group, kH, kW, out_per_group = g.H, g.W, g.Cg, g.kH, g.kW, g.Og
    sh, sw, top, left, dh, dw = g.sh, g.sw, g.top, g.left, g.dh, g.dw
    need_x = needs_input_grad[0]
    need_w = needs_input_grad[1]
    need_b = g.has_bias and needs_input_grad[2]

    grad_x = np.zeros_like(x) if need_x else None
    grad_w = np.zeros_like(weight) if need_w else None
    # The bias itself is not saved: it has x's dtype (the front end checks).
    grad_b = np.zeros(C_out, dtype=x.dtype) if need_b else None
    for b in range(B):
        for oc in range(C_out):
            grp = oc // out_per_group
            for oh in range(H_out):
                for ow in range(W_out):
                    go = grad_out[b, oc, oh, ow]
                    if need_b:
                        grad_b[oc] += go
                    for c in range(c_per_group):
                        ic = grp * c_per_group + c
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
