"""Creating tensors: tensor, from_numpy, zeros, ones, full, empty, arange, rand, randn
and the ``*_like`` forms. PyTorch's signatures and dtype inference."""
from __future__ import annotations

from numbers import Number

import numpy as np

from . import dtype as dt
from .arrays import move, to_host
from .device import device as as_device
from .random import generator
from .tensor import Tensor


def _finish(array: np.ndarray, requires_grad: bool, device) -> Tensor:
    # Made on the host (NumPy's generator draws the same numbers for either device),
    # then copied once to the GPU when that is where it goes.
    t = Tensor._wrap(move(array, as_device(device)))
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A new tensor holding a copy of ``data`` (a Python number, nested lists, a NumPy
    array or a Tensor) on ``device`` ("cpu" by default; a Tensor's own device).

    dtype: inferred when None, as PyTorch: Python floats -> float32, Python ints ->
    int64, bools -> bool; a NumPy array or scalar keeps its dtype (float64 stays
    float64, other integer widths become int64).
    """
    dtype = dt.as_dtype(dtype)
    if isinstance(data, Tensor):
        array = np.array(to_host(data._array), copy=True)
        device = data.device if device is None else device
    elif isinstance(data, (np.ndarray, np.generic)):
        # NumPy scalars keep their dtype too (torch.tensor(np.float64(1)) is float64).
        array = np.array(data, copy=True)
    else:
        if isinstance(data, str) or data is None:
            raise TypeError(f"data: expected a number, a (nested) list or an array, got {type(data).__name__}")
        try:
            array = np.array(data)
        except ValueError as e:
            raise ValueError(f"data: could not make a tensor of it ({e})") from None
        if array.dtype == object:
            raise ValueError("data: nested sequences must be rectangular and hold numbers")
        if array.dtype.kind == "f" and dtype is None:
            # Python floats default to float32; with an explicit dtype, convert once
            # (rounding through float32 first would lose float64 precision).
            array = array.astype(np.float32)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"data: unsupported element type {array.dtype}")
    target = dtype or dt.from_numpy_dtype(array.dtype)
    # Not np.ascontiguousarray: it turns 0-d arrays into 1-d ones.
    array = np.asarray(array, dtype=target.np, order="C")
    return _finish(array, requires_grad, device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (float32/float64/int64/bool only)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    if array.dtype not in (np.float32, np.float64, np.int64, np.bool_):
        raise TypeError(f"from_numpy: unsupported dtype {array.dtype}; expected float32, "
                        "float64, int64 or bool (use minigrad.tensor to convert)")
    return Tensor._wrap(array)


def _size(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"size: expected non-negative ints, got {size!r}")
    return tuple(int(s) for s in size)


def _float_dtype(dtype) -> dt.DType:
    return dt.as_dtype(dtype) or dt.float32


def _random_dtype(fn: str, dtype) -> dt.DType:
    """rand/randn sample floats only; PyTorch refuses integer dtypes too."""
    dtype = _float_dtype(dtype)
    if not dtype.is_floating_point:
        raise TypeError(f"{fn}: dtype must be floating point (float32 or float64), got {dtype}")
    return dtype


def zeros(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return _finish(np.zeros(_size(size), dtype=_float_dtype(dtype).np), requires_grad, device)


def ones(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return _finish(np.ones(_size(size), dtype=_float_dtype(dtype).np), requires_grad, device)


def empty(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return _finish(np.empty(_size(size), dtype=_float_dtype(dtype).np), requires_grad, device)


def full(size, fill_value, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A tensor filled with ``fill_value``; dtype inferred from it when None."""
    if not isinstance(fill_value, (Number, np.generic)) or isinstance(fill_value, complex):
        raise TypeError(f"fill_value: expected a real number, got {type(fill_value).__name__}")
    dtype = dt.as_dtype(dtype) or dt.scalar_dtype(fill_value)
    size = _size((size,) if isinstance(size, (tuple, list)) else (size,))
    return _finish(np.full(size, fill_value, dtype=dtype.np), requires_grad, device)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Values from ``start`` (default 0) up to ``end`` (excluded) by ``step``; int64
    when all are ints, else float32."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("step: must be non-zero")
    inferred = dt.int64 if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                               for v in (start, end, step)) else dt.float32
    dtype = dt.as_dtype(dtype) or inferred
    return _finish(np.arange(start, end, step).astype(dtype.np), requires_grad, device)


def rand(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Uniform on [0, 1), from minigrad's generator (see manual_seed)."""
    dtype = _random_dtype("rand", dtype)
    return _finish(generator().random(_size(size)).astype(dtype.np), requires_grad, device)


def randn(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Standard normal, from minigrad's generator (see manual_seed)."""
    dtype = _random_dtype("randn", dtype)
    return _finish(generator().standard_normal(_size(size)).astype(dtype.np), requires_grad, device)


def _like(fn):
    def like(input: Tensor, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
        return fn(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad,
                  device=input.device if device is None else device)
    like.__name__ = fn.__name__ + "_like"
    like.__doc__ = f"{fn.__name__} with the shape (and, unless given, dtype) of ``input``."
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
rand_like = _like(rand)
randn_like = _like(randn)


def full_like(input: Tensor, fill_value, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    return full(input.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad,
                device=input.device if device is None else device)


def randint(low, high=None, size=None, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Integers uniform on [low, high) (``randint(high, size)`` means low=0), int64 by
    default, from minigrad's generator. As torch.randint, ``size`` is a tuple."""
    if size is None:
        if not isinstance(high, (tuple, list)):
            raise TypeError("randint: size must be given as a tuple, e.g. randint(0, 10, (4,))")
        low, high, size = 0, low, high
    elif high is None:
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    dtype = dt.as_dtype(dtype) or dt.int64
    values = generator().integers(low, high, size=_size(tuple(size)))
    return _finish(values.astype(dtype.np), requires_grad, device)
