"""Tensor-level argument checks shared by the front ends (tensor_ops and
minigrad.nn.functional)."""
from __future__ import annotations

from .. import tensor as _tensor
from ..errors import RuntimeTypeError, RuntimeValueError


def expect_tensor(value, name: str) -> "_tensor.Tensor":
    if not isinstance(value, _tensor.Tensor):
        raise TypeError(f"{name} must be a Tensor, got {type(value).__name__}")
    return value


def expect_float(t: "_tensor.Tensor", name: str, half: bool = False) -> None:
    """``t`` is float32 or float64, or also float16 where the op computes it (``half``:
    the front end upcasts). The CNN ops' Numba kernels have no half precision: float16 is
    a storage dtype there, refused here rather than failing inside a kernel."""
    if t._array.dtype.kind != "f":
        allowed = "float16, float32 or float64" if half else "float32 or float64"
        raise TypeError(f"{name} must be a floating point tensor ({allowed}), got {t.dtype}")
    if not half and t._array.dtype.itemsize == 2:
        raise TypeError(f"{name}: float16 tensors are stored but not computed by this op "
                        f"(its kernels are float32 and float64); cast first, e.g. {name}.float()")


def expect_same_dtype(a: "_tensor.Tensor", a_name: str, b: "_tensor.Tensor", b_name: str) -> None:
    # PyTorch's RuntimeError, also the TypeError minigrad raised before (minigrad.errors).
    if a._array.dtype != b._array.dtype:
        raise RuntimeTypeError(f"{a_name} ({a.dtype}) and {b_name} ({b.dtype}) must have the same dtype; "
                        f"convert one, e.g. {b_name}.to({a.dtype})")


def expect_ndim(t: "_tensor.Tensor", name: str, allowed: tuple) -> None:
    if t._array.ndim not in allowed:
        dims = " or ".join(f"{n}-D" for n in allowed)
        # PyTorch's RuntimeError, also the ValueError minigrad raised before.
        raise RuntimeValueError(f"{name}: expected a {dims} tensor, got shape {tuple(t.shape)}")


def dim_alias(op: str, dim, axis, default=None):
    """``dim``, or ``axis`` (NumPy's name, which PyTorch accepts too) when that is given;
    TypeError when both are (a ``dim`` equal to its ``default`` is not told from it)."""
    if axis is None:
        return dim
    if dim is not default:
        raise TypeError(f"{op}(): got both dim and axis, which are the same argument "
                        "(axis is NumPy's name for it); give one")
    return axis


def keepdim_alias(op: str, keepdim, keepdims):
    """``keepdim``, or ``keepdims`` (NumPy's name) when that is given; TypeError when
    both are (a ``keepdim=False`` beside ``keepdims`` is not told from the default)."""
    if keepdims is None:
        return keepdim
    if keepdim:
        raise TypeError(f"{op}(): got both keepdim and keepdims, which are the same argument "
                        "(keepdims is NumPy's name for it); give one")
    return keepdims
