"""Loss layers: CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, SmoothL1Loss, HuberLoss,
BCELoss, BCEWithLogitsLoss."""
from __future__ import annotations

from ...errors import RuntimeValueError
from ...tensor import Tensor
from .. import functional as F
from .._checks import check_real, check_reduction
from ..module import Module

__all__ = ["BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HuberLoss", "L1Loss", "MSELoss",
           "NLLLoss", "SmoothL1Loss"]


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


class L1Loss(_Loss):
    """Mean absolute error, as ``torch.nn.L1Loss``: ``F.l1_loss(input, target,
    reduction=...)``; see :func:`minigrad.nn.functional.l1_loss`. Shapes: input and
    target (*) alike; output () or (*) for "none".

    Differences from PyTorch: ``reduction`` is keyword-only (no ``size_average``/
    ``reduce``).
    """

    def __init__(self, *, reduction: str = "mean"):
        super().__init__(reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Squared error below ``beta``, absolute error above, as ``torch.nn.SmoothL1Loss``:
    ``F.smooth_l1_loss(input, target, reduction=..., beta=...)`` (the maths is there).
    Shapes as :class:`L1Loss`.

    Differences from PyTorch: ``reduction`` and ``beta`` are keyword-only (no
    ``size_average``/``reduce``); a negative beta is refused here, when the layer is
    built (PyTorch: at the first call).
    """

    def __init__(self, *, reduction: str = "mean", beta: float = 1.0):
        super().__init__(reduction)
        if check_real(beta, "beta") < 0:
            raise RuntimeValueError("smooth_l1_loss does not support negative values for beta.")
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Squared error below ``delta``, ``delta``-scaled absolute error above, as
    ``torch.nn.HuberLoss``: ``F.huber_loss(input, target, reduction, delta)`` (the
    maths is there). Shapes as :class:`L1Loss`. Arguments in PyTorch's order; a
    delta <= 0 is refused when the layer is built (PyTorch: at the first call).
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction)
        if not check_real(delta, "delta") > 0:
            raise RuntimeValueError("huber_loss does not support non-positive values for delta.")
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, self.reduction, self.delta)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities, as ``torch.nn.BCELoss``:
    ``F.binary_cross_entropy(input, target, weight, reduction=...)`` (the maths is
    there). Shapes: input and target (*) alike, probabilities in [0, 1]; weight None
    or broadcastable to (*), registered as a buffer; output () or (*) for "none".

    Differences from PyTorch: ``reduction`` is keyword-only (no ``size_average``/
    ``reduce``).
    """

    def __init__(self, weight: Tensor | None = None, *, reduction: str = "mean"):
        super().__init__(weight, reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid and binary cross-entropy in one stable expression, as
    ``torch.nn.BCEWithLogitsLoss``: ``F.binary_cross_entropy_with_logits(input,
    target, weight, reduction=..., pos_weight=...)`` (the maths is there).

    Shapes: input and target (*) alike (scores, targets in [0, 1]); weight None or
    broadcastable to (*); pos_weight None or broadcastable to (*), e.g. (C,) for
    (N, C) multi-label scores. Both are registered as buffers (state_dict keys
    ``weight`` and ``pos_weight`` when given), as PyTorch.

    Differences from PyTorch: ``reduction`` and ``pos_weight`` are keyword-only (no
    ``size_average``/``reduce``).
    """

    def __init__(self, weight: Tensor | None = None, *, reduction: str = "mean",
                 pos_weight: Tensor | None = None):
        super().__init__(reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)
