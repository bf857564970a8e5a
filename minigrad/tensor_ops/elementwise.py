"""Elementwise front ends: PyTorch's type promotion, then the registry's kernels. The
geometry is ``NONE`` but for clamp's bounds, cast's dtype and the activations'
parameters (ops/elementwise). The plain functions at the end (``sin`` ... ``cosh``,
``silu``, ``leaky_relu``, ``elu``, ``gelu``, ``softplus``) are what minigrad's top
level, the Tensor methods and minigrad.nn.functional call."""
from __future__ import annotations

from numbers import Number

import numpy as np

from .. import arrays
from .. import dtype as dt
from .. import tensor as _tensor
# The tape by module: minigrad.tensor imports these files while it is being defined.
from ..autograd import function as _tape
from ..errors import RuntimeValueError
from ..ops._attrs import NONE, Attrs


def _tensor_cls():
    # minigrad.tensor imports this module while it is being defined: its Tensor is
    # read when an op runs.
    return _tensor.Tensor


def _result_dtype(a, b) -> dt.DType:
    Tensor = _tensor_cls()
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        if (a.ndim == 0) != (b.ndim == 0):
            dims, zero = (a, b) if b.ndim == 0 else (b, a)
            return dt.promote_with_zero_dim(dims.dtype, zero.dtype)
        return dt.promote(a.dtype, b.dtype)
    if isinstance(a, Tensor):
        return dt.promote_with_scalar(a.dtype, dt.scalar_dtype(b))
    return dt.promote_with_scalar(b.dtype, dt.scalar_dtype(a))


def as_operand(value, dtype: dt.DType, device):
    """A Tensor operand in ``dtype``: casts a tensor (differentiably) or wraps a scalar."""
    Tensor = _tensor_cls()
    if isinstance(value, Tensor):
        return value if value.dtype is dtype else cast(value, dtype)
    if not isinstance(value, (Number, np.generic)) or isinstance(value, complex):
        raise TypeError(f"expected a Tensor or a real Python number, got {type(value).__name__}")
    # A scalar is made where the other operand lives: on cuda by a fill kernel, so a
    # Python number in a GPU expression costs no host-to-device copy.
    return Tensor._wrap(arrays.full((), value, dtype.np, device))


def _check_operands(op: str, a, b, require_tensor: bool = True) -> None:
    Tensor = _tensor_cls()
    if require_tensor and not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"{op}: expected at least one Tensor operand")
    for name, v in (("input", a), ("other", b)):
        if not isinstance(v, (Tensor, Number, np.generic)) or isinstance(v, complex):
            raise TypeError(f"{op}: {name} must be a Tensor or a real Python number, "
                            f"got {type(v).__name__}")


def binary(op: str, a, b):
    """``op`` (add, sub, mul, div, pow, maximum, minimum) with broadcasting."""
    Tensor = _tensor_cls()
    _check_operands(op, a, b)
    dtype = _result_dtype(a, b)
    if op == "div" and not dtype.is_floating_point:
        dtype = dt.float32  # true division, as torch.div
    if op == "sub" and dtype is dt.bool_:
        raise RuntimeError("sub: subtraction, the `-` operator, with two bool tensors is not "
                           "supported; use the `^` operator or logical_xor() instead")
    device = a.device if isinstance(a, Tensor) else b.device
    x, y = as_operand(a, dtype, device), as_operand(b, dtype, device)
    _check_broadcast(op, x.shape, y.shape)
    # (On cuda the exponent's values stay on the device: not checked, as in PyTorch.)
    if op == "pow" and dtype is dt.int64 and y.device == "cpu" and (y._array < 0).any():
        raise RuntimeValueError("pow: integers to negative integer powers are not allowed; "
                         "make the base or the exponent a float")
    return _apply(op, x, y, geometry=NONE)


def _check_broadcast(op, s1, s2) -> None:
    try:
        np.broadcast_shapes(s1, s2)
    except ValueError:
        # PyTorch's RuntimeError, also the ValueError minigrad raised before.
        raise RuntimeValueError(f"{op}: shapes {tuple(s1)} and {tuple(s2)} cannot be broadcast "
                                "together") from None


def compare(op: str, a, b):
    Tensor = _tensor_cls()
    _check_operands(op, a, b)
    dtype = _result_dtype(a, b)
    device = a.device if isinstance(a, Tensor) else b.device
    x, y = as_operand(a, dtype, device), as_operand(b, dtype, device)
    _check_broadcast(op, x.shape, y.shape)
    return _apply(op, x, y, geometry=NONE)


def _apply(op: str, *operands, geometry):
    """``_tape.apply``, except for float16 on cuda: Numba's CUDA target types half
    precision only for some arithmetic (no math-library calls, no shuffles), so there
    the operands are computed in float32 and the result cast back to float16 (a bool
    result stays bool), as PyTorch's own half kernels compute internally in float."""
    # The device first: on the CPU (the hot path) no operand's dtype is looked at.
    if not operands[0].is_cuda or not any(t.dtype is dt.float16 for t in operands):
        return _tape.apply(op, *operands, geometry=geometry)
    wide = [cast(t, dt.float32) if t.dtype is dt.float16 else t for t in operands]
    out = _tape.apply(op, *wide, geometry=geometry)
    return out if out.dtype is dt.bool_ else cast(out, dt.float16)


# Integer and bool inputs become float32 first, as torch.exp(int tensor) does.
_FLOAT_ONLY = {"exp", "log", "sqrt", "sigmoid", "tanh", "sin", "cos", "tan", "sinh", "cosh"}
# PyTorch has no integer kernels for these (NotImplementedError: "silu_cpu" not
# implemented for 'Long'): refused, not converted.
_FLOATS_REQUIRED = {"silu", "leaky_relu", "elu", "gelu", "softplus"}


def unary(op: str, x):
    Tensor = _tensor_cls()
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    if op in _FLOAT_ONLY and not x.dtype.is_floating_point:
        x = cast(x, dt.float32)  # as torch.exp(int tensor) -> float32
    if op in ("neg", "abs") and x.dtype is dt.bool_:
        raise RuntimeError(f"{op}: not supported on a bool tensor (as in PyTorch); to invert "
                           "a mask use the `~` operator or logical_not() instead")
    return _apply(op, _floating(op, x), geometry=NONE)


def _floating(op: str, x):
    """``x``, or NotImplementedError (PyTorch's type) for an op without integer kernels."""
    if op in _FLOATS_REQUIRED and not x.dtype.is_floating_point:
        raise NotImplementedError(f"{op}: not implemented for {x.dtype} tensors (as in "
                                  f"PyTorch); convert the input first, e.g. input.float()")
    return x


def _unary_attrs(op: str, x, **attrs):
    """``op`` with its parameters ``attrs`` in the geometry, after the input check."""
    Tensor = _tensor_cls()
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be a Tensor, got {type(x).__name__}")
    return _apply(op, _floating(op, x), geometry=Attrs(**attrs))


def check_number(op: str, name: str, value) -> float:
    """``value`` as a Python float, or TypeError naming ``op`` and the argument ``name``
    (a bool is refused, as clamp's bounds are)."""
    # A Python float in the geometry: a NumPy float64 scalar would promote a float32
    # kernel's arithmetic to float64 (NumPy 2's rules).
    if isinstance(value, (bool, np.bool_, complex)) or not isinstance(value, (Number, np.generic)):
        raise TypeError(f"{op}(): argument '{name}' must be a real number, got "
                        f"{type(value).__name__}")
    return float(value)


def cast(x, dtype: dt.DType):
    """``x`` converted to ``dtype``; differentiable between float dtypes."""
    if x.dtype is dtype:
        return x
    if x.dtype is dt.float16 and dtype is dt.bool_ and x.is_cuda:
        x = cast(x, dt.float32)  # no half-to-bool conversion on Numba's CUDA target
    return _tape.apply("cast", x, geometry=Attrs(dtype=dtype.np))


def clone(x):
    """A copy of ``x`` in a new array, differentiable (gradient 1): the cast kernel to
    ``x``'s own dtype, which always writes a new array (PyTorch's ``clone``; the node
    is named CastBackward, not CloneBackward0)."""
    return _tape.apply("cast", x, geometry=Attrs(dtype=x.dtype.np))


def clamp(x, min=None, max=None):
    """Clamp to [min, max] (either may be None). Gradient 1 inside, inclusive, else 0.

    A bound may be a Tensor (broadcast against ``x``), as in PyTorch: then it is two
    selects, ``where(x < min, min, x)`` and ``where(x > max, max, x)``, so the bound
    gets the gradient where it was taken, ``x`` elsewhere (ties included) and, with
    min > max, the result is max, as PyTorch's."""
    if min is None and max is None:
        raise RuntimeValueError("clamp: at least one of min and max must be given")
    Tensor = _tensor_cls()
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        if not all(v is None or isinstance(v, Tensor) for v in (min, max)):
            raise TypeError(f"clamp: min and max must both be Tensors or both numbers (as in "
                            f"PyTorch), got {type(min).__name__} and {type(max).__name__}")
        out = x
        if min is not None:
            out = where(compare("lt", out, min), min, out)
        if max is not None:
            out = where(compare("gt", out, max), max, out)
        return out
    for name, v in (("min", min), ("max", max)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (Number, np.generic))):
            raise TypeError(f"clamp: {name} must be a number, a Tensor or None, got "
                            f"{type(v).__name__}")
    dtype = x.dtype
    for v in (min, max):
        if v is not None:
            dtype = dt.promote_with_scalar(dtype, dt.scalar_dtype(v))
    return _apply("clamp", cast(x, dtype), geometry=Attrs(min=min, max=max))


def where(condition, input, other):
    """Elements of ``input`` where ``condition`` holds, else of ``other`` (broadcast)."""
    Tensor = _tensor_cls()
    if not isinstance(condition, Tensor) or condition.dtype is not dt.bool_:
        raise TypeError("where: condition must be a bool Tensor")
    _check_operands("where", input, other, require_tensor=False)
    dtype = _result_dtype(input, other) if (isinstance(input, Tensor) or isinstance(other, Tensor)) \
        else dt.promote(dt.scalar_dtype(input), dt.scalar_dtype(other))
    x = as_operand(input, dtype, condition.device)
    y = as_operand(other, dtype, condition.device)
    try:
        np.broadcast_shapes(condition.shape, x.shape, y.shape)
    except ValueError:
        raise RuntimeValueError(f"where: shapes {tuple(condition.shape)}, {tuple(x.shape)} and "
                                f"{tuple(y.shape)} cannot be broadcast together") from None
    return _apply("where", condition, x, y, geometry=NONE)


# --- the plain functions -------------------------------------------------------------

def sin(input):
    """Sine, elementwise; d/dx = cos x. Integer or bool input gives float32 (as torch)."""
    return unary("sin", input)


def cos(input):
    """Cosine, elementwise; d/dx = -sin x."""
    return unary("cos", input)


def tan(input):
    """Tangent, elementwise; d/dx = 1 + tan(x)^2 (computed from the output, as torch)."""
    return unary("tan", input)


def sinh(input):
    """Hyperbolic sine, elementwise; d/dx = cosh x (inf past |x| ~ 710, 89 in float32)."""
    return unary("sinh", input)


def cosh(input):
    """Hyperbolic cosine, elementwise; d/dx = sinh x."""
    return unary("cosh", input)


def silu(input):
    """x * sigmoid(x), elementwise (torch.nn.functional.silu, "swish"), with a sigmoid
    that never overflows; d/dx = s (1 + x (1 - s)), s = sigmoid(x). Float input only
    (NotImplementedError otherwise, as torch)."""
    return unary("silu", input)


def leaky_relu(input, negative_slope: float = 0.01):
    """x where x > 0, else negative_slope * x; gradient 1 or negative_slope (the
    slope at 0, as torch). Float input only."""
    slope = check_number("leaky_relu", "negative_slope", negative_slope)
    return _unary_attrs("leaky_relu", input, negative_slope=slope)


def elu(input, alpha: float = 1.0):
    """x where x > 0, else alpha (e^x - 1) (expm1, accurate near 0); gradient 1, else
    alpha e^x (alpha at 0, as torch). Float input only."""
    return _unary_attrs("elu", input, alpha=check_number("elu", "alpha", alpha))


def gelu(input, approximate: str = "none"):
    """x * Phi(x), Phi the standard normal CDF: ``approximate="none"`` computes
    Phi(x) = (1 + erf(x / sqrt 2)) / 2, ``"tanh"`` PyTorch's approximation
    (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2. Gradient: Phi(x) + x phi(x) (and the
    tanh form's own derivative, PyTorch's formula). Differences from torch: values agree
    to rounding (erf is libm's, in float64, rounded for float32 input); past |x| ~ 1e19
    in float32 torch's tanh-form gradient is NaN (x^2 overflows), here its limit (1 or 0).
    Errors as torch's: ``approximate`` not a str is a TypeError, any other string a
    RuntimeError."""
    if not isinstance(approximate, str):
        raise TypeError(f"gelu(): argument 'approximate' must be str, not "
                        f"{type(approximate).__name__}")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _unary_attrs("gelu", input, approximate=approximate)


def softplus(input, beta: float = 1.0, threshold: float = 20.0):
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (PyTorch's
    linear region); gradient sigmoid(beta x), 1 in the linear region. Computed as
    (max(z, 0) + log1p(e^-|z|)) / beta, z = beta x: no overflow whatever the threshold
    (torch's float32 softplus is inf at beta x > 88 when threshold allows it)."""
    return _unary_attrs("softplus", input, beta=check_number("softplus", "beta", beta),
                        threshold=check_number("softplus", "threshold", threshold))
