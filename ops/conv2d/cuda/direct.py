"""conv2d on CUDA, direct: one thread per output element, every operand read from global
memory (the GPU's "one thread per output" baseline).

Forward: thread (b, oc, i, j) sums x_pad[b, g*Cg + c, i*sh + p*dh, j*sw + q*dw] *
w[oc, c, p, q] over (c, p, q), skipping taps that fall in the zero padding.
Backward, all gathers (every element is written by exactly one thread, no atomics):
grad_x thread (b, ci, h, w) sums grad_out[b, oc, i, j] * w[oc, c, p, q] over the
(oc, p, q) whose window (i, j) = ((h + top - p*dh) / sh, (w + left - q*dw) / sw) exists;
grad_w thread (oc, c, p, q) sums over (b, i, j); grad_b thread oc sums over (b, i, j).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from numba import cuda

from ..._cuda import THREADS, blocks, empty, flat
from ._common import Geometry, geometry

DeviceArray = Any


@lru_cache(maxsize=None)
def _kernels(dtype: np.dtype):
    """The four kernels for one dtype (the accumulators start at a zero of that dtype,
    so float32 sums stay in float32 registers)."""
    zero = np.dtype(dtype).type(0)

    @cuda.jit
    def forward_k(x, w, bias, has_bias, out, Cg, Og, sh, sw, top, left, dh, dw):
        idx = cuda.grid(1)
        B, Co, Ho, Wo = out.shape
        if idx >= B * Co * Ho * Wo:
            return
        j = idx % Wo
        t = idx // Wo
        i = t % Ho
        t = t // Ho
        oc = t % Co
        b = t // Co
        g = oc // Og
        H = x.shape[2]
        W = x.shape[3]
        kH = w.shape[2]
        kW = w.shape[3]
        acc = zero
        for c in range(Cg):
            ci = g * Cg + c
            for p in range(kH):
                ih = i * sh - top + p * dh
                if ih >= 0 and ih < H:
                    for q in range(kW):
                        iw = j * sw - left + q * dw
                        if iw >= 0 and iw < W:
                            acc += x[b, ci, ih, iw] * w[oc, c, p, q]
        if has_bias:
            acc += bias[oc]
        out[b, oc, i, j] = acc

    @cuda.jit
    def grad_x_k(gout, w, gx, Cg, Og, sh, sw, top, left, dh, dw):
        idx = cuda.grid(1)
        B, C, H, W = gx.shape
        if idx >= B * C * H * W:
            return
        xw = idx % W
        t = idx // W
        h = t % H
        t = t // H
        ci = t % C
        b = t // C
        g = ci // Cg
        c = ci - g * Cg
        Ho = gout.shape[2]
        Wo = gout.shape[3]
        kH = w.shape[2]
        kW = w.shape[3]
        acc = zero
        for p in range(kH):
            hh = h + top - p * dh
            # (i, j) exists only where the tap lands on the stride grid of the window.
            if hh >= 0 and hh % sh == 0 and hh // sh < Ho:
                i = hh // sh
                for q in range(kW):
                    ww = xw + left - q * dw
                    if ww >= 0 and ww % sw == 0 and ww // sw < Wo:
                        j = ww // sw
                        for m in range(Og):
                            oc = g * Og + m
                            acc += gout[b, oc, i, j] * w[oc, c, p, q]
        gx[b, ci, h, xw] = acc

    @cuda.jit
    def grad_w_k(gout, x, gw, Og, sh, sw, top, left, dh, dw):
        idx = cuda.grid(1)
        Co, Cg, kH, kW = gw.shape
        if idx >= Co * Cg * kH * kW:
            return
        q = idx % kW
        t = idx // kW
        p = t % kH
        t = t // kH
        c = t % Cg
        oc = t // Cg
        ci = (oc // Og) * Cg + c
        B, _, Ho, Wo = gout.shape
        H = x.shape[2]
        W = x.shape[3]
        acc = zero
        for b in range(B):
            for i in range(Ho):
                ih = i * sh - top + p * dh
                if ih >= 0 and ih < H:
                    for j in range(Wo):
                        iw = j * sw - left + q * dw
                        if iw >= 0 and iw < W:
                            acc += gout[b, oc, i, j] * x[b, ci, ih, iw]
        gw[oc, c, p, q] = acc

    @cuda.jit
    def grad_b_k(gout, gb):
        oc = cuda.grid(1)
        B, Co, Ho, Wo = gout.shape
        if oc >= Co:
            return
        acc = zero
        for b in range(B):
            for i in range(Ho):
                for j in range(Wo):
                    acc += gout[b, oc, i, j]
        gb[oc] = acc

    return forward_k, grad_x_k, grad_w_k, grad_b_k


def _attrs(g: Geometry) -> tuple[int, ...]:
    return (g.sh, g.sw, g.top, g.left, g.dh, g.dw)


def forward(x: DeviceArray, weight: DeviceArray, bias: DeviceArray | None, *,
            stride: tuple[int, int], padding: tuple[int, int, int, int],
            dilation: tuple[int, int], groups: int) -> DeviceArray:
    """x (B, C_in, H, W), weight (C_out, C_in // groups, kH, kW), bias (C_out,) or None
    -> out (B, C_out, H_out, W_out), in x's dtype."""
    g = geometry(x.shape, weight.shape, stride, padding, dilation, groups)
    out = empty((g.B, g.Co, g.Ho, g.Wo), x.dtype)
    n = out.size
    if n:
        fwd = _kernels(np.dtype(x.dtype))[0]
        # Without a bias any 1-D array of the dtype stands in; it is never read.
        b = bias if bias is not None else flat(weight)
        fwd[blocks(n), THREADS](x, weight, b, bias is not None, out, g.Cg, g.Og, *_attrs(g))
    return out


def backward(grad_out: DeviceArray, inputs: tuple, out: DeviceArray,
             needs_input_grad: tuple[bool, ...], *, stride: tuple[int, int],
             padding: tuple[int, int, int, int], dilation: tuple[int, int],
             groups: int) -> tuple:
    """grad_out (B, C_out, H_out, W_out) -> (grad_x, grad_weight, grad_bias), None where
    not needed."""
    x, weight, bias = inputs
    g = geometry(x.shape, weight.shape, stride, padding, dilation, groups)
    _, grad_x_k, grad_w_k, grad_b_k = _kernels(np.dtype(x.dtype))
    grad_x = grad_w = grad_b = None
    if needs_input_grad[0]:
        grad_x = empty(x.shape, x.dtype)
        if grad_x.size:
            grad_x_k[blocks(grad_x.size), THREADS](
                grad_out, weight, grad_x, g.Cg, g.Og, *_attrs(g))
    if needs_input_grad[1]:
        grad_w = empty(weight.shape, weight.dtype)
        grad_w_k[blocks(grad_w.size), THREADS](grad_out, x, grad_w, g.Og, *_attrs(g))
    if bias is not None and needs_input_grad[2]:
        grad_b = empty(bias.shape, bias.dtype)
        grad_b_k[blocks(g.Co), THREADS](grad_out, grad_b)
    return grad_x, grad_w, grad_b
