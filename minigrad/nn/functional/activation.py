"""Activation front ends: ``softmax`` and ``log_softmax`` along one dimension, and the
elementwise activations ``sigmoid``, ``tanh``, ``silu``, ``leaky_relu``, ``elu``,
``gelu``, ``softplus`` (``relu`` is in relu.py). The ops themselves live below the
tensor, in minigrad/tensor_ops (``Tensor.softmax`` and ``Tensor.sigmoid`` call the same
front ends); what is added here is PyTorch's ``inplace`` argument.

``inplace=True`` writes the result into ``input`` as PyTorch does, through
minigrad/tensor_ops/inplace.py: the result is computed out of place, then copied into
``input``'s array, whose version counter moves on and which takes the op's place on the
tape. Refused as in PyTorch: a leaf that requires grad (while grad mode is on), and
anything inplace.py refuses (a cuda tensor made by permute/expand/indexing).
"""
from __future__ import annotations

from ...tensor import Tensor
from ...tensor_ops import elementwise as ew
from ...tensor_ops import inplace as ip
from ...tensor_ops.softmax import log_softmax, softmax
from .._checks import check_bool
from ._common import expect_tensor

__all__ = ["elu", "elu_", "gelu", "leaky_relu", "leaky_relu_", "log_softmax", "sigmoid",
           "silu", "softmax", "softplus", "tanh"]


def _run(name: str, input, inplace: bool, compute) -> Tensor:
    """``compute(input)``, written into ``input`` when ``inplace``; every check first."""
    input = expect_tensor(input, f"{name}(): argument 'input'")
    check_bool(inplace, "inplace")
    if not inplace:
        return compute(input)
    ip.check_target(input)  # before any kernel runs
    return ip.write(input, compute(input))


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + e^-x) elementwise, as ``torch.nn.functional.sigmoid`` (torch.sigmoid).

    Shapes: any; the output has input's shape (integer input gives float32).
    Maths: computed from e^-|x| (never overflows); ``dL/dx = g * y (1 - y)``.
    """
    return ew.unary("sigmoid", expect_tensor(input, "sigmoid(): argument 'input'"))


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent elementwise, as ``torch.nn.functional.tanh``.

    Shapes: any, kept. Maths: ``dL/dx = g * (1 - y^2)``, y the output.
    """
    return ew.unary("tanh", expect_tensor(input, "tanh(): argument 'input'"))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) elementwise (SiLU, "swish"), as ``torch.nn.functional.silu``.

    Shapes: any, kept; float input only (NotImplementedError otherwise, as torch).
    Maths: ``dL/dx = g * s (1 + x (1 - s))``, s = sigmoid(x).
    """
    return _run("silu", input, inplace, ew.silu)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else ``negative_slope * x``, as ``torch.nn.functional.leaky_relu``.

    Shapes: any, kept; float input only.
    Maths: ``dL/dx = g`` where x > 0, else ``g * negative_slope`` (at 0 too, as torch).
    """
    return _run("leaky_relu", input, inplace,
                lambda x: ew.leaky_relu(x, negative_slope))


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """:func:`leaky_relu` with ``inplace=True``, as ``torch.nn.functional.leaky_relu_``."""
    return leaky_relu(input, negative_slope, inplace=True)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else ``alpha * (e^x - 1)``, as ``torch.nn.functional.elu``.

    Shapes: any, kept; float input only.
    Maths: ``dL/dx = g`` where x > 0, else ``g * alpha * e^x`` (at 0 too, as torch).
    Difference from PyTorch: with ``inplace=True`` the gradient is computed from a copy
    of the input, so a negative ``alpha`` works (torch refuses it there).
    """
    return _run("elu", input, inplace, lambda x: ew.elu(x, alpha))


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """:func:`elu` with ``inplace=True``, as ``torch.nn.functional.elu_``."""
    return elu(input, alpha, inplace=True)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x), Phi the standard normal CDF, as ``torch.nn.functional.gelu``.

    Shapes: any, kept; float input only.
    Maths: ``"none"``: Phi(x) = (1 + erf(x / sqrt 2)) / 2, ``dL/dx = g (Phi(x) + x
    phi(x))``; ``"tanh"``: Phi(x) ~ (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2 and
    its own derivative (PyTorch's formulas). ``approximate`` not a str: TypeError;
    another string: RuntimeError, as torch. See
    :func:`minigrad.tensor_ops.elementwise.gelu` for the large-|x| behaviour.
    """
    return ew.gelu(expect_tensor(input, "gelu(): argument 'input'"), approximate)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, and x where beta x > threshold, as
    ``torch.nn.functional.softplus``.

    Shapes: any, kept; float input only.
    Maths: ``dL/dx = g * sigmoid(beta x)``, ``g`` in the linear region. Computed without
    overflow for any threshold (see :func:`minigrad.tensor_ops.elementwise.softplus`).
    """
    return ew.softplus(expect_tensor(input, "softplus(): argument 'input'"), beta, threshold)
