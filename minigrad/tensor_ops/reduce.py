"""Reduction front ends: sum, mean, max, min, argmax, argmin (PyTorch's signatures).
The geometry is an Attrs of the normalised dim, keepdim and (max/min) indices.

Each takes ``axis`` and ``keepdims`` (NumPy's names) as aliases of ``dim`` and
``keepdim``, as PyTorch does; giving both names is a TypeError.

Empty tensors, as PyTorch: ``sum`` of nothing is 0 and ``mean`` NaN; max/min/argmax/
argmin along a dim of size 0 raise IndexError ("Expected reduction dim 0 to have
non-zero size."), ``max()``/``min()`` of an empty tensor RuntimeError, and a reduction
along another dim of an empty tensor gives an empty result.
"""
from __future__ import annotations

from collections import namedtuple

from .. import dtype as dt
from .. import tensor as _tensor
# The tape by module: minigrad.tensor imports these files while it is being defined.
from ..autograd import function as _tape
from ..errors import IndexValueError, RuntimeTypeError
from ..ops._attrs import Attrs
from ..ops.reduce import normalize_dims
from ._checks import dim_alias, keepdim_alias
from .elementwise import binary, cast

# What torch.max(x, dim) returns.
MaxMin = namedtuple("MaxMin", ["values", "indices"])


def _aliases(op, dim, keepdim, axis, keepdims):
    return dim_alias(op, dim, axis), bool(keepdim_alias(op, keepdim, keepdims))


def sum(x, dim=None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None):
    """Sum over ``dim`` (None: all; int or tuple). Bool and integer tensors sum to int64,
    as PyTorch; an empty tensor sums to 0. ``dtype``: cast to it first (PyTorch's)."""
    dim, keepdim = _aliases("sum", dim, keepdim, axis, keepdims)
    if dtype is not None:
        x = cast(x, dt.as_dtype(dtype))
    elif not x.dtype.is_floating_point and x.dtype is not dt.int64:
        x = cast(x, dt.int64)
    return _tape.apply("sum", x, geometry=Attrs(dim=normalize_dims(dim, x.ndim), keepdim=keepdim))


def mean(x, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """Mean over ``dim``; NaN over no elements. Refused for integer tensors with
    PyTorch's RuntimeError (also a TypeError, minigrad's type before: minigrad.errors)."""
    dim, keepdim = _aliases("mean", dim, keepdim, axis, keepdims)
    if not x.dtype.is_floating_point:
        raise RuntimeTypeError(f"mean(): could not infer output dtype. Input dtype must be either a "
                        f"floating point or complex dtype. Got: {x.dtype}; convert it first, "
                        "e.g. x.float().mean()")
    return _tape.apply("mean", x, geometry=Attrs(dim=normalize_dims(dim, x.ndim), keepdim=keepdim))


def _check_nonempty(op, x, dims) -> None:
    """PyTorch's errors for a max/min/argmax/argmin over no elements."""
    for d in dims:
        if x.shape[d] == 0:
            raise IndexValueError(f"{op}(): Expected reduction dim {d} to have non-zero size.")


def _extremum(op, x, dim, keepdim):
    Tensor = _tensor.Tensor

    if isinstance(dim, Tensor):  # torch.max(a, b) is the elementwise maximum
        return binary("maximum" if op == "max" else "minimum", x, dim)
    if dim is None and x._array.size == 0:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")
    dims = normalize_dims(dim, x.ndim)
    if isinstance(dim, int) and not isinstance(dim, bool):
        _check_nonempty(op, x, dims)
        g = Attrs(dim=dims, keepdim=keepdim, indices=True)
        values, indices = _tape.apply(op, x, geometry=g, n_outputs=2)
        return MaxMin(values, indices)
    # No dim or a tuple of dims: the values only, as torch.amax / torch.max(x).
    _check_nonempty("amax" if op == "max" else "amin", x, dims)
    return _tape.apply(op, x, geometry=Attrs(dim=dims, keepdim=keepdim, indices=False))


def max(x, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """``max(x)``: the largest value; ``max(x, dim)``: (values, indices) along an int dim;
    ``max(x, (d0, d1))``: values over several dims (torch.amax); ``max(x, other)``:
    elementwise maximum. Gradient: to the chosen index with an int dim; shared evenly
    between ties otherwise, as PyTorch."""
    dim, keepdim = _aliases("max", dim, keepdim, axis, keepdims)
    return _extremum("max", x, dim, keepdim)


def min(x, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """The mirror image of :func:`max`."""
    dim, keepdim = _aliases("min", dim, keepdim, axis, keepdims)
    return _extremum("min", x, dim, keepdim)


def _amax_dims(dim, ndim: int) -> tuple:
    # amax's dim: an int or a tuple; () (the default) is every dim, as PyTorch.
    dims = (dim,) if isinstance(dim, int) and not isinstance(dim, bool) else tuple(dim)
    return dims or tuple(range(ndim))


def amax(x, dim=(), keepdim: bool = False):
    """The largest values over ``dim`` (an int or a tuple; () is every dim), as
    ``torch.amax``: values only, the gradient shared evenly between ties."""
    return _extremum("max", x, _amax_dims(dim, x.ndim), keepdim)


def amin(x, dim=(), keepdim: bool = False):
    """The mirror image of :func:`amax` (``torch.amin``)."""
    return _extremum("min", x, _amax_dims(dim, x.ndim), keepdim)


def _arg(op, x, dim, keepdim):
    if dim is None:  # over the flattened tensor; keepdim keeps every dim (size 1), as PyTorch
        if x._array.size == 0:
            raise IndexValueError(f"{op}(): Expected reduction dim to be specified for "
                                  "input.numel() == 0.")
        return _tape.apply(op, x, geometry=Attrs(dim=None, keepdim=keepdim))
    dims = normalize_dims(dim if isinstance(dim, int) else _not_int(op, dim), x.ndim)
    _check_nonempty(op, x, dims)
    (d,) = dims or (0,)
    return _tape.apply(op, x, geometry=Attrs(dim=d, keepdim=keepdim))


def _not_int(op, dim):
    raise TypeError(f"{op}: dim must be an int or None, got {dim!r}")


def argmax(x, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """Index of the largest value (over the flattened tensor when dim is None)."""
    dim, keepdim = _aliases("argmax", dim, keepdim, axis, keepdims)
    return _arg("argmax", x, dim, keepdim)


def argmin(x, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """Index of the smallest value (over the flattened tensor when dim is None)."""
    dim, keepdim = _aliases("argmin", dim, keepdim, axis, keepdims)
    return _arg("argmin", x, dim, keepdim)
