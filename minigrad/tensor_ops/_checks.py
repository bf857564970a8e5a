"""Tensor-level argument checks shared by the front ends (tensor_ops and
minigrad.nn.functional)."""
from __future__ import annotations

from .. import tensor as _tensor


def expect_tensor(value, name: str) -> "_tensor.Tensor":
    if not isinstance(value, _tensor.Tensor):
        raise TypeError(f"{name} must be a Tensor, got {type(value).__name__}")
    return value


def expect_float(t: "_tensor.Tensor", name: str) -> None:
    if t._array.dtype.kind != "f":  # float32 or float64: the floating dtypes tensors hold
        raise TypeError(f"{name} must be a floating point tensor (float32 or float64), got {t.dtype}")


def expect_same_dtype(a: "_tensor.Tensor", a_name: str, b: "_tensor.Tensor", b_name: str) -> None:
    if a._array.dtype != b._array.dtype:
        raise TypeError(f"{a_name} ({a.dtype}) and {b_name} ({b.dtype}) must have the same dtype; "
                        f"convert one, e.g. {b_name}.to({a.dtype})")


def expect_ndim(t: "_tensor.Tensor", name: str, allowed: tuple) -> None:
    if t._array.ndim not in allowed:
        dims = " or ".join(f"{n}-D" for n in allowed)
        raise ValueError(f"{name}: expected a {dims} tensor, got shape {tuple(t.shape)}")
