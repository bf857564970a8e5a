"""conv2d on CUDA, direct: one thread per output element, every operand read from global
memory (the GPU's "one thread per output" baseline).

Forward: thread (b, oc, i, j) sums x_pad[b, g*Cg + c, i*sh + p*dh, j*sw + q*dw] *
w[oc, c, p, q] over (c, p, q), skipping taps that fall in the zero padding.

Backward, no atomics (every element is written by exactly one thread):
grad_x thread (b, ci, h, w) sums grad_out[b, oc, i, j] * w[oc, c, p, q] over the
(oc, p, q) whose window (i, j) = ((h + top - p*dh) / sh, (w + left - q*dw) / sw) exists.
grad_w and grad_b reduce over the N = B*H_out*W_out positions n = (b, i, j), far more
than there are weights (LeNet's first layer: 150 weights, 200,704 positions at batch
256), so the reduction is cut into S slices of ``per`` consecutive positions, one thread
per (slice, element), and a second kernel (``sum_parts``) adds the slices in order::

    S = min(ceil(N / SPLIT_MIN), SPLIT_MAX, PARTS_MAX // elements), per = ceil(N / S)
    grad_w:  thread (s, oc, c, p, q): parts[s, oc, c, p, q] = sum_{n in [s*per, (s+1)*per)}
                 grad_out[b, oc, i, j] * x_pad[b, g*Cg + c, i*sh + p*dh, j*sw + q*dw]
    grad_b:  thread (s, oc):          parts[s, oc] = sum_{n in slice s} grad_out[b, oc, i, j]
    then:    thread e:                grad[e] = parts[0, e] + parts[1, e] + ... + parts[S-1, e]

S depends on the shapes alone (never on the GPU or its thread count) and every sum runs
in a fixed order (a slice in n order, then the slices in s order), so the result is the
same bit for bit from run to run. With S = 1 the threads write the gradient itself and
no second kernel runs.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from numba import cuda

from ... import _cuda
from ..._cuda import THREADS, blocks, empty, flat, launch, zeros
from .. import Geometry
from ._common import sum_parts

SPLIT_MIN = 512  # grad_w / grad_b: at least this many positions (b, i, j) per slice ...
SPLIT_MAX = 128  # ... at most this many slices ...
PARTS_MAX = 1 << 22  # ... and at most this many partial sums in all (slices x elements)

DeviceArray = Any


@cuda.jit(device=True)
def _position(n, Ho, Wo):
    """(b, i, j) of the n-th output position, C order over (B, Ho, Wo)."""
    j = n % Wo
    t = n // Wo
    return t // Ho, t % Ho, j


@cuda.jit(device=True)
def _next_position(b, i, j, Ho, Wo):
    """The output position after (b, i, j) in C order: a step, not a division."""
    j += 1
    if j == Wo:
        j = 0
        i += 1
        if i == Ho:
            i = 0
            b += 1
    return b, i, j


@lru_cache(maxsize=None)
def _kernels(dtype: np.dtype):
    """The four kernels for one dtype (the accumulators start at a zero of that dtype,
    so float32 sums stay in float32 registers)."""
    zero = np.dtype(dtype).type(0)

    @_cuda.kernel
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

    @_cuda.kernel
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

    @_cuda.kernel
    def grad_w_k(gout, x, Og, sh, sw, top, left, dh, dw, parts, per):
        # parts (S, Co, Cg, kH, kW); thread (s, oc, c, p, q), q fastest: a warp shares
        # its slice and reads neighbouring taps.
        idx = cuda.grid(1)
        S, Co, Cg, kH, kW = parts.shape
        if idx >= S * Co * Cg * kH * kW:
            return
        q = idx % kW
        t = idx // kW
        p = t % kH
        t = t // kH
        c = t % Cg
        t = t // Cg
        oc = t % Co
        s = t // Co
        ci = (oc // Og) * Cg + c
        B, _, Ho, Wo = gout.shape
        H = x.shape[2]
        W = x.shape[3]
        ih0 = p * dh - top
        iw0 = q * dw - left
        n0 = s * per
        n1 = min(B * Ho * Wo, n0 + per)
        # Decode the slice's first position once, then step (b, i, j) along with n.
        b, i, j = _position(n0, Ho, Wo)
        acc = zero
        for _ in range(n0, n1):
            ih = i * sh + ih0
            iw = j * sw + iw0
            if ih >= 0 and ih < H and iw >= 0 and iw < W:
                acc += gout[b, oc, i, j] * x[b, ci, ih, iw]
            b, i, j = _next_position(b, i, j, Ho, Wo)
        parts[s, oc, c, p, q] = acc

    @_cuda.kernel
    def grad_b_k(gout, parts, per):
        # parts (S, Co); thread (s, oc).
        idx = cuda.grid(1)
        S, Co = parts.shape
        if idx >= S * Co:
            return
        oc = idx % Co
        s = idx // Co
        B, _, Ho, Wo = gout.shape
        n0 = s * per
        n1 = min(B * Ho * Wo, n0 + per)
        b, i, j = _position(n0, Ho, Wo)
        acc = zero
        for _ in range(n0, n1):
            acc += gout[b, oc, i, j]
            b, i, j = _next_position(b, i, j, Ho, Wo)
        parts[s, oc] = acc

    return forward_k, grad_x_k, grad_w_k, grad_b_k


def _window(g: Geometry) -> tuple[int, ...]:
    """The window arguments every kernel takes: stride, top/left padding, dilation."""
    return (g.sh, g.sw, g.top, g.left, g.dh, g.dw)


def _cdiv(a: int, b: int) -> int:
    return -(-a // b)


def _split(n: int, elements: int) -> tuple[int, int]:
    """(S, per): ``n`` >= 1 reduction positions cut into S slices of ``per`` (the last
    may be shorter, none is empty), for a result of ``elements`` entries. Fixed by the
    shapes alone, so the rounding of the sums never changes."""
    S = max(1, min(_cdiv(n, SPLIT_MIN), SPLIT_MAX, PARTS_MAX // max(1, elements)))
    per = _cdiv(n, S)
    return _cdiv(n, per), per


def _split_sum(kernel, args: tuple, out: DeviceArray, n: int) -> None:
    """out = the sum over the ``n`` positions, made by ``kernel(*args, parts, per)``
    into parts (S, *out.shape) and then added in slice order."""
    S, per = _split(n, out.size)
    # parts holds at most max(out.size, PARTS_MAX) values, so the 1-D grid stays far
    # below CUDA's 2**31 - 1 blocks.
    parts = out.reshape(1, *out.shape) if S == 1 else empty((S, *out.shape), out.dtype)
    kernel[launch(parts.size)](*args, parts, per)
    if S > 1:
        sum_parts(parts.reshape(S, out.size), flat(out))


def forward(g: Geometry, x: DeviceArray, weight: DeviceArray,
            bias: DeviceArray | None) -> tuple[DeviceArray, tuple]:
    """x (B, C_in, H, W), weight (C_out, C_in // groups, kH, kW), bias (C_out,) or None
    -> (out (B, C_out, H_out, W_out) in x's dtype, saved (x, weight))."""
    out = empty(g.out_shape, x.dtype)
    n = out.size
    if n:
        fwd = _kernels(np.dtype(x.dtype))[0]
        # Without a bias any 1-D array of the dtype stands in; it is never read.
        b = bias if bias is not None else flat(weight)
        fwd[blocks(n), THREADS](
            x, weight, b, bias is not None, out, g.Cg, g.Og, *_window(g))
    return out, (x, weight)


def backward(g: Geometry, grad_out: DeviceArray, saved: tuple,
             needs_input_grad: tuple[bool, ...]) -> tuple:
    """grad_out (B, C_out, H_out, W_out), saved (x, weight) -> (grad_x, grad_weight,
    grad_bias), None where not needed."""
    x, weight = saved
    dtype = np.dtype(x.dtype)
    _, grad_x_k, grad_w_k, grad_b_k = _kernels(dtype)
    n = g.B * g.Ho * g.Wo  # grad_w's and grad_b's reduction length
    grad_x = grad_w = grad_b = None
    if needs_input_grad[0]:
        grad_x = empty(x.shape, dtype)
        if grad_x.size:
            grad_x_k[blocks(grad_x.size), THREADS](
                grad_out, weight, grad_x, g.Cg, g.Og, *_window(g))
    # An empty batch (n == 0) sums to zero; weights and biases are never empty.
    if needs_input_grad[1]:
        if n == 0:
            grad_w = zeros(weight.shape, dtype)
        else:
            grad_w = empty(weight.shape, dtype)
            _split_sum(grad_w_k, (grad_out, x, g.Og, *_window(g)), grad_w, n)
    if g.has_bias and needs_input_grad[2]:
        if n == 0:
            grad_b = zeros((g.Co,), dtype)
        else:
            grad_b = empty((g.Co,), dtype)
            _split_sum(grad_b_k, (grad_out,), grad_b, n)
    return grad_x, grad_w, grad_b
