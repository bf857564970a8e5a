"""Tensor-level argument checks shared by the functional front ends."""
from __future__ import annotations

from ...tensor import Tensor


def expect_tensor(value, name: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be a Tensor, got {type(value).__name__}")
    return value


def expect_float(t: Tensor, name: str) -> None:
    if not t.dtype.is_floating_point:
        raise TypeError(f"{name} must be a floating point tensor (float32 or float64), got {t.dtype}")


def expect_same_dtype(a: Tensor, a_name: str, b: Tensor, b_name: str) -> None:
    if a.dtype is not b.dtype:
        raise TypeError(f"{a_name} ({a.dtype}) and {b_name} ({b.dtype}) must have the same dtype; "
                        f"convert one, e.g. {b_name}.to({a.dtype})")


def expect_ndim(t: Tensor, name: str, allowed: tuple) -> None:
    if t.ndim not in allowed:
        dims = " or ".join(f"{n}-D" for n in allowed)
        raise ValueError(f"{name}: expected a {dims} tensor, got shape {tuple(t.shape)}")
