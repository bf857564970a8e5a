"""Regression losses on the difference of two tensors: ``l1_loss``, ``smooth_l1_loss``
and ``huber_loss`` (``mse_loss`` is in mse_loss.py). Composed from the tape's
subtraction, abs, where and reductions, so every device runs them with no kernel of
their own, and both input and target may require grad."""
from __future__ import annotations

import warnings

from ...errors import RuntimeValueError
from ...tensor import Tensor
from ...tensor_ops.elementwise import where
from .._checks import check_real, check_reduction
from ._common import expect_float, expect_tensor

__all__ = ["huber_loss", "l1_loss", "smooth_l1_loss"]


def difference(input, target, name: str) -> Tensor:
    """``input - target`` after the checks every regression loss makes: tensors, a
    float input, and PyTorch's UserWarning when the shapes differ (they broadcast)."""
    input = expect_tensor(input, f"{name}(): argument 'input'")
    target = expect_tensor(target, f"{name}(): argument 'target'")
    expect_float(input, "input")
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({tuple(target.shape)}) that is different to the "
                      f"input size ({tuple(input.shape)}). This will likely lead to incorrect "
                      "results due to broadcasting. Please ensure they have the same size.",
                      stacklevel=3)
    return input - target


def reduce(loss: Tensor, reduction: str) -> Tensor:
    """The elementwise ``loss`` reduced: "mean" over every element, "sum", or "none"."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_weight(weight, input_shape) -> Tensor:
    weight = expect_tensor(weight, "weight")
    if tuple(weight.shape) != tuple(input_shape):
        raise ValueError("Weights and input must have the same size.")
    return weight


def l1_loss(input: Tensor, target: Tensor, *, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """Mean absolute error, as ``torch.nn.functional.l1_loss``.

    Shapes: input (*), target of the same shape (one that merely broadcasts is used
    with a UserWarning, as PyTorch), weight None or input's shape; output () for
    "mean"/"sum", the broadcast shape for "none".

    Maths, with d = x - y::

        l_i = w_i |d_i|;   "mean": sum_i l_i / n  (with weights: / sum_i w_i);
        "sum": sum_i l_i;  dL/dx_i = w_i sign(d_i) (0 at d_i = 0, as torch)

    Differences from PyTorch: ``reduction`` and ``weight`` are keyword-only and the
    deprecated ``size_average``/``reduce`` are not accepted; an integer input is
    refused with TypeError; a bad reduction is a ValueError naming the argument.
    """
    reduction = check_reduction(reduction)
    loss = difference(input, target, "l1_loss").abs()
    if weight is None:
        return reduce(loss, reduction)
    loss = loss * _check_weight(weight, input.shape)
    # PyTorch's weighted mean divides by the total weight (huber_loss's does not).
    return loss.sum() / weight.sum() if reduction == "mean" else reduce(loss, reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, *, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """Squared error near 0, absolute error beyond ``beta``, as
    ``torch.nn.functional.smooth_l1_loss``.

    Shapes: as :func:`l1_loss` (no weight).

    Maths, with z = |x - y|::

        l_i = 0.5 z_i**2 / beta   if z_i < beta
              z_i - 0.5 beta      otherwise            (beta = 0: the L1 loss)
        dL/dx_i = clip((x_i - y_i) / beta, -1, 1)

    Raises RuntimeError (also a ValueError) for a negative beta, as PyTorch.
    Differences from PyTorch: ``reduction`` and ``beta`` are keyword-only (no
    ``size_average``/``reduce``).
    """
    reduction = check_reduction(reduction)
    beta = check_real(beta, "beta")
    if beta < 0:
        raise RuntimeValueError("smooth_l1_loss does not support negative values for beta.")
    z = difference(input, target, "smooth_l1_loss").abs()
    if beta == 0.0:
        return reduce(z, reduction)  # PyTorch's own rule: no division by zero
    return reduce(where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """Squared error near 0, ``delta``-scaled absolute error beyond, as
    ``torch.nn.functional.huber_loss``: ``delta * smooth_l1_loss(beta=delta)``.

    Shapes: as :func:`l1_loss`.

    Maths, with z = |x - y|::

        l_i = w_i * 0.5 z_i**2               if z_i < delta
              w_i * delta (z_i - 0.5 delta)  otherwise
        dL/dx_i = w_i clip(x_i - y_i, -delta, delta)
        "mean": sum_i l_i / n (also with weights, as PyTorch); "sum": sum_i l_i

    Raises RuntimeError (also a ValueError) for a delta <= 0, as PyTorch; ValueError
    for a weight whose shape is not input's. The arguments are PyTorch's, in its order.
    """
    reduction = check_reduction(reduction)
    delta = check_real(delta, "delta")
    if not delta > 0:
        raise RuntimeValueError("huber_loss does not support non-positive values for delta.")
    z = difference(input, target, "huber_loss").abs()
    loss = where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))
    if weight is not None:
        loss = loss * _check_weight(weight, input.shape)
    return reduce(loss, reduction)
