"""Activation layers, as torch.nn's: ReLU, Sigmoid, Tanh, LeakyReLU, ELU, GELU,
Softplus, SiLU, Identity, Softmax, LogSoftmax, ReLU6, Hardtanh, LogSigmoid, Softmin,
Softmax2d, PReLU, Mish, Hardswish, Hardsigmoid. Each elementwise layer calls its
minigrad.nn.functional function (where the maths is documented); any shape in, the same
shape out. The constructors check their arguments (TypeError naming one of the wrong
type), so a bad value is reported where the model is written; PyTorch checks them at the
first forward pass. Values are kept as given, so the repr prints what torch prints."""
from __future__ import annotations

import warnings

import numpy as np

from ...tensor import Tensor
from ...tensor_ops import elementwise as ew
from .. import functional as F
from .. import init
from .._checks import check_bool, check_int, check_real, is_int
from ..module import Module
from ..parameter import Parameter
from ._factory import param_dtype, place

__all__ = ["ELU", "GELU", "Hardsigmoid", "Hardswish", "Hardtanh", "Identity", "LeakyReLU",
           "LogSigmoid", "LogSoftmax", "Mish", "PReLU", "ReLU", "ReLU6", "SiLU", "Sigmoid",
           "Softmax", "Softmax2d", "Softmin", "Softplus", "Tanh"]


def _inplace_repr(inplace: bool, first: bool = False) -> str:
    return ("inplace=True" if first else ", inplace=True") if inplace else ""


class ReLU(Module):
    """max(x, 0) elementwise, as ``torch.nn.ReLU``. Any shape in, the same shape out.

    ``inplace=True`` writes into the input, as PyTorch's (F.relu)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = check_bool(inplace, "inplace")

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, inplace=self.inplace)

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


class Softmin(_SoftmaxBase):
    """softmax(-x) along ``dim``, as ``torch.nn.Softmin``; see
    :func:`minigrad.nn.functional.softmin`. ``dim=None`` as :class:`Softmax`."""

    _fn_name = "softmin"

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, self._dim(input))


class Softmax2d(Module):
    """Softmax over the channels at every position, as ``torch.nn.Softmax2d``: input
    (N, C, H, W) or (C, H, W), softmax along dim -3; ValueError for another number of
    dims (PyTorch's message)."""

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"input must be a Tensor, got {type(input).__name__}")
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D "
                             "instead")
        return F.softmax(input, -3)


class Hardtanh(Module):
    """x clipped to [min_val, max_val], as ``torch.nn.Hardtanh``; see F.hardtanh (the
    gradient is 0 at the bounds). ValueError when min_val > max_val."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        super().__init__()
        if check_real(min_val, "min_val") > check_real(max_val, "max_val"):
            raise ValueError("min_val cannot be greater than max_val")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = check_bool(inplace, "inplace")

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_repr(self.inplace)}"


class ReLU6(Hardtanh):
    """min(max(x, 0), 6) elementwise, as ``torch.nn.ReLU6`` (a Hardtanh(0, 6), as
    PyTorch's); see F.relu6."""

    def __init__(self, inplace: bool = False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace, first=True)


class LogSigmoid(Module):
    """log(sigmoid(x)) elementwise, computed stably, as ``torch.nn.LogSigmoid``; see
    F.logsigmoid."""

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class _InplaceActivation(Module):
    # An elementwise layer whose only argument is PyTorch's ``inplace``.
    _fn = staticmethod(lambda input, inplace: input)

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = check_bool(inplace, "inplace")

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._fn(input, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace, first=True)


class Mish(_InplaceActivation):
    """x * tanh(softplus(x)) elementwise, as ``torch.nn.Mish``; see F.mish."""

    _fn = staticmethod(F.mish)


class Hardswish(_InplaceActivation):
    """x * relu6(x + 3) / 6 elementwise, as ``torch.nn.Hardswish``; see F.hardswish."""

    _fn = staticmethod(F.hardswish)

    def extra_repr(self) -> str:
        return ""  # PyTorch's repr does not show inplace for this layer


class Hardsigmoid(_InplaceActivation):
    """relu6(x + 3) / 6 elementwise, as ``torch.nn.Hardsigmoid``; see F.hardsigmoid."""

    _fn = staticmethod(F.hardsigmoid)

    def extra_repr(self) -> str:
        return ""  # PyTorch's repr does not show inplace for this layer


class PReLU(Module):
    """x where x > 0, else ``a * x`` with a learnt slope ``a``, as ``torch.nn.PReLU``;
    see F.prelu for the maths.

    Shapes: input (N, C, *) (or unbatched); output the same shape.

    State: parameter ``weight`` of shape (num_parameters,), filled with ``init``
    (default 0.25, as PyTorch). ``num_parameters`` is 1 (one slope for every channel)
    or C, the size of input's dim 1.

    Args:
        num_parameters: 1 or the number of channels (default 1).
        init: the initial slope (default 0.25).
        device, dtype: where and in which float dtype to create the weight.
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = check_int(num_parameters, "num_parameters", 1)
        self.init = check_real(init, "init")
        np_dtype = param_dtype(device, dtype).np
        self.weight = Parameter(Tensor._wrap(np.empty(self.num_parameters, dtype=np_dtype)))
        self.reset_parameters()
        place(self, device)

    def reset_parameters(self) -> None:
        init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"
