"""cross_entropy: the declaration (argument checks and normalisation).

Softmax cross-entropy between logits and class indices, fused (log-softmax and the
negative log-likelihood in one kernel), as ``torch.nn.functional.cross_entropy`` for
2-D inputs. Shapes: logits x (N, C), target t (N,) int64 class indices, optional
per-class weight w (C,); w_c = 1 when no weight is given.

With the log-probabilities of sample i (stable log-sum-exp, see log_softmax)::

    log p_ic = x_ic - lse_i,      lse_i = m_i + log(sum_c exp(x_ic - m_i)),  m_i = max_c x_ic

and the label-smoothing factor eps (``label_smoothing``), the per-sample loss is::

    loss_i = (1 - eps) * w_{t_i} * (-log p_{i,t_i})  +  eps / C * sum_c w_c * (-log p_ic)

(with eps = 0 it is the weighted NLL; the second term is the cross-entropy against the
uniform distribution, weighted per class as PyTorch does). Samples whose target equals
``ignore_index`` have loss 0 and count nowhere. Reductions::

    "none": (loss_i)_i, shape (N,)
    "sum":  sum_i loss_i, shape ()
    "mean": sum_i loss_i / sum_{i not ignored} w_{t_i}, shape ()

so "mean" is a weighted mean: it divides by the total weight of the counted targets,
not by N; it is NaN when nothing is counted (all targets ignored, or N = 0), as in
PyTorch.

Backward (with respect to the logits only; the weight is not differentiated): with
p_i = softmax(x_i) and s_i the scale of sample i (grad_out_i for "none", grad_out for
"sum", grad_out / sum w_{t} for "mean"; 0 for ignored samples)::

    dL/dx_ij = s_i * ( a_i * p_ij - (1 - eps) * w_{t_i} * [j == t_i] - eps / C * w_j )
    a_i      = (1 - eps) * w_{t_i} + eps / C * sum_c w_c

which without weights is the familiar ``softmax - smoothed one-hot``. For "mean" with a
zero total weight, the counted samples' gradients are NaN (the ignored ones 0), as in
PyTorch.

This module imports only NumPy and the standard library: the layers above import it,
never the other way round.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

IMPLEMENTATIONS = {"cpu": ("naive", "numpy", "numba"), "cuda": ("row", "block", "warp")}
# numba (parallel, fused, with a vectorised exp) is the fastest, forward and backward;
# without numba installed the registry falls back to numpy.
DEFAULT = {"cpu": ("numba", "numpy"), "cuda": "warp"}

REDUCTIONS = ("none", "mean", "sum")


def _shape(shape: Any, name: str) -> tuple[int, ...]:
    try:
        return tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"{name}: expected a shape (tuple of ints), got {shape!r}") from None


def check_args(
    input_shape: tuple[int, ...],
    target_shape: tuple[int, ...],
    target_dtype: str,
    weight_shape: tuple[int, ...] | None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> dict[str, Any]:
    """Check cross_entropy's arguments and return the attributes the kernels receive:
    ``{"ignore_index": int, "reduction": str, "label_smoothing": float}``.

    input_shape: the logits' shape, (N, C) with C >= 1. target_shape: (N,).
    target_dtype: the target's dtype name ("int64" is the only one accepted).
    weight_shape: (C,) or None. ignore_index: an int; reduction: "none", "mean" or
    "sum"; label_smoothing: a float in [0, 1].

    Raises TypeError for a wrong type (a non-integer target included) and ValueError
    for a wrong shape or value, naming the argument and what was expected.

    Differences from PyTorch: only (N, C) logits with (N,) class indices are supported,
    not PyTorch's unbatched (C,) input, its (N, C, d1, ...) inputs nor class-probability
    targets; a label_smoothing below 0 or NaN is refused (PyTorch accepts them
    silently); C = 0 is refused; ValueError replaces PyTorch's RuntimeError/IndexError.
    The target's values are checked separately, by :func:`check_target_values`.
    """
    input_shape = _shape(input_shape, "input")
    target_shape = _shape(target_shape, "target")
    if len(input_shape) != 2:
        raise ValueError(
            f"input: expected a 2-D tensor of logits (N, C), got shape {input_shape}; "
            "PyTorch's unbatched (C,) and (N, C, d1, ...) inputs are not supported"
        )
    n, c = input_shape
    if c < 1:
        raise ValueError(f"input: expected at least one class (C >= 1), got shape {input_shape}")
    if str(target_dtype) != "int64":
        raise TypeError(
            f"target must be an integer (int64) tensor of class indices, got dtype "
            f"{target_dtype}; class-probability targets are not supported"
        )
    if target_shape != (n,):
        raise ValueError(
            f"target: expected shape ({n},) to match the input batch size N={n} of input "
            f"shape {input_shape}, got shape {target_shape}"
        )
    if weight_shape is not None:
        weight_shape = _shape(weight_shape, "weight")
        if weight_shape != (c,):
            raise ValueError(
                f"weight: expected shape ({c},), one weight per class of input shape "
                f"{input_shape}, got shape {weight_shape}"
            )

    if isinstance(ignore_index, bool):
        raise TypeError("ignore_index: expected an int, got bool")
    try:
        ignore_index = operator.index(ignore_index)
    except TypeError:
        raise TypeError(
            f"ignore_index: expected an int, got {type(ignore_index).__name__}"
        ) from None

    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"reduction: expected 'none', 'mean' or 'sum', got {reduction!r}")

    real = (int, float, np.integer, np.floating)
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, real):
        raise TypeError(
            f"label_smoothing: expected a float, got {type(label_smoothing).__name__}"
        )
    label_smoothing = float(label_smoothing)
    # Written so that NaN fails too (every comparison with NaN is False).
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing: expected a float in [0, 1], got {label_smoothing}")

    return {
        "ignore_index": ignore_index,
        "reduction": reduction,
        "label_smoothing": label_smoothing,
    }


def check_target_values(target: np.ndarray, n_classes: int, ignore_index: int) -> None:
    """Raise ValueError unless every class index in ``target`` is ``ignore_index`` or
    in ``[0, n_classes)``.

    This is the one check that reads array values, so the front end calls it on the
    host copy of the target before any kernel runs (PyTorch raises IndexError "Target
    4 is out of bounds." from inside its kernel, or a device-side assert on CUDA).
    """
    target = np.asarray(target)
    bad = (target != ignore_index) & ((target < 0) | (target >= n_classes))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"target: class index {int(target.flat[i])} at position {i} is out of range: "
            f"expected values in [0, {n_classes - 1}] for C={n_classes} classes, or "
            f"ignore_index={ignore_index}"
        )
