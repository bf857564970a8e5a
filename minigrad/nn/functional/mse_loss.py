"""Mean squared error front end."""
from __future__ import annotations

import warnings

from ...tensor import Tensor
from .._checks import check_reduction
from ._common import expect_float, expect_tensor

__all__ = ["mse_loss"]


def mse_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Squared error between ``input`` and ``target``, as
    ``torch.nn.functional.mse_loss``.

    Shapes: input (*), target of the same shape (one that merely broadcasts is used
    with a UserWarning, as PyTorch); output () for "mean"/"sum", the broadcast shape
    for "none".

    Maths::

        l_i = (x_i - y_i)**2;   "mean": sum_i l_i / n;   "sum": sum_i l_i
        dL/dx_i = 2 (x_i - y_i) * (1/n for "mean")       dL/dy_i = -dL/dx_i

    Built from the tape's subtraction, multiplication and reduction, so both input and
    target may require grad. The dtype is the promotion of the two (float32 input with
    int64 target -> float32; with float64 target -> float64), as PyTorch.

    Differences from PyTorch: ``reduction`` is keyword-only and the deprecated
    ``size_average``/``reduce`` (and ``weight``) are not accepted; an integer input is
    refused with TypeError; a bad reduction is a ValueError naming the argument.
    """
    input = expect_tensor(input, "input")
    target = expect_tensor(target, "target")
    expect_float(input, "input")
    reduction = check_reduction(reduction)
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({tuple(target.shape)}) that is different to the "
                      f"input size ({tuple(input.shape)}). This will likely lead to incorrect "
                      "results due to broadcasting. Please ensure they have the same size.",
                      stacklevel=2)
    diff = input - target
    loss = diff * diff
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
