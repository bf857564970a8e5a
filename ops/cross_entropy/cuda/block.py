"""cross_entropy on CUDA, one block per row (sample): max and sums reduced in shared
memory (a tree). At most ``ops._cuda.MAX_BLOCKS`` blocks: past that many samples each
block loops over several, one after the other.

The kernels are in _kernels.py (shared with the other two versions, which differ only
in how rows map onto threads: ops/softmax/cuda/_rows.py); the plan of every version is
in __init__.py. Backward recomputes the softmax from the logits.
"""
from __future__ import annotations

from ...softmax.cuda._rows import BLOCK
from ._kernels import run_backward, run_forward


def forward(logits, target, weight, *, ignore_index: int, reduction: str,
            label_smoothing: float):
    """logits (N, C), target (N,) int64, weight (C,) or None (device arrays) -> the
    loss, shape (N,) for reduction="none", else (); in the logits' dtype. A target
    outside [0, C) other than ignore_index gives a NaN loss (see _kernels.py)."""
    return run_forward(BLOCK, logits, target, weight, ignore_index=ignore_index,
                       reduction=reduction, label_smoothing=label_smoothing)


def backward(grad_out, inputs: tuple, out, needs_input_grad: tuple[bool, bool, bool], *,
             ignore_index: int, reduction: str, label_smoothing: float) -> tuple:
    """(grad_logits (N, C), None, None): the target and weight get no gradient."""
    if not needs_input_grad[0]:
        return (None, None, None)
    logits, target, weight = inputs
    grad = run_backward(BLOCK, grad_out, logits, target, weight, ignore_index=ignore_index,
                        reduction=reduction, label_smoothing=label_smoothing)
    return (grad, None, None)
