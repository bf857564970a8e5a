"""Dropout layer."""
from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .._checks import check_bool, check_probability
from ..module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Zero each element with probability ``p`` in training mode and scale the others
    by 1 / (1 - p), as ``torch.nn.Dropout``; in eval mode (``model.eval()``) the input
    passes through unchanged. See :func:`minigrad.nn.functional.dropout`.

    The masks come from minigrad's global generator (``minigrad.manual_seed``).
    ``inplace=True`` writes into the input, as PyTorch's (F.dropout).
    """

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        check_probability(p)
        self.p = p  # kept as given, as PyTorch (its repr shows it)
        self.inplace = check_bool(inplace, "inplace")

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
