"""cross_entropy on CUDA, one warp per row (sample), max and sums reduced with warp
shuffles, and the backward fused into the forward.

The forward kernel (_kernels.py, with fused=True) also writes the gradient for
grad_out = 1, gfused = a * softmax - eps / C * w - keep * w_t * onehot, while the row's
max and sum are still in registers; the one-block finish gives scale0 (1 / total weight
for "mean", else 1). Backward is then one multiply per element::

    grad[r, k] = gfused[r, k] * grad_out[r or 0] * scale0     (0 on ignored rows)

``out`` must be exactly what forward returned (the tape guarantees it), and numpy.py's
forward returns only the loss, so gfused is not returned: it is kept in ``_SAVED``,
keyed by id(out), and dropped (weakref.finalize) when the loss array is freed. A
backward for an ``out`` this module did not make recomputes gfused with the same kernel.

The price: forward writes an (N, C) buffer even when no backward follows (no_grad),
and that buffer lives as long as the loss.
"""
from __future__ import annotations

import weakref

from ...softmax.cuda._rows import WARP_ROWS
from ._kernels import run_forward, scale_fused

_SAVED: dict[int, tuple] = {}  # id(loss array) -> (gfused, scale0)


def forward(logits, target, weight, *, ignore_index: int, reduction: str,
            label_smoothing: float):
    """logits (N, C), target (N,) int64, weight (C,) or None (device arrays) -> the
    loss, shape (N,) for reduction="none", else (); in the logits' dtype. A target
    outside [0, C) other than ignore_index gives a NaN loss (see _kernels.py)."""
    out, gfused, scale0 = run_forward(WARP_ROWS, logits, target, weight,
                                      ignore_index=ignore_index, reduction=reduction,
                                      label_smoothing=label_smoothing, fused=True)
    _SAVED[id(out)] = (gfused, scale0)
    weakref.finalize(out, _SAVED.pop, id(out), None)
    return out


def backward(grad_out, inputs: tuple, out, needs_input_grad: tuple[bool, bool, bool], *,
             ignore_index: int, reduction: str, label_smoothing: float) -> tuple:
    """(grad_logits (N, C), None, None): the target and weight get no gradient."""
    if not needs_input_grad[0]:
        return (None, None, None)
    logits, target, weight = inputs
    saved = _SAVED.get(id(out))
    if saved is None:
        _, *saved = run_forward(WARP_ROWS, logits, target, weight,
                                ignore_index=ignore_index, reduction=reduction,
                                label_smoothing=label_smoothing, fused=True)
    gfused, scale0 = saved
    grad = scale_fused(gfused, scale0, grad_out, target, ignore_index=ignore_index,
                       reduction=reduction)
    return (grad, None, None)
