"""Loss layers: CrossEntropyLoss, NLLLoss, MSELoss."""
from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .._checks import check_reduction
from ..module import Module

__all__ = ["CrossEntropyLoss", "MSELoss", "NLLLoss"]


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        self.reduction = check_reduction(reduction)


class _WeightedLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, reduction: str = "mean"):
        super().__init__(reduction)
        # A buffer, as PyTorch: it follows model.to(dtype) and appears in state_dict
        # (key "weight") when given.
        self.register_buffer("weight", weight)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy between logits and class indices, as
    ``torch.nn.CrossEntropyLoss``: ``F.cross_entropy(input, target, weight, ...)``;
    see :func:`minigrad.nn.functional.cross_entropy` for the maths.

    Shapes: input (N, C), (C,) or (N, C, d1, ...) logits; target (N,), () or
    (N, d1, ...) int64 class indices; output () for "mean"/"sum", the target's shape for
    "none".

    Args:
        weight: (C,) per-class weights, or None. Registered as a buffer.
        ignore_index: target value to skip (default -100).
        reduction: "none", "mean" (default) or "sum".
        label_smoothing: in [0, 1] (default 0).

    Differences from PyTorch: the arguments after ``weight`` are keyword-only and the
    deprecated ``size_average``/``reduce`` are not accepted (PyTorch's positional order
    puts them between, so a positional call could silently mean something else); only
    class-index targets (no class probabilities).
    """

    def __init__(self, weight: Tensor | None = None, *, ignore_index: int = -100,
                 reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class indices given log-probabilities, as
    ``torch.nn.NLLLoss``: ``F.nll_loss(input, target, weight, ...)``. Put a
    ``LogSoftmax(dim=1)`` in front to get the cross-entropy.

    Shapes: input (N, C), (C,) or (N, C, d1, ...); target (N,), () or (N, d1, ...);
    output () for "mean"/"sum", target's shape for "none".

    Differences from PyTorch: as :class:`CrossEntropyLoss` (keyword-only arguments
    after ``weight``).
    """

    def __init__(self, weight: Tensor | None = None, *, ignore_index: int = -100,
                 reduction: str = "mean"):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error, as ``torch.nn.MSELoss``: ``F.mse_loss(input, target,
    reduction=...)``. Shapes: input and target (*) alike; output () or (*) for "none".

    Differences from PyTorch: ``reduction`` is keyword-only (no ``size_average``/
    ``reduce``).
    """

    def __init__(self, *, reduction: str = "mean"):
        super().__init__(reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)
