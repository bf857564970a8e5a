"""Activation layers, as torch.nn's: ReLU, Sigmoid, Tanh, LeakyReLU, ELU, GELU,
Softplus, SiLU, Identity, Softmax, LogSoftmax. Each elementwise layer calls its
minigrad.nn.functional function (where the maths is documented); any shape in, the same
shape out. The constructors check their arguments (TypeError naming one of the wrong
type), so a bad value is reported where the model is written; PyTorch checks them at the
first forward pass. Values are kept as given, so the repr prints what torch prints."""
from __future__ import annotations

import warnings

from ...tensor import Tensor
from ...tensor_ops import elementwise as ew
from .. import functional as F
from .._checks import check_bool, is_int
from ..module import Module

__all__ = ["ELU", "GELU", "Identity", "LeakyReLU", "LogSoftmax", "ReLU", "SiLU", "Sigmoid",
           "Softmax", "Softplus", "Tanh"]


def _inplace_repr(inplace: bool, first: bool = False) -> str:
    return ("inplace=True" if first else ", inplace=True") if inplace else ""


class ReLU(Module):
    """max(x, 0) elementwise, as ``torch.nn.ReLU``. Any shape in, the same shape out.

    ``inplace`` is accepted for compatibility; minigrad.nn.functional.relu does not
    write in place, so the result is always a new tensor (the value is the same)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = check_bool(inplace, "inplace")

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Sigmoid(Module):
    """1 / (1 + e^-x) elementwise, as ``torch.nn.Sigmoid``; see F.sigmoid."""

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x) elementwise, as ``torch.nn.Tanh``; see F.tanh."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class LeakyReLU(Module):
    """x where x > 0, else ``negative_slope * x``, as ``torch.nn.LeakyReLU``; see
    F.leaky_relu (``inplace=True`` writes into the input, as torch)."""

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False):
        super().__init__()
        ew.check_number("LeakyReLU", "negative_slope", negative_slope)
        self.negative_slope = negative_slope
        self.inplace = check_bool(inplace, "inplace")

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}{_inplace_repr(self.inplace)}"


class ELU(Module):
    """x where x > 0, else ``alpha * (e^x - 1)``, as ``torch.nn.ELU``; see F.elu."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        ew.check_number("ELU", "alpha", alpha)
        self.alpha = alpha
        self.inplace = check_bool(inplace, "inplace")

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_repr(self.inplace)}"


class GELU(Module):
    """x * Phi(x), Phi the standard normal CDF (``approximate="none"``) or PyTorch's tanh
    approximation (``"tanh"``), as ``torch.nn.GELU``; see F.gelu."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if not isinstance(approximate, str):
            raise TypeError(f"GELU(): argument 'approximate' must be str, not "
                            f"{type(approximate).__name__}")
        if approximate not in ("none", "tanh"):
            raise RuntimeError("approximate argument must be either none or tanh.")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """log(1 + e^(beta x)) / beta, linear where beta x > threshold, as
    ``torch.nn.Softplus``; see F.softplus."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        ew.check_number("Softplus", "beta", beta)
        ew.check_number("Softplus", "threshold", threshold)
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class SiLU(Module):
    """x * sigmoid(x) elementwise, as ``torch.nn.SiLU``; see F.silu."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = check_bool(inplace, "inplace")

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace, first=True)


class Identity(Module):
    """Returns its input, as ``torch.nn.Identity``: a placeholder (for a layer switched
    off, say). Its arguments are accepted and ignored, as torch's."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


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
