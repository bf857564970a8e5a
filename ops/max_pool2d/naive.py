"""max_pool2d, the sequential baseline: plain Python loops over the output elements.

The "1x" of the speedup graphs and the version to read first. For every output
element, scan its window row by row, skip the taps that fall in the padding, and keep
the largest value and where it was. Backward sends each output's gradient back to the
input element that won its window, adding up where windows overlap.
"""

from __future__ import annotations

import math

import numpy as np

from . import Geometry


def forward(g: Geometry, x: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """x: (B, C, H, W) -> ((out, indices), indices), both (B, C, Ho, Wo): every window
    scanned tap by tap, the padding skipped, keeping its winner and the winner's
    ``h * W + w`` (the declaration's rule). Saved for backward: the indices."""
    batch, channels, height, width = g.in_shape
    out_h, out_w = g.Ho, g.Wo
    kh, kw, sh, sw, ph, pw, dh, dw = g.window
    out = np.empty(g.out_shape, dtype=x.dtype)
    indices = np.empty(g.out_shape, dtype=np.int64)
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
    return (out, indices), indices


def backward(
    g: Geometry, grad_out: np.ndarray, indices: np.ndarray, needs_input_grad: tuple[bool]
) -> tuple[np.ndarray | None]:
    """grad_out: (B, C, Ho, Wo) -> (grad_x,), grad_x (B, C, H, W) in grad_out's dtype:
    each output's gradient added into its winner (the saved ``indices``), in order."""
    if not needs_input_grad[0]:
        return (None,)
    batch, channels, _, width = g.in_shape
    grad_x = np.zeros(g.in_shape, dtype=grad_out.dtype)
    for b in range(batch):
        for c in range(channels):
            for i in range(g.Ho):
                for j in range(g.Wo):
                    h, w = divmod(int(indices[b, c, i, j]), width)
                    grad_x[b, c, h, w] += grad_out[b, c, i, j]
    return (grad_x,)
