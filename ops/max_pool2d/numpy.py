"""max_pool2d, vectorized with NumPy: strided window views, argmax, bincount scatter.

Forward pads the input with -inf, views every (dilated, strided) window without
copying (``sliding_window_view``), flattens each window to its kh*kw taps and takes
the argmax over them; the tap's position (p, q) in the window then gives the input
row and column ``h = i*sh - ph + p*dh``, ``w = j*sw - pw + q*dw``. Backward adds each
output's gradient into its winner's slot with one ``np.bincount`` over flat indices
(much faster than ``np.add.at``), which sums where windows overlap.

Memory: the flattened windows are one copy of B*C*H_out*W_out*kh*kw elements.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import Geometry


def _taps_inside(out_n: int, k: int, s: int, p: int, d: int, n: int) -> np.ndarray:
    """(out_n, k) bool: whether tap t of window i along one axis is an input element."""
    pos = np.arange(out_n)[:, None] * s - p + np.arange(k)[None, :] * d
    return (pos >= 0) & (pos < n)


def forward(g: Geometry, x: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """x: (B, C, H, W) -> ((out, indices), indices), both (B, C, Ho, Wo): an argmax over
    the taps of every window of the -inf-padded input, redone where it breaks the
    declaration's rule (all -inf windows, NaNs). Saved for backward: the indices."""
    batch, channels, height, width = g.in_shape
    out_h, out_w = g.Ho, g.Wo
    kh, kw, sh, sw, ph, pw, dh, dw = g.window
    span_h, span_w = g.span_h, g.span_w
    # With ceil_mode the last window may reach past the bottom/right padding.
    need_h, need_w = (out_h - 1) * sh + span_h, (out_w - 1) * sw + span_w
    xp = np.pad(
        x,
        ((0, 0), (0, 0), (ph, max(0, need_h - height - ph)), (pw, max(0, need_w - width - pw))),
        constant_values=-np.inf,
    )
    windows = sliding_window_view(xp, (span_h, span_w), axis=(2, 3))
    windows = windows[:, :, : need_h - span_h + 1 : sh, : need_w - span_w + 1 : sw, ::dh, ::dw]
    taps = windows.reshape(batch, channels, out_h, out_w, kh * kw)
    # np.argmax picks the first maximum and the first NaN.
    pos = np.argmax(taps, axis=-1)
    out = np.take_along_axis(taps, pos[..., None], axis=-1)[..., 0]

    # Rare cases where argmax and PyTorch differ: an all -inf window (argmax may pick
    # a padding tap; PyTorch the first input tap) and NaNs (PyTorch keeps the last).
    odd = np.isneginf(out) | np.isnan(out)
    if odd.any():
        inside = (_taps_inside(out_h, kh, sh, ph, dh, height)[:, None, :, None]
                  & _taps_inside(out_w, kw, sw, pw, dw, width)[None, :, None, :])
        inside = inside.reshape(out_h, out_w, kh * kw)
        b_i, c_i, i_i, j_i = np.nonzero(odd)
        odd_taps = taps[b_i, c_i, i_i, j_i]
        odd_inside = inside[i_i, j_i]
        nan = np.isnan(odd_taps)
        last_nan = kh * kw - 1 - np.argmax(nan[:, ::-1], axis=1)
        first_inside = np.argmax(odd_inside, axis=1)
        pos[b_i, c_i, i_i, j_i] = np.where(nan.any(axis=1), last_nan, first_inside)
        out = np.take_along_axis(taps, pos[..., None], axis=-1)[..., 0]

    p, q = np.divmod(pos, kw)
    h = np.arange(out_h)[:, None] * sh - ph + p * dh
    w = np.arange(out_w)[None, :] * sw - pw + q * dw
    indices = (h * width + w).astype(np.int64, copy=False)
    return (np.ascontiguousarray(out), indices), indices


def backward(
    g: Geometry, grad_out: np.ndarray, indices: np.ndarray, needs_input_grad: tuple[bool]
) -> tuple[np.ndarray | None]:
    """grad_out: (B, C, Ho, Wo) -> (grad_x,), grad_x (B, C, H, W) in grad_out's dtype:
    one ``bincount`` of grad_out over the saved winners of the whole batch."""
    if not needs_input_grad[0]:
        return (None,)
    planes, plane = g.B * g.C, g.H * g.W
    # Offset each (b, c) plane's indices so one bincount covers the whole batch.
    offsets = np.arange(planes, dtype=np.int64).reshape(g.B, g.C, 1, 1) * plane
    flat = (indices + offsets).ravel()
    # bincount sums in float64; the cast back keeps the gradient's dtype.
    grad_x = np.bincount(flat, weights=grad_out.ravel(), minlength=planes * plane)
    return (grad_x.astype(grad_out.dtype, copy=False).reshape(g.in_shape),)
