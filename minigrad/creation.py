"""Creating tensors: tensor, from_numpy, zeros, ones, full, empty, arange, linspace,
logspace, eye, rand, randn, randint, normal, the ``*_like`` forms and meshgrid.
PyTorch's signatures and dtype inference.

Two process-wide defaults, as PyTorch's: the device (``minigrad.set_default_device``,
kept in minigrad/device.py) that every function here uses when given no ``device=``
(``from_numpy`` and the ``*_like`` forms excepted, as in PyTorch: they keep their
input's), and the float dtype (:func:`set_default_dtype`) that Python floats and the
float-only functions (zeros, rand, linspace...) get when given no ``dtype=``.
"""
from __future__ import annotations

import warnings
from numbers import Number

import numpy as np

from . import dtype as dt
from .arrays import move, to_host
from .autograd import no_grad
from .device import device_or_default
from .random import generator
from .tensor import Tensor

# The default float dtype (torch.get_default_dtype) lives in dtype.py: Python floats,
# the float-only creation functions, the scalar promotion (int tensor * 2.5), the legacy
# Tensor(...) constructor and the layers' parameters all read it there.
def set_default_dtype(d) -> None:
    """Make ``d`` (``minigrad.float32`` or ``float64``) the dtype of Python floats and
    of the float-only creation functions given no ``dtype=``, as
    ``torch.set_default_dtype``. Other dtypes: TypeError (PyTorch also takes float16
    and bfloat16)."""
    try:
        dtype = dt.as_dtype(d)
    except TypeError:
        dtype = None
    if dtype is None or not dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    dt.set_default_float(dtype)


def get_default_dtype() -> dt.DType:
    """The default float dtype (``minigrad.float32`` unless set_default_dtype changed it)."""
    return dt.default_float()


def _finish(array: np.ndarray, requires_grad: bool, device) -> Tensor:
    # Made on the host (NumPy's generator draws the same numbers for either device),
    # then copied once to the GPU when that is where it goes.
    t = Tensor._wrap(move(array, device_or_default(device)))
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A new tensor holding a copy of ``data`` (a Python number, nested lists, a NumPy
    array or a Tensor) on ``device`` (the default device, "cpu" unless
    set_default_device changed it; a Tensor's own device).

    dtype: inferred when None, as PyTorch: Python floats -> the default float dtype
    (float32, see set_default_dtype), Python ints -> int64, bools -> bool; a NumPy
    array or scalar keeps its dtype (float64 stays float64, other integer widths
    become int64).
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
            # Python floats get the default dtype (float32); with an explicit dtype,
            # convert once (rounding through float32 first would lose float64 precision).
            array = array.astype(dt.default_float().np)
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
    return dt.as_dtype(dtype) or dt.default_float()


def _scalar_dtype(value) -> dt.DType:
    """The dtype PyTorch infers for a Python scalar: bool, int64 or the default float."""
    inferred = dt.scalar_dtype(value)
    return dt.default_float() if inferred.is_floating_point else inferred


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
    dtype = dt.as_dtype(dtype) or _scalar_dtype(fill_value)
    size = _size((size,) if isinstance(size, (tuple, list)) else (size,))
    return _finish(np.full(size, fill_value, dtype=dtype.np), requires_grad, device)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Values from ``start`` (default 0) up to ``end`` (excluded) by ``step``; int64
    when all are ints, else the default float dtype (float32)."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("step: must be non-zero")
    inferred = dt.int64 if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                               for v in (start, end, step)) else dt.default_float()
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


# ---- ranges and grids ---------------------------------------------------------------


def _number(value, name: str, fn: str):
    """A Python number from a real number or a one-element Tensor (PyTorch accepts
    0-d tensors as linspace's start/end)."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise RuntimeError(f"{fn}(): {name} must be a 0-dimensional tensor, got one of "
                               f"shape {tuple(value.shape)}")
        return value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Number, np.generic)) \
            or isinstance(value, complex):
        raise TypeError(f"{fn}(): {name} must be a real number or a 0-d Tensor, got "
                        f"{type(value).__name__}")
    return value


def _steps(steps, fn: str) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise TypeError(f"{fn}(): steps must be an int, got {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return int(steps)


def _symmetric_ramp(start, end, steps: int, np_dtype) -> np.ndarray:
    """PyTorch's linspace arithmetic, in ``np_dtype``: the first half counts up from
    ``start``, the second half down from ``end`` (so both ends are exact and the
    rounding is symmetric), with ``step = (end - start) / (steps - 1)``."""
    if steps <= 1:
        return np.full(steps, start, dtype=np_dtype)
    f = np_dtype.type
    s, e = f(start), f(end)
    step = (e - s) / f(steps - 1)
    half = steps // 2
    up = s + step * np.arange(half, dtype=np_dtype)
    down = e - step * np.arange(steps - 1 - half, -1, -1, dtype=np_dtype)
    return np.concatenate([up, down])


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``steps`` values evenly spaced from ``start`` to ``end`` (both included), as
    torch.linspace: ``start + i * (end - start) / (steps - 1)``.

    start, end: numbers or 0-d tensors; steps: an int >= 0 (0: empty, 1: ``[start]``).
    dtype: the default float dtype when None (even for int ends, as PyTorch). Floats
    are computed in that dtype with PyTorch's formula (first half up from start,
    second half down from end); for integer dtypes the ends are truncated to ints,
    the steps taken in float64 and the values truncated, as PyTorch does. PyTorch's
    vectorised CPU kernel can round a value 1 ulp (of the ends' magnitude)
    differently from its own scalar formula, which is the one used here.
    """
    start, end = _number(start, "start", "linspace"), _number(end, "end", "linspace")
    steps = _steps(steps, "linspace")
    dtype = _float_dtype(dtype)
    if dtype.is_floating_point:
        values = _symmetric_ramp(start, end, steps, dtype.np)
    else:  # the ends are converted to the integer dtype first (toward zero), as PyTorch
        values = _symmetric_ramp(float(int(start)), float(int(end)), steps, np.dtype(np.float64))
        values = np.trunc(values).astype(dtype.np)
    return _finish(values, requires_grad, device)


def logspace(start, end, steps, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``, as torch.logspace (base 10 by default).
    The exponents use linspace's symmetric formula in float64 and the powers are
    rounded once to ``dtype`` (the default float dtype when None)."""
    start, end = _number(start, "start", "logspace"), _number(end, "end", "logspace")
    steps = _steps(steps, "logspace")
    base = _number(base, "base", "logspace")
    dtype = _float_dtype(dtype)
    exponents = _symmetric_ramp(float(start), float(end), steps, np.dtype(np.float64))
    with np.errstate(over="ignore"):  # base ** big is inf, as in PyTorch
        values = np.power(float(base), exponents)
    if not dtype.is_floating_point:
        values = np.trunc(values)
    return _finish(values.astype(dtype.np), requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """The (n, m) identity matrix (m = n when None): ones on the diagonal, as
    torch.eye; the default float dtype when ``dtype`` is None."""
    for name, v in (("n", n), ("m", m)):
        if v is None and name == "m":
            continue
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"eye(): {name} must be an int, got {type(v).__name__}")
        if v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    return _finish(np.eye(int(n), None if m is None else int(m), dtype=_float_dtype(dtype).np),
                   requires_grad, device)


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Coordinate grids from N 0-d or 1-d tensors, as torch.meshgrid.

    With sizes s0, ..., s(N-1): ``indexing="ij"`` gives N tensors of shape
    (s0, ..., s(N-1)), the i-th varying along dim i; ``"xy"`` (NumPy's default, for
    Cartesian x/y) swaps the first two dims, giving (s1, s0, s2, ...). Each output is
    its input reshaped and expanded (no copy; gradients flow back to the inputs).
    Without ``indexing``: "ij" and a UserWarning, as PyTorch (which will require it).
    The tensors may also be given as one list or tuple.
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass "
                      "the indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f'received: {indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"meshgrid(): expected Tensors, got {type(t).__name__}")
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got a tensor of shape {tuple(t.shape)}")
    if any(t.dtype is not tensors[0].dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if any(t.device != tensors[0].device for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same device")
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        axes[0], axes[1] = 1, 0  # input 0 varies along dim 1, input 1 along dim 0
    shape = [0] * len(tensors)
    for t, axis in zip(tensors, axes):
        shape[axis] = t.numel()
    grids = []
    for t, axis in zip(tensors, axes):
        view = [1] * len(tensors)
        view[axis] = t.numel()
        grids.append(t.reshape(*view).expand(*shape))
    return tuple(grids)


# ---- sampling -------------------------------------------------------------------------


def _rng(generator_arg) -> np.random.Generator:
    """The NumPy generator to draw from: minigrad's global one for None (see
    manual_seed), or a ``numpy.random.Generator`` the caller passes."""
    if generator_arg is None:
        return generator()
    if isinstance(generator_arg, np.random.Generator):
        return generator_arg
    raise TypeError(f"generator: expected None or a numpy.random.Generator, got "
                    f"{type(generator_arg).__name__} (minigrad has no Generator class)")


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Samples of N(mean, std**2), as torch.normal's four forms:

    - ``normal(mean: Tensor, std: Tensor)``: shape of mean and std broadcast together;
    - ``normal(mean: Tensor, std: float = 1.0)`` / ``normal(mean: float, std: Tensor)``:
      the tensor's shape;
    - ``normal(mean: float, std: float, size)``: shape ``size``, with ``dtype`` (the
      default float dtype when None), ``device`` and ``requires_grad``.

    Computed as ``mean + std * z`` with z standard normal from ``generator`` (None:
    minigrad's global generator; or a numpy.random.Generator), on the tensors' device.
    std must be >= 0 (RuntimeError, as PyTorch). Difference from PyTorch: the result of
    the tensor forms has no history (PyTorch records a node whose gradient is zero).
    """
    rng = _rng(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        if size is not None or dtype is not None or requires_grad:
            raise TypeError("normal(): size, dtype and requires_grad are only accepted "
                            "with a float mean and std")
        tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
        for t in tensors:
            if not t.dtype.is_floating_point:
                raise RuntimeError(f"normal expects floating point tensors, got {t.dtype}")
        if len(tensors) == 2 and mean.device != std.device:
            raise RuntimeError(f"normal: expected mean and std on the same device, got "
                               f"{mean.device} and {std.device}")
        if isinstance(std, Tensor):
            if std.numel() and float(std.min().item()) < 0:
                raise RuntimeError("normal expects all elements of std >= 0.0")
        else:
            std = _number(std, "std", "normal")
            if std < 0:
                raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        shape = np.broadcast_shapes(*(tuple(t.shape) for t in tensors))
        out_dtype = tensors[0].dtype if len(tensors) == 1 else dt.promote(mean.dtype, std.dtype)
        z = _finish(rng.standard_normal(shape).astype(out_dtype.np), False, tensors[0].device)
        with no_grad():
            return z * std + mean
    mean, std = _number(mean, "mean", "normal"), _number(std, "std", "normal")
    if size is None:
        raise TypeError("normal(): with a float mean and std, size is required, e.g. "
                        "normal(0.0, 1.0, size=(2, 3))")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dtype = _random_dtype("normal", dtype)
    size = _size((size,) if isinstance(size, (tuple, list)) else (size,))
    values = rng.normal(float(mean), float(std), size).astype(dtype.np)
    return _finish(values, requires_grad, device)
