"""The dtypes minigrad knows, and PyTorch's promotion rules between them.

A :class:`DType` wraps a NumPy dtype. Floats default to float32, integers to int64
(class labels), comparisons give bool, as in PyTorch.

The dtypes: ``bool``, ``uint8``, ``int8``, ``int16``, ``int32``, ``int64``, ``float16``,
``float32``, ``float64``. Promotion follows PyTorch's table (``torch.promote_types``):
bool < integers < floats; within a category the wider wins; uint8 with int8 gives
int16 (neither holds the other's range). A Python scalar or a 0-d tensor changes only
the category (int32 tensor + 1 stays int32, int32 tensor * 2.5 is float32).

float16 is stored as float16 on both devices and may require grad. The NumPy kernels
compute in float16 (NumPy's rules: its sums accumulate in float16 where PyTorch
accumulates in float32, so long float16 sums round more); matmul/bmm multiply in
float32 and round back (tensor_ops/linalg.py). Differences from PyTorch: on cuda, casts
and the arithmetic, reduction, indexing and matmul kernels take float16, but some
elementwise kernels (pow, maximum/minimum, abs, sqrt, relu, sigmoid, tanh, clamp,
where), softmax and the float16 -> bool cast do not compile for it yet.
"""
from __future__ import annotations

import numpy as np


class DType:
    """A minigrad dtype: ``minigrad.float32``, ``float64``, ``int64``, ``bool``...

    ``itemsize`` is the bytes per element (``Tensor.element_size()``), ``tensor_type``
    the legacy type name ``Tensor.type()`` gives ("FloatTensor")."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize", "tensor_type",
                 "_category", "_rank")

    def __init__(self, name: str, np_dtype: type, is_floating_point: bool, rank: int,
                 tensor_type: str):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = is_floating_point
        self.is_signed = self.np.kind != "u" and self.np.kind != "b"
        self.itemsize = self.np.itemsize
        self.tensor_type = tensor_type
        # 0 bool, 1 integer, 2 floating: what a Python scalar or a 0-d tensor can raise.
        self._category = 2 if is_floating_point else (0 if self.np.kind == "b" else 1)
        # Position in the promotion order within the categories (uint8 and int8 share
        # a rank: promote() sends the pair to int16).
        self._rank = rank

    def __repr__(self) -> str:
        return f"minigrad.{self.name}"

    def __reduce__(self):  # dtypes are singletons, also through copy/deepcopy
        return (get, (self.name,))


bool_ = DType("bool", np.bool_, False, 0, "BoolTensor")
uint8 = DType("uint8", np.uint8, False, 1, "ByteTensor")
int8 = DType("int8", np.int8, False, 1, "CharTensor")
int16 = DType("int16", np.int16, False, 2, "ShortTensor")
int32 = DType("int32", np.int32, False, 3, "IntTensor")
int64 = DType("int64", np.int64, False, 4, "LongTensor")
float16 = DType("float16", np.float16, True, 5, "HalfTensor")
float32 = DType("float32", np.float32, True, 6, "FloatTensor")
float64 = DType("float64", np.float64, True, 7, "DoubleTensor")

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NAME = {d.name: d for d in ALL}
_BY_NP = {d.np: d for d in ALL}
# The lookup Tensor.dtype makes without a call (the dtypes arrays hold).
BY_NUMPY = _BY_NP
# "FloatTensor" -> float32: what Tensor.type(str) accepts.
BY_TENSOR_TYPE = {d.tensor_type: d for d in ALL}


def get(name: str) -> DType:
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype) -> DType:
    """The minigrad dtype for a NumPy dtype; the unsigned widths minigrad lacks (uint16,
    uint32, uint64) map to int64."""
    np_dtype = np.dtype(np_dtype)
    if np_dtype in _BY_NP:
        return _BY_NP[np_dtype]
    if np_dtype.kind in "iu":
        return int64
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
        raise TypeError(f"dtype: expected a minigrad dtype ({', '.join(d.name for d in ALL)}), "
                        f"got {dtype!r}") from None


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
    """Result dtype of a binary op on two tensors, as ``torch.promote_types``: the wider
    of the two; uint8 with int8 -> int16."""
    if a._rank == b._rank and a is not b:  # uint8 and int8
        return int16
    return a if a._rank >= b._rank else b


# The dtype of Python floats and of float-only creation functions given no dtype
# (torch.set_default_dtype: minigrad.creation.set_default_dtype sets it).
_default_float: "DType | None" = None


def default_float() -> DType:
    return _default_float or float32


def set_default_float(d: DType) -> None:
    global _default_float
    _default_float = d


def promote_with_scalar(t: DType, scalar: DType) -> DType:
    """PyTorch: a Python scalar only changes the category (int tensor * 2.5 -> the
    default float dtype), never the width (float32 tensor * 2.5 stays float32, int32
    tensor + 1 stays int32)."""
    if scalar.is_floating_point and not t.is_floating_point:
        return default_float()
    if scalar._category == 1 and t is bool_:
        return int64
    return t


def promote_with_zero_dim(t: DType, zero_dim: DType) -> DType:
    """PyTorch: a 0-d tensor beside a tensor with dims acts like a Python scalar (it
    never widens float32 to float64) except that, when its category is higher, its own
    dtype wins (int64 tensor + 0-d float64 tensor -> float64)."""
    return zero_dim if zero_dim._category > t._category else t
