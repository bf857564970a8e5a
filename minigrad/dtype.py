"""The dtypes minigrad knows, and PyTorch's promotion rules between them.

A :class:`DType` wraps a NumPy dtype. Floats default to float32, integers to int64
(class labels), comparisons give bool, as in PyTorch.
"""
from __future__ import annotations

import numpy as np


class DType:
    """A minigrad dtype: ``minigrad.float32``, ``float64``, ``int64`` or ``bool``."""

    __slots__ = ("name", "np", "is_floating_point", "_rank")

    def __init__(self, name: str, np_dtype: type, is_floating_point: bool, rank: int):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = is_floating_point
        # Position in the promotion order bool < int64 < float32 < float64.
        self._rank = rank

    def __repr__(self) -> str:
        return f"minigrad.{self.name}"

    def __reduce__(self):  # dtypes are singletons, also through copy/deepcopy
        return (get, (self.name,))


bool_ = DType("bool", np.bool_, False, 0)
int64 = DType("int64", np.int64, False, 1)
float32 = DType("float32", np.float32, True, 2)
float64 = DType("float64", np.float64, True, 3)

_BY_NAME = {d.name: d for d in (bool_, int64, float32, float64)}
_BY_NP = {d.np: d for d in (bool_, int64, float32, float64)}
# The lookup Tensor.dtype makes without a call (the four dtypes arrays hold).
BY_NUMPY = _BY_NP


def get(name: str) -> DType:
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype) -> DType:
    """The minigrad dtype for a NumPy dtype; other integer widths map to int64 and
    float16 to float32 (minigrad has no half precision)."""
    np_dtype = np.dtype(np_dtype)
    if np_dtype in _BY_NP:
        return _BY_NP[np_dtype]
    if np_dtype.kind in "iu":
        return int64
    if np_dtype.kind == "f" and np_dtype.itemsize <= 4:
        return float32
    raise TypeError(f"dtype: NumPy dtype {np_dtype} is not supported; "
                    "expected a float, integer or bool array")


def as_dtype(dtype) -> DType | None:
    """Accept a DType, a NumPy dtype/type, a name like "float32", or None."""
    if dtype is None or isinstance(dtype, DType):
        return dtype
    if isinstance(dtype, str) and dtype in _BY_NAME:
        return _BY_NAME[dtype]
    if dtype is bool:
        return bool_
    if dtype is int:
        return int64
    if dtype is float:
        return float32
    try:
        return from_numpy_dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype: expected minigrad.float32, float64, int64 or bool, got {dtype!r}") from None


def scalar_dtype(value) -> DType:
    """The category of a Python scalar: bool, int64 or float32 (PyTorch's defaults)."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, (float, np.floating)):
        return float32
    raise TypeError(f"expected a Tensor or a Python number, got {type(value).__name__}")


def promote(a: DType, b: DType) -> DType:
    """Result dtype of a binary op on two tensors (the wider of the two)."""
    return a if a._rank >= b._rank else b


def promote_with_scalar(t: DType, scalar: DType) -> DType:
    """PyTorch: a Python scalar only changes the category (int tensor * 2.5 -> float32),
    never the width (float32 tensor * 2.5 stays float32)."""
    if scalar.is_floating_point and not t.is_floating_point:
        return float32
    if scalar is int64 and t is bool_:
        return int64
    return t


def _category(d: DType) -> int:
    return 2 if d.is_floating_point else (1 if d is int64 else 0)


def promote_with_zero_dim(t: DType, zero_dim: DType) -> DType:
    """PyTorch: a 0-d tensor beside a tensor with dims acts like a Python scalar (it
    never widens float32 to float64) except that, when its category is higher, its own
    dtype wins (int64 tensor + 0-d float64 tensor -> float64)."""
    return zero_dim if _category(zero_dim) > _category(t) else t
