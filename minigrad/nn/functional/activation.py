"""Activation front ends: ``softmax`` and ``log_softmax`` along one dimension, and the
elementwise activations ``sigmoid``, ``tanh``, ``silu``, ``leaky_relu``, ``elu``,
``gelu``, ``softplus`` (``relu`` is in relu.py). Those ops live below the tensor, in
minigrad/tensor_ops (``Tensor.softmax`` and ``Tensor.sigmoid`` call the same front
ends); what is added here is PyTorch's ``inplace`` argument.

``relu6``, ``hardtanh``, ``logsigmoid``, ``softmin``, ``prelu``, ``mish``,
``hardswish`` and ``hardsigmoid`` are composed here from those elementwise ops and
``where``: no kernels of their own, so every device runs them, and their gradients are
the ops' (``where`` picks PyTorch's convention at the kinks).

``inplace=True`` writes the result into ``input`` as PyTorch does, through
minigrad/tensor_ops/inplace.py: the result is computed out of place, then copied into
``input``'s array, whose version counter moves on and which takes the op's place on the
tape. Refused as in PyTorch: a leaf that requires grad (while grad mode is on), and
anything inplace.py refuses (a cuda tensor made by permute/expand/indexing).
"""
from __future__ import annotations

import warnings

from ...errors import RuntimeValueError
from ...tensor import Tensor
from ...tensor_ops import elementwise as ew
from ...tensor_ops import inplace as ip
from ...tensor_ops.elementwise import where
from ...tensor_ops.softmax import log_softmax, softmax
from .._checks import check_bool, check_real
from ._common import expect_same_dtype, expect_tensor

__all__ = ["elu", "elu_", "gelu", "hardsigmoid", "hardswish", "hardtanh", "hardtanh_",
           "leaky_relu", "leaky_relu_", "log_softmax", "logsigmoid", "mish", "prelu", "relu6",
           "sigmoid", "silu", "softmax", "softmin", "softplus", "tanh"]


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


def _float_only(name: str, x: Tensor) -> Tensor:
    """``x``, or NotImplementedError (PyTorch's type: it has no integer kernel)."""
    if not x.dtype.is_floating_point:
        raise NotImplementedError(f"{name}: not implemented for {x.dtype} tensors (as in "
                                  f"PyTorch); convert the input first, e.g. input.float()")
    return x


def _hardtanh(x: Tensor, min_val: float, max_val: float) -> Tensor:
    # where, not clamp: PyTorch's gradient is 0 AT the bounds (clamp's includes them).
    return where(x <= min_val, min_val, where(x >= max_val, max_val, x))


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val], as ``torch.nn.functional.hardtanh``.

    Shapes: any, kept; an integer input gives its own dtype, as torch.
    Maths: ``y = min(max(x, min_val), max_val)``; ``dL/dx = g`` where
    min_val < x < max_val, else 0 (0 at the bounds too, as torch; clamp's gradient
    includes them). ValueError when min_val > max_val (PyTorch's message).
    """
    min_val = check_real(min_val, "min_val")
    max_val = check_real(max_val, "max_val")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")

    def compute(x):
        if x.dtype.is_floating_point:
            return _hardtanh(x, min_val, max_val)
        # Integers keep their dtype, as torch's (no gradient to care about).
        return _hardtanh(x.double(), min_val, max_val).to(x.dtype)
    return _run("hardtanh", input, inplace, compute)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """:func:`hardtanh` with ``inplace=True``, as ``torch.nn.functional.hardtanh_``."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6) elementwise, as ``torch.nn.functional.relu6``: ``hardtanh(x,
    0, 6)``, so the gradient is 0 at 0 and at 6 (as torch)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) elementwise, computed stably, as
    ``torch.nn.functional.logsigmoid``.

    Shapes: any, kept; float input only (NotImplementedError otherwise, as torch).
    Maths: ``y = min(x, 0) - log(1 + e^-|x|)`` (never overflows; log(sigmoid(x))
    itself would be -inf below x ~ -88 in float32); ``dL/dx = g * (1 - sigmoid(x))``
    (minimum splits its gradient at the tie x = 0, giving 1/2 as torch).
    Difference from PyTorch: no log1p, so for x > 17 in float32 (37 in float64) the
    result rounds to 0 instead of -e^-x.
    """
    x = _float_only("logsigmoid", expect_tensor(input, "logsigmoid(): argument 'input'"))
    return x.minimum(0) - (1 + (-x.abs()).exp()).log()


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """softmax(-x) along ``dim``, as ``torch.nn.functional.softmin``: the smallest
    entries get the largest probabilities.

    Shapes: any, kept. ``dtype``: cast the input to it first (as torch).
    ``dim=None`` picks PyTorch's deprecated implicit dim (0 for 0-, 1- and 3-D inputs,
    else 1) with a UserWarning.
    Maths: ``y_i = e^-x_i / sum_j e^-x_j``; the gradient is softmax's through the
    negation.
    """
    input = expect_tensor(input, "softmin(): argument 'input'")
    if dim is None:
        dim = 0 if input.ndim in (0, 1, 3) else 1
        warnings.warn("Implicit dimension choice for softmin has been deprecated. Change the "
                      "call to include dim=X as an argument.", stacklevel=_stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return softmax(-input, dim)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else ``weight * x`` with a learnt slope per channel, as
    ``torch.nn.functional.prelu``.

    Shapes: input (N, C, *); weight (C,) (one slope per channel of dim 1) or (1,)
    (one for all; the only choice for a 1-D or 0-d input, which has no channel dim, as
    PyTorch); output input's shape.
    Maths: ``y = where(x > 0, x, w_c x)``; ``dL/dx = g`` where x > 0, else ``g w_c``
    (w at 0, as torch); ``dL/dw_c = sum over channel c of g x where x <= 0``.
    Raises RuntimeError (also a ValueError) when weight has neither 1 nor C entries
    (PyTorch's message), TypeError for a weight of another dtype.
    """
    input = expect_tensor(input, "prelu(): argument 'input'")
    weight = expect_tensor(weight, "prelu(): argument 'weight'")
    _float_only("prelu", input)
    expect_same_dtype(input, "input", weight, "weight")
    n = weight.numel()
    if n != 1:
        channels = input.shape[1] if input.ndim >= 2 else 1
        if weight.ndim != 1 or n != channels:
            raise RuntimeValueError(f"Mismatch of parameter numbers and input channel size. "
                                    f"Found parameter numbers = {n} and channel size = "
                                    f"{channels}.")
        if input.ndim >= 2:
            weight = weight.reshape((1, n) + (1,) * (input.ndim - 2))
    elif input.ndim < weight.ndim:
        weight = weight.reshape(())
    return where(input > 0, input, weight * input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x)) elementwise, as ``torch.nn.functional.mish``.

    Shapes: any, kept; float input only.
    Maths: ``dL/dx = g (t + x sigmoid(x) (1 - t^2))``, t = tanh(softplus(x)), from the
    tape's softplus (threshold 20, where it is linear) and tanh.
    """
    return _run("mish", input, inplace,
                lambda x: x * ew.softplus(_float_only("mish", x), 1.0, 20.0).tanh())


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6 elementwise, as ``torch.nn.functional.hardswish``.

    Shapes: any, kept; float input only.
    Maths: ``y = 0`` for x <= -3, ``x (x + 3) / 6`` for -3 < x < 3, ``x`` from 3;
    ``dL/dx = g * (2x + 3) / 6`` on (-3, 3), 0 up to -3, g from 3 (at the bounds the
    outer pieces' slopes, 0 and 1, as torch's backward).
    """
    def compute(x):
        _float_only("hardswish", x)
        return where(x <= -3.0, 0.0, where(x >= 3.0, x, x * (x + 3.0) / 6.0))
    return _run("hardswish", input, inplace, compute)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6 elementwise, as ``torch.nn.functional.hardsigmoid``.

    Shapes: any, kept; float input only.
    Maths: ``y = 0`` for x <= -3, ``(x + 3) / 6`` between, 1 for x >= 3;
    ``dL/dx = g / 6`` for -3 < x < 3, else 0 (0 at the bounds, as torch).
    """
    def compute(x):
        _float_only("hardsigmoid", x)
        return where(x <= -3.0, 0.0, where(x >= 3.0, 1.0, (x + 3.0) / 6.0))
    return _run("hardsigmoid", input, inplace, compute)
