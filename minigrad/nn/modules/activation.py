"""Activation layers: ReLU, Softmax, LogSoftmax."""
from __future__ import annotations

import warnings

from ...tensor import Tensor
from .. import functional as F
from .._checks import check_bool, is_int
from ..module import Module

__all__ = ["LogSoftmax", "ReLU", "Softmax"]


class ReLU(Module):
    """max(x, 0) elementwise, as ``torch.nn.ReLU``. Any shape in, the same shape out.

    ``inplace`` is accepted for compatibility; minigrad has no in-place ops, so the
    result is always a new tensor (the value is the same)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = check_bool(inplace, "inplace")

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


def _implicit_dim(name: str, ndim: int) -> int:
    # PyTorch's deprecated rule when no dim is given: 0 for 0-, 1- and 3-D, else 1.
    dim = 0 if ndim in (0, 1, 3) else 1
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  f"to include dim=X as an argument.", stacklevel=3)
    return dim


class _SoftmaxBase(Module):
    _fn_name = ""

    def __init__(self, dim: int | None = None):
        super().__init__()
        if dim is not None and not is_int(dim):
            raise TypeError(f"dim: expected an int or None, got {type(dim).__name__}")
        self.dim = None if dim is None else int(dim)

    def _dim(self, input: Tensor) -> int:
        return self.dim if self.dim is not None else _implicit_dim(self._fn_name, input.ndim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_SoftmaxBase):
    """Softmax along ``dim``, as ``torch.nn.Softmax``: each slice becomes a probability
    distribution; see :func:`minigrad.nn.functional.softmax`. Shape unchanged.

    ``dim=None`` picks PyTorch's deprecated implicit dim (0 for 0-, 1- and 3-D inputs,
    else 1) with a UserWarning; give it explicitly, e.g. ``Softmax(dim=1)`` for (B, C).
    """

    _fn_name = "softmax"

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self._dim(input))


class LogSoftmax(_SoftmaxBase):
    """Log of the softmax along ``dim``, as ``torch.nn.LogSoftmax``, computed stably;
    see :func:`minigrad.nn.functional.log_softmax`. ``dim=None`` as :class:`Softmax`."""

    _fn_name = "log_softmax"

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self._dim(input))
