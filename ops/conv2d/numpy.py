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

from . import Geometry


def _windows(x: np.ndarray, g: Geometry) -> np.ndarray:
    """Read-only view (B, C, H_out, W_out, kH, kW) of the padded input's windows."""
    x_pad = np.pad(x, ((0, 0), (0, 0), (g.top, g.bottom), (g.left, g.right)))
    span = (g.dh * (g.kH - 1) + 1, g.dw * (g.kW - 1) + 1)
    win = sliding_window_view(x_pad, span, axis=(2, 3))
    return win[:, :, : g.Ho * g.sh : g.sh, : g.Wo * g.sw : g.sw, :: g.dh, :: g.dw]


def _channels(g: Geometry, grp: int) -> tuple[slice, slice]:
    """(input channels, output channels) of group ``grp``."""
    return (slice(grp * g.Cg, (grp + 1) * g.Cg), slice(grp * g.Og, (grp + 1) * g.Og))


def forward(
    g: Geometry, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """x (B, C_in, H, W), weight (C_out, C_in // groups, kH, kW), bias (C_out,) or None
    -> (out (B, C_out, H_out, W_out) in x's dtype, saved (x, weight))."""
    cols = _windows(x, g)
    out = np.empty(g.out_shape, dtype=x.dtype)
    for grp in range(g.groups):
        ci, co = _channels(g, grp)
        # (B, Cg, Ho, Wo, kH, kW) . (Og, Cg, kH, kW) -> (B, Ho, Wo, Og)
        res = np.tensordot(cols[:, ci], weight[co], axes=([1, 4, 5], [1, 2, 3]))
        out[:, co] = res.transpose(0, 3, 1, 2)
    if bias is not None:
        out += bias.reshape(1, g.Co, 1, 1)
    return out, (x, weight)


def backward(
    g: Geometry,
    grad_out: np.ndarray,
    saved: tuple[np.ndarray, np.ndarray],
    needs_input_grad: tuple[bool, ...],
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """grad_out (B, C_out, H_out, W_out), saved (x, weight) -> (grad_x, grad_weight,
    grad_bias), None where not needed.

    grad_bias = grad_out summed over (B, H_out, W_out);
    grad_weight[oc, c, p, q] = sum_{b,i,j} grad_out[b, oc, i, j] * cols[b, c, i, j, p, q];
    grad_x = col2im(weight^T . grad_out), cropped back from the padded size.
    """
    x, weight = saved

    grad_b = None
    if g.has_bias and needs_input_grad[2]:
        # The bias itself is not saved: it has x's dtype (the front end checks).
        grad_b = grad_out.sum(axis=(0, 2, 3)).astype(x.dtype, copy=False)

    grad_w = None
    if needs_input_grad[1]:
        cols = _windows(x, g)
        grad_w = np.empty_like(weight)
        for grp in range(g.groups):
            ci, co = _channels(g, grp)
            # (B, Og, Ho, Wo) . (B, Cg, Ho, Wo, kH, kW) -> (Og, Cg, kH, kW)
            grad_w[co] = np.tensordot(
                grad_out[:, co], cols[:, ci], axes=([0, 2, 3], [0, 2, 3])
            )

    grad_x = None
    if needs_input_grad[0]:
        # dcols[b, ic, p, q, i, j]: gradient reaching input tap (p, q) of window (i, j).
        dcols = np.empty((g.B, g.C, g.kH, g.kW, g.Ho, g.Wo), dtype=x.dtype)
        for grp in range(g.groups):
            ci, co = _channels(g, grp)
            # (Og, Cg, kH, kW) . (B, Og, Ho, Wo) -> (Cg, kH, kW, B, Ho, Wo)
            res = np.tensordot(weight[co], grad_out[:, co], axes=([0], [1]))
            dcols[:, ci] = res.transpose(3, 0, 1, 2, 4, 5)
        grad_pad = np.zeros((g.B, g.C, g.Hp, g.Wp), dtype=x.dtype)
        for p in range(g.kH):
            rows = slice(p * g.dh, p * g.dh + (g.Ho - 1) * g.sh + 1, g.sh)
            for q in range(g.kW):
                cols_q = slice(q * g.dw, q * g.dw + (g.Wo - 1) * g.sw + 1, g.sw)
                grad_pad[:, :, rows, cols_q] += dcols[:, :, p, q]
        grad_x = np.ascontiguousarray(
            grad_pad[:, :, g.top : g.top + g.H, g.left : g.left + g.W]
        )
    return grad_x, grad_w, grad_b
