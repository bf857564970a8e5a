"""Elementwise front ends: PyTorch's type promotion, then the registry's kernels. The
geometry is ``NONE`` but for clamp's bounds and cast's dtype (ops/elementwise)."""
from __future__ import annotations

from numbers import Number

import numpy as np

from .. import arrays
from .. import dtype as dt
from .. import tensor as _tensor
# The tape by module: minigrad.tensor imports these files while it is being defined.
from ..autograd import function as _tape
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
        raise ValueError("pow: integers to negative integer powers are not allowed; "
                         "make the base or the exponent a float")
    return _tape.apply(op, x, y, geometry=NONE)


def _check_broadcast(op, s1, s2) -> None:
    try:
        np.broadcast_shapes(s1, s2)
    except ValueError:
        raise ValueError(f"{op}: shapes {tuple(s1)} and {tuple(s2)} cannot be broadcast together") from None


def compare(op: str, a, b):
    Tensor = _tensor_cls()
    _check_operands(op, a, b)
    dtype = _result_dtype(a, b)
    device = a.device if isinstance(a, Tensor) else b.device
    x, y = as_operand(a, dtype, device), as_operand(b, dtype, device)
    _check_broadcast(op, x.shape, y.shape)
    return _tape.apply(op, x, y, geometry=NONE)


_FLOAT_ONLY = {"exp", "log", "sqrt", "sigmoid", "tanh"}


def unary(op: str, x):
    Tensor = _tensor_cls()
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    if op in _FLOAT_ONLY and not x.dtype.is_floating_point:
        x = cast(x, dt.float32)  # as torch.exp(int tensor) -> float32
    if op in ("neg", "abs") and x.dtype is dt.bool_:
        raise RuntimeError(f"{op}: not supported on a bool tensor (as in PyTorch); to invert "
                           "a mask use the `~` operator or logical_not() instead")
    return _tape.apply(op, x, geometry=NONE)


def cast(x, dtype: dt.DType):
    """``x`` converted to ``dtype``; differentiable between float dtypes."""
    if x.dtype is dtype:
        return x
    return _tape.apply("cast", x, geometry=Attrs(dtype=dtype.np))


def clone(x):
    """A copy of ``x`` in a new array, differentiable (gradient 1): the cast kernel to
    ``x``'s own dtype, which always writes a new array (PyTorch's ``clone``; the node
    is named CastBackward, not CloneBackward0)."""
    return _tape.apply("cast", x, geometry=Attrs(dtype=x.dtype.np))


def clamp(x, min=None, max=None):
    """Clamp to [min, max] (either may be None). Gradient 1 inside, inclusive, else 0."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    for name, v in (("min", min), ("max", max)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (Number, np.generic))):
            raise TypeError(f"clamp: {name} must be a number or None, got {type(v).__name__}")
    dtype = x.dtype
    for v in (min, max):
        if v is not None:
            dtype = dt.promote_with_scalar(dtype, dt.scalar_dtype(v))
    return _tape.apply("clamp", cast(x, dtype), geometry=Attrs(min=min, max=max))


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
        raise ValueError(f"where: shapes {condition.shape}, {x.shape} and {y.shape} cannot be "
                         "broadcast together") from None
    return _tape.apply("where", condition, x, y, geometry=NONE)
