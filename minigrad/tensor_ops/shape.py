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
from ..errors import IndexTypeError, RuntimeValueError
from ..ops._attrs import Attrs
from ..ops.shape import infer_shape, normalize_dim
from . import elementwise as ew
from ._checks import dim_alias
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
        raise RuntimeValueError("flatten() has invalid args: start_dim cannot come after end_dim")
    return reshape(x, x.shape[:s] + (-1 if 0 not in x.shape[s:e + 1] else 0,) + x.shape[e + 1:])


def permute(x, *dims):
    dims = _sizes(dims)
    if len(dims) != x.ndim:
        raise RuntimeValueError(f"permute(): number of dimensions in the tensor input does not "
                                f"match the length of the desired ordering of dimensions i.e. "
                                f"input.dim() = {x.ndim} is not equal to len(dims) = {len(dims)}")
    norm = tuple(normalize_dim(d, x.ndim, "dims") for d in dims)
    if sorted(norm) != list(range(x.ndim)):
        raise RuntimeValueError("permute(): duplicate dims are not allowed.")
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


def squeeze(x, dim=None, *, axis=None):
    """Remove size-1 dims (all of them, or those in ``dim`` that have size 1; ``axis``
    is an alias of ``dim``)."""
    dim = dim_alias("squeeze", dim, axis)
    if dim is None:
        dims = [i for i, n in enumerate(x.shape) if n == 1]
    else:
        ds = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = [normalize_dim(d, x.ndim) for d in ds]
        dims = [d for d in dims if x.ndim and x.shape[d] == 1]
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in dims))


def unsqueeze(x, dim: int = None, *, axis=None):
    """Insert a size-1 dim at ``dim`` (in [-ndim-1, ndim]; ``axis`` is an alias)."""
    dim = dim_alias("unsqueeze", dim, axis)
    if dim is None:
        raise TypeError("unsqueeze() missing 1 required argument: 'dim'")
    d = normalize_dim(dim, x.ndim + 1)
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def expand(x, *sizes):
    """Broadcast to ``sizes`` without copying; -1 keeps a dim's size. Sizes that do not
    fit: PyTorch's RuntimeError and messages (also a ValueError, minigrad.errors)."""
    sizes = _sizes(sizes)
    if len(sizes) < x.ndim:
        raise RuntimeValueError(f"expand: the number of sizes provided ({len(sizes)}) must be "
                                f"greater or equal to the number of dimensions in the tensor "
                                f"({x.ndim})")
    lead = len(sizes) - x.ndim
    shape = []
    for i, s in enumerate(sizes):
        own = x.shape[i - lead] if i >= lead else None
        if isinstance(s, bool) or not isinstance(s, int):
            raise TypeError(f"expand: sizes must be ints, got {sizes}")
        if s == -1:
            if own is None:
                raise RuntimeValueError(f"The expanded size of the tensor (-1) isn't allowed in "
                                        f"a leading, non-existing dimension {i}")
            s = own
        if own is not None and own != 1 and own != s or s < 0:
            raise RuntimeValueError(f"The expanded size of the tensor ({s}) must match the "
                                    f"existing size ({own}) at non-singleton dimension {i}.  "
                                    f"Target sizes: {list(sizes)}.  Tensor sizes: "
                                    f"{list(x.shape)}")
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


def cat(tensors, dim: int = 0, *, axis=None):
    """Join tensors along an existing dim (``axis``: an alias); all other dims must
    match (else PyTorch's RuntimeError, also a ValueError). Mixed dtypes promote, as
    torch.cat."""
    dim = dim_alias("cat", dim, axis, default=0)
    tensors = _check_seq("cat", tensors)
    first = tensors[0]
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeValueError(f"zero-dimensional tensor (at position {i}) cannot be "
                                    "concatenated")
    d = normalize_dim(dim, first.ndim)
    for i, t in enumerate(tensors):
        if t.ndim != first.ndim:
            raise RuntimeValueError(f"Tensors must have same number of dimensions: got "
                                    f"{first.ndim} and {t.ndim}")
        for j, (a, b) in enumerate(zip(t.shape, first.shape)):
            if j != d and a != b:
                raise RuntimeValueError(f"Sizes of tensors must match except in dimension {d}. "
                                        f"Expected size {b} but got size {a} for tensor number "
                                        f"{i} in the list.")
    return _tape.apply("cat", *tensors, geometry=Attrs(dim=d))


def stack(tensors, dim: int = 0, *, axis=None):
    """Join same-shaped tensors along a new dim (``axis``: an alias)."""
    dim = dim_alias("stack", dim, axis, default=0)
    tensors = _check_seq("stack", tensors)
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeValueError(f"stack expects each tensor to be equal size, but got "
                                    f"{list(tensors[0].shape)} at entry 0 and {list(t.shape)} "
                                    f"at entry {i}")
    d = normalize_dim(dim, tensors[0].ndim + 1)
    return cat([unsqueeze(t, d) for t in tensors], d)


# --- indexing ----------------------------------------------------------------------
# The kernels index with NumPy's rules (ops/shape). PyTorch's differ in two ways, which
# the front end turns into NumPy keys here:
#  1. An int (or a 0-d integer tensor) selects before any advanced index is applied, and
#     None inserts its dim before too: x[1, :, [0, 1]] on a (3, 4, 5) tensor is
#     (4, 2) in PyTorch, (2, 4) in NumPy (which counts the int among the advanced
#     indices, so a slice "separates" them and their dims go first). Such a key is
#     split in two: the ints/None (a basic index, a view) and then the rest.
#  2. A list that holds a sequence, a slice, None, Ellipsis or a tensor is read as a
#     tuple (x[[[0, 1], [1, 2]]] is x[[0, 1], [1, 2]]), PyTorch's legacy rule that it
#     still follows (with a warning): minigrad follows it without the warning.

def _is_int(k) -> bool:
    return isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_))


def _is_advanced(k) -> bool:
    # 0-d arrays were made Python ints and bools by _index_entry.
    return isinstance(k, np.ndarray)


def _index_entry(k):
    """One entry of a key: a Tensor becomes an int (0-d integer), a bool (0-d bool) or
    a host array; a list (or a tuple inside the key, as PyTorch reads it) an array; a slice is checked (no negative steps in PyTorch)."""
    Tensor = _tensor.Tensor

    if isinstance(k, Tensor):
        if k.dtype.is_floating_point:
            raise IndexTypeError("tensors used as indices must be long, int, byte or bool tensors")
        # An index tensor on cuda is read back to the host (one copy): its values are
        # checked against the shape here, before any kernel, and give the gather's
        # offsets (ops/shape/cuda/strided.py copies those to the device).
        a = to_host(k._array)
        if a.dtype == np.uint8:  # PyTorch's (deprecated) byte mask
            a = a.astype(np.bool_)
        if a.ndim == 0:  # a 0-d tensor is a Python int or bool, as in PyTorch
            return bool(a) if a.dtype == np.bool_ else int(a)
        return a if a.dtype == np.bool_ else a.astype(np.int64, copy=False)
    if isinstance(k, np.ndarray):
        if k.dtype.kind == "f":
            raise IndexTypeError("arrays used as indices must be of integer or boolean type")
        if k.ndim == 0:
            return bool(k) if k.dtype == np.bool_ else int(k)
        return k
    if isinstance(k, (list, tuple)):
        a = np.asarray(k)
        if a.size == 0:
            a = a.astype(np.int64)
        if a.dtype.kind not in "biu":
            raise IndexTypeError("tensors used as indices must be long, int, byte or bool tensors")
        return a
    if isinstance(k, slice) and k.step is not None and k.step <= 0:
        raise ValueError("step must be greater than zero")
    if isinstance(k, np.integer):
        return int(k)
    return k


def _as_tuple(key) -> tuple:
    """The key as a tuple of entries, PyTorch's reading of a list (rule 2 above)."""
    Tensor = _tensor.Tensor

    if isinstance(key, tuple):
        return key
    if isinstance(key, list) and any(
            isinstance(k, (list, tuple, slice, Tensor, np.ndarray)) or k is None
            or k is Ellipsis for k in key):
        return tuple(key)
    return (key,)


def torch_key(key) -> list:
    """PyTorch's index ``key`` as a list of NumPy keys applied one after the other (one
    key, or two where rule 1 above splits it)."""
    entries = tuple(_index_entry(k) for k in _as_tuple(key))
    if not any(_is_advanced(k) for k in entries) or not any(_is_int(k) or k is None
                                                              for k in entries):
        return [entries[0] if len(entries) == 1 and not isinstance(key, tuple) else entries]
    first, second = [], []
    for k in entries:
        if _is_int(k):
            first.append(k)  # selected in the first step, gone from the second
        elif k is None:
            first.append(None)  # a new dim of 1, there in the second step
            second.append(slice(None))
        elif isinstance(k, (bool, np.bool_)):
            second.append(k)  # a 0-d mask: an advanced index, as in PyTorch
        elif k is Ellipsis:
            first.append(k)
            second.append(k)
        elif isinstance(k, np.ndarray):  # a mask of m dims stands for m dims
            first.extend([slice(None)] * (k.ndim if k.dtype == np.bool_ else 1))
            second.append(k)
        else:  # a slice
            first.append(k)
            second.append(slice(None))
    return [tuple(first), tuple(second)]


def _check_key(shape, key) -> None:
    # Validate against the shape first, so a bad index is an IndexError here, with
    # NumPy's message, and never a failure inside a kernel.
    try:
        np.empty(shape, dtype=np.bool_)[key]
    except IndexError as e:
        # NumPy's message in PyTorch's words ("... for dimension 0 with size 3").
        raise IndexError(str(e).replace("array", "tensor").replace("for axis", "for dimension")) \
            from None


def getitem(x, key):
    """``x[key]`` with PyTorch's rules: basic (ints, slices with positive steps, None,
    Ellipsis) and advanced (integer or bool tensors, arrays or lists) indexing; where
    PyTorch's result shape differs from NumPy's (an int or None beside advanced
    indices, a list of sequences) the key is rewritten (see above). Backward scatters
    (and adds up repeated indices)."""
    for k in torch_key(key):
        _check_key(x.shape, k)
        x = _view_of(x, _tape.apply("index", x, geometry=Attrs(key=k)))
    return x


def _positions(shape, key) -> np.ndarray:
    """The flat positions in a tensor of ``shape`` that ``t[key]`` reads, in the shape
    of ``t[key]`` (PyTorch's rules, the checks of :func:`getitem`)."""
    pos = np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64).reshape(shape)
    for k in torch_key(key):
        _check_key(pos.shape, k)
        pos = pos[k]
    return np.asarray(pos)


def setitem(x, key, value):
    """``x[key] = value`` in place (tensor_ops/inplace.py: the leaf and view checks, a
    version bump). ``value`` (a number or a tensor) is cast to ``x``'s dtype and must
    broadcast to the shape of ``x[key]``. Differentiable: the written places pass no
    gradient to ``x``'s history, ``value`` gets the gradient of the places it went to
    (where an index repeats, the last write wins, as on PyTorch's CPU).

    How: out of place, then one write. ``x[key]``'s flat positions say, for each element
    of ``x``, whether it is written and from which element of the broadcast value; the
    value is gathered into ``x``'s shape (an index op) and ``where`` picks it or ``x``.
    """
    from . import inplace as ip  # it imports this module
    Tensor = _tensor.Tensor

    ip.check_target(x)
    pos = _positions(x.shape, key)
    v = ew.as_operand(value, x.dtype, x.device)
    if v.device != x.device:
        v = v.to(x.device)
    try:
        fits = np.broadcast_shapes(v.shape, pos.shape) == pos.shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeValueError(f"shape mismatch: value tensor of shape {list(v.shape)} cannot "
                                f"be broadcast to indexing result of shape {list(pos.shape)}")
    if pos.size == 0:
        return x
    source = np.zeros(x.numel(), dtype=np.int64)
    source[pos.ravel()] = np.arange(pos.size)  # repeated positions: the last one wins
    written = np.zeros(x.numel(), dtype=np.bool_)
    written[pos.ravel()] = True
    flat = reshape(expand(v, pos.shape), -1)
    spread = reshape(getitem(flat, Tensor._wrap(source)), x.shape)
    mask = Tensor._wrap(written.reshape(x.shape)).to(x.device)
    return ip.write(x, ew.where(mask, spread, x))
