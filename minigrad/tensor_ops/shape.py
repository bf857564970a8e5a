"""Shape front ends: reshape/view, flatten, transpose, permute, squeeze, unsqueeze,
expand, cat, stack and indexing. The geometry is an Attrs of the normalised attribute
(ops/shape)."""
from __future__ import annotations

import functools
import weakref
from typing import Sequence

import numpy as np

from ..arrays import to_host

from .. import dtype as dt
from .. import tensor as _tensor
# The tape by module: minigrad.tensor imports these files while it is being defined.
from ..autograd import function as _tape
from ..autograd import version
from ..ops._attrs import Attrs
from ..ops.shape import infer_shape, normalize_dim
from .elementwise import cast

# On cuda every array is C-contiguous, so permute, expand and indexing make copies where
# PyTorch (and NumPy on the CPU) give views of the same storage: a write into such a copy
# would never reach the tensor it came from. The in-place ops refuse them
# (tensor_ops/inplace.py). id -> tensor, the entry gone with the tensor.
_CUDA_COPIES: "weakref.WeakValueDictionary[int, object]" = weakref.WeakValueDictionary()


def _view_of(x, out, copied_on_cuda: bool = True):
    """``out``, made from ``x`` by a view op: sharing ``x``'s version counter where it
    shares its storage (autograd/version.py), marked as a copy on cuda where the op copies
    (every op here but reshape)."""
    if out is x:
        return out
    if not out.is_cuda:
        if np.may_share_memory(out._array, x._array):
            version.share(out, x)
    elif copied_on_cuda:
        _CUDA_COPIES[id(out)] = out
    else:
        version.share(out, x)
    return out


def is_cuda_copy(t) -> bool:
    """Whether ``t`` is a cuda copy made where PyTorch would give a view (see above)."""
    return _CUDA_COPIES.get(id(t)) is t


def _sizes(args) -> tuple:
    """Accept f(2, 3) and f((2, 3)) alike, as PyTorch."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def reshape(x, *shape):
    """The same data in another shape; one dim may be -1. (PyTorch's view also requires
    compatible strides; minigrad's view is reshape, which copies only when it must.)"""
    shape = infer_shape(_sizes(shape), x._array.size)
    if shape == x.shape:
        return x
    return _view_of(x, _tape.apply("reshape", x, geometry=Attrs(shape=shape)),
                    copied_on_cuda=False)


def flatten(x, start_dim: int = 0, end_dim: int = -1):
    """Merge dims start_dim..end_dim (inclusive) into one."""
    if x.ndim == 0:
        return reshape(x, 1)
    s = normalize_dim(start_dim, x.ndim, "start_dim")
    e = normalize_dim(end_dim, x.ndim, "end_dim")
    if s > e:
        raise ValueError(f"flatten: start_dim ({start_dim}) must not come after end_dim ({end_dim})")
    return reshape(x, x.shape[:s] + (-1 if 0 not in x.shape[s:e + 1] else 0,) + x.shape[e + 1:])


def permute(x, *dims):
    dims = _sizes(dims)
    if len(dims) != x.ndim:
        raise ValueError(f"permute: dims {dims} must name each of the {x.ndim} dims once")
    norm = tuple(normalize_dim(d, x.ndim, "dims") for d in dims)
    if sorted(norm) != list(range(x.ndim)):
        raise ValueError(f"permute: dims {dims} must name each of the {x.ndim} dims once")
    return _view_of(x, _tape.apply("permute", x, geometry=Attrs(dims=norm)))


def transpose(x, dim0: int, dim1: int):
    """Swap two dims."""
    if x.ndim == 0:
        normalize_dim(dim0, 0, "dim0"), normalize_dim(dim1, 0, "dim1")
        return x
    d0, d1 = normalize_dim(dim0, x.ndim, "dim0"), normalize_dim(dim1, x.ndim, "dim1")
    dims = list(range(x.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return _view_of(x, _tape.apply("permute", x, geometry=Attrs(dims=tuple(dims))))


def squeeze(x, dim=None):
    """Remove size-1 dims (all of them, or those in ``dim`` that have size 1)."""
    if dim is None:
        dims = [i for i, n in enumerate(x.shape) if n == 1]
    else:
        ds = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = [normalize_dim(d, x.ndim) for d in ds]
        dims = [d for d in dims if x.ndim and x.shape[d] == 1]
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in dims))


def unsqueeze(x, dim: int):
    """Insert a size-1 dim at ``dim`` (in [-ndim-1, ndim])."""
    d = normalize_dim(dim, x.ndim + 1)
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def expand(x, *sizes):
    """Broadcast to ``sizes`` without copying; -1 keeps a dim's size."""
    sizes = _sizes(sizes)
    if len(sizes) < x.ndim:
        raise ValueError(f"expand: the number of sizes ({len(sizes)}) must be at least the "
                         f"number of dims ({x.ndim})")
    lead = len(sizes) - x.ndim
    shape = []
    for i, s in enumerate(sizes):
        own = x.shape[i - lead] if i >= lead else None
        if s == -1:
            if own is None:
                raise ValueError("expand: -1 is not allowed for a new leading dim")
            s = own
        elif isinstance(s, bool) or not isinstance(s, int) or s < 0:
            raise ValueError(f"expand: sizes must be non-negative ints or -1, got {sizes}")
        if own is not None and own != 1 and own != s:
            raise ValueError(f"expand: the size of dim {i - lead} ({own}) must match {s} or be 1")
        shape.append(s)
    shape = tuple(shape)
    if shape == x.shape:
        return x
    return _view_of(x, _tape.apply("expand", x, geometry=Attrs(shape=shape)))


def _check_seq(name, tensors) -> list:
    Tensor = _tensor.Tensor

    if isinstance(tensors, Tensor) or not isinstance(tensors, Sequence) or not tensors:
        raise TypeError(f"{name}: expected a non-empty list or tuple of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}: element {i} is a {type(t).__name__}, expected a Tensor")
    # Mixed dtypes promote, as torch.cat/stack do (float32 + float64 -> float64).
    dtype = functools.reduce(dt.promote, (t.dtype for t in tensors))
    return [cast(t, dtype) for t in tensors]


def cat(tensors, dim: int = 0):
    """Join tensors along an existing dim; all other dims must match. Mixed dtypes
    promote, as torch.cat."""
    tensors = _check_seq("cat", tensors)
    first = tensors[0]
    if first.ndim == 0:
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated")
    d = normalize_dim(dim, first.ndim)
    for i, t in enumerate(tensors):
        if t.ndim != first.ndim or any(a != b for j, (a, b) in enumerate(zip(t.shape, first.shape))
                                      if j != d):
            raise ValueError(f"cat: tensor {i} has shape {t.shape}, expected {first.shape} "
                             f"except in dim {d}")
    return _tape.apply("cat", *tensors, geometry=Attrs(dim=d))


def stack(tensors, dim: int = 0):
    """Join same-shaped tensors along a new dim."""
    tensors = _check_seq("stack", tensors)
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise ValueError(f"stack: expects each tensor to be equal size, but got "
                             f"{tensors[0].shape} at entry 0 and {t.shape} at entry {i}")
    d = normalize_dim(dim, tensors[0].ndim + 1)
    return cat([unsqueeze(t, d) for t in tensors], d)


def _index_key(key):
    """Tensors inside an index become arrays; integer indices must be int64/bool."""
    Tensor = _tensor.Tensor

    if isinstance(key, tuple):
        return tuple(_index_key(k) for k in key)
    if isinstance(key, Tensor):
        if key.dtype.is_floating_point:
            raise TypeError("index: tensors used as indices must be int64 or bool, got "
                            f"{key.dtype}")
        # An index tensor on cuda is read back to the host (one copy): its values are
        # checked against the shape here, before any kernel, and give the gather's
        # offsets (ops/shape/cuda/strided.py copies those to the device).
        return to_host(key._array)
    if isinstance(key, list):
        return np.asarray(key)
    return key


def getitem(x, key):
    """Basic (ints, slices, None, Ellipsis) and advanced (integer or bool arrays)
    indexing with NumPy's rules; backward scatters (and adds up repeated indices)."""
    key = _index_key(key)
    try:
        # Validate against the shape first, so a bad index is an IndexError here,
        # with NumPy's message, and never a failure inside a kernel.
        np.empty(x.shape, dtype=np.bool_)[key]
    except IndexError as e:
        raise IndexError(f"index: {e}") from None
    return _view_of(x, _tape.apply("index", x, geometry=Attrs(key=key)))
