"""Reduction front ends: sum, mean, max, min, argmax, argmin (PyTorch's signatures).
The geometry is an Attrs of the normalised dim, keepdim and (max/min) indices."""
from __future__ import annotations

from collections import namedtuple

from .. import dtype as dt
from .. import tensor as _tensor
# The tape by module: minigrad.tensor imports these files while it is being defined.
from ..autograd import function as _tape
from ..ops._attrs import Attrs
from ..ops.reduce import normalize_dims
from .elementwise import binary, cast

# What torch.max(x, dim) returns.
MaxMin = namedtuple("MaxMin", ["values", "indices"])


def sum(x, dim=None, keepdim: bool = False):
    """Sum over ``dim`` (None: all; int or tuple). Bool and int64 sum to int64."""
    if not x.dtype.is_floating_point and x.dtype is not dt.int64:
        x = cast(x, dt.int64)
    return _tape.apply("sum", x, geometry=Attrs(dim=normalize_dims(dim, x.ndim), keepdim=bool(keepdim)))


def mean(x, dim=None, keepdim: bool = False):
    """Mean over ``dim``; like PyTorch, refused for integer tensors."""
    if not x.dtype.is_floating_point:
        raise TypeError(f"mean: input dtype must be floating point, got {x.dtype}; "
                        "convert it first, e.g. x.float().mean()")
    return _tape.apply("mean", x, geometry=Attrs(dim=normalize_dims(dim, x.ndim), keepdim=bool(keepdim)))


def _extremum(op, x, dim, keepdim):
    Tensor = _tensor.Tensor

    if isinstance(dim, Tensor):  # torch.max(a, b) is the elementwise maximum
        return binary("maximum" if op == "max" else "minimum", x, dim)
    if x._array.size == 0:
        raise RuntimeError(f"{op}: cannot reduce an empty tensor")
    if isinstance(dim, int) and not isinstance(dim, bool):
        g = Attrs(dim=normalize_dims(dim, x.ndim), keepdim=bool(keepdim), indices=True)
        values, indices = _tape.apply(op, x, geometry=g, n_outputs=2)
        return MaxMin(values, indices)
    # No dim or a tuple of dims: the values only, as torch.amax / torch.max(x).
    return _tape.apply(op, x, geometry=Attrs(dim=normalize_dims(dim, x.ndim), keepdim=bool(keepdim),
                                       indices=False))


def max(x, dim=None, keepdim: bool = False):
    """``max(x)``: the largest value; ``max(x, dim)``: (values, indices) along an int dim;
    ``max(x, (d0, d1))``: values over several dims (torch.amax); ``max(x, other)``:
    elementwise maximum. Gradient: to the chosen index with an int dim; shared evenly
    between ties otherwise, as PyTorch."""
    return _extremum("max", x, dim, keepdim)


def min(x, dim=None, keepdim: bool = False):
    """The mirror image of :func:`max`."""
    return _extremum("min", x, dim, keepdim)


def _arg(op, x, dim, keepdim):
    if x._array.size == 0:
        raise RuntimeError(f"{op}: cannot reduce an empty tensor")
    if dim is None:  # over the flattened tensor; keepdim keeps every dim (size 1), as PyTorch
        return _tape.apply(op, x, geometry=Attrs(dim=None, keepdim=bool(keepdim)))
    (d,) = normalize_dims(dim if isinstance(dim, int) else _not_int(op, dim), x.ndim) or (0,)
    return _tape.apply(op, x, geometry=Attrs(dim=d, keepdim=bool(keepdim)))


def _not_int(op, dim):
    raise TypeError(f"{op}: dim must be an int or None, got {dim!r}")


def argmax(x, dim=None, keepdim: bool = False):
    """Index of the largest value (over the flattened tensor when dim is None)."""
    return _arg("argmax", x, dim, keepdim)


def argmin(x, dim=None, keepdim: bool = False):
    """Index of the smallest value (over the flattened tensor when dim is None)."""
    return _arg("argmin", x, dim, keepdim)
