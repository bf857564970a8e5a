"""Shape ops on CUDA, "strided": reshape is a view (no kernel); permute, expand and basic
indexing (ints, slices with steps, None, Ellipsis) are one strided gather each (one
thread per output element reads ``x[base + sum(idx_d * stride_d)]``); advanced indexing
gathers through a table of flat offsets; cat copies each input into its slab.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
from numba import cuda

from ... import _cuda
from ...reduce.cuda._tree import sum_to


def reshape_forward(x, *, shape):
    return x.reshape(shape)


def reshape_backward(grad, inputs, out, needs, *, shape):
    return (grad.reshape(inputs[0].shape),)


def _permuted(x, dims):
    strides = _cuda.strides_of(x.shape)
    return _cuda.gather(x, tuple(x.shape[d] for d in dims), tuple(strides[d] for d in dims))


def permute_forward(x, *, dims):
    return _permuted(x, dims)


def permute_backward(grad, inputs, out, needs, *, dims):
    return (_permuted(grad, tuple(int(d) for d in np.argsort(dims))),)


def expand_forward(x, *, shape):
    # A materialised broadcast (a new C-contiguous array, not NumPy's read-only view).
    return _cuda.gather(x, shape, _cuda.broadcast_strides(x.shape, shape))


def expand_backward(grad, inputs, out, needs, *, shape):
    return (sum_to(grad, inputs[0].shape),)


# --- cat --------------------------------------------------------------------------

def _slab(shape, dim, total, start):
    """(strides, base) of an input's slab inside the concatenation along ``dim`` whose
    size is ``total``, starting at ``start``."""
    out_shape = tuple(shape[:dim]) + (total,) + tuple(shape[dim + 1:])
    strides = _cuda.strides_of(out_shape)
    return strides, start * strides[dim]


def cat_forward(*xs, dim):
    total = sum(int(x.shape[dim]) for x in xs)
    first = xs[0].shape
    out = _cuda.empty(tuple(first[:dim]) + (total,) + tuple(first[dim + 1:]), xs[0].dtype)
    start = 0
    for x in xs:  # one copy kernel per input, each into its own slab
        strides, base = _slab(x.shape, dim, total, start)
        _cuda.scatter(out, x, strides, base)
        start += int(x.shape[dim])
    return out


def cat_backward(grad, inputs, out, needs, *, dim):
    total = int(grad.shape[dim])
    grads, start = [], 0
    for x, need in zip(inputs, needs):
        if need:
            strides, base = _slab(x.shape, dim, total, start)
            grads.append(_cuda.gather(grad, x.shape, strides, base))
        else:
            grads.append(None)
        start += int(x.shape[dim])
    return tuple(grads)


# --- index ------------------------------------------------------------------------

def _is_int(k) -> bool:
    return isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_))


def _basic(shape, key):
    """(out_shape, strides, base) of ``x[key]`` for a basic key (ints, slices, None,
    Ellipsis), or None when the key has arrays in it (advanced indexing)."""
    key = key if isinstance(key, tuple) else (key,)
    if not all(k is None or k is Ellipsis or isinstance(k, slice) or _is_int(k) for k in key):
        return None
    used = sum(1 for k in key if k is not None and k is not Ellipsis)
    if Ellipsis in key:  # `in` on a tuple of ints/slices only: no array comparisons here
        i = key.index(Ellipsis)
        key = key[:i] + (slice(None),) * (len(shape) - used) + key[i + 1:]
    else:
        key = key + (slice(None),) * (len(shape) - used)
    strides = _cuda.strides_of(shape)
    out_shape, out_strides, base, d = [], [], 0, 0
    for k in key:
        if k is None:
            out_shape.append(1)
            out_strides.append(0)
            continue
        n, s = int(shape[d]), strides[d]
        if isinstance(k, slice):
            start, stop, step = k.indices(n)
            out_shape.append(len(range(start, stop, step)))
            out_strides.append(s * step)
            base += start * s
        else:
            base += (int(k) % n) * s  # the front end has checked it is in range
        d += 1
    return tuple(out_shape), tuple(out_strides), base


def _host_key(key):
    # Index arrays arrive as NumPy arrays inside attrs (minigrad.tensor_ops.shape); a
    # device array key would have to come to the host for NumPy's indexing rules.
    if isinstance(key, tuple):
        return tuple(_host_key(k) for k in key)
    if hasattr(key, "copy_to_host"):  # a device array (cuda.is_cuda_array is not in the simulator)
        return key.copy_to_host()
    return key


# The offsets of the last few advanced indexings: backward receives the very key object
# its forward did (the tape node's attrs), so it reuses the forward's offsets instead of
# building and copying them again. Bounded: a few small int64 arrays stay alive.
_OFFSETS: "OrderedDict[int, tuple]" = OrderedDict()
_OFFSETS_KEPT = 8


def _offsets(shape, key):
    """Flat input offsets of every element of ``x[key]`` (advanced indexing), computed
    from shapes and the key alone (no array data), and sent to the device: once per
    indexing, forward and backward sharing them."""
    shape = tuple(int(n) for n in shape)
    hit = _OFFSETS.get(id(key))
    if hit is not None and hit[0] is key and hit[1] == shape:
        _OFFSETS.move_to_end(id(key))
        return hit[2]
    table = np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64).reshape(shape)
    offsets = cuda.to_device(np.ascontiguousarray(table[_host_key(key)]))
    _OFFSETS[id(key)] = (key, shape, offsets)
    while len(_OFFSETS) > _OFFSETS_KEPT:
        _OFFSETS.popitem(last=False)
    return offsets


@_cuda.kernel
def _take(out, x, offsets, n):
    i = cuda.grid(1)
    if i < n:
        out[i] = x[offsets[i]]


@_cuda.kernel
def _scatter_add(gx, g, offsets, n):
    # An integer index may pick the same element twice: the adds must not race.
    i = cuda.grid(1)
    if i < n:
        cuda.atomic.add(gx, offsets[i], g[i])


def index_forward(x, *, key):
    basic = _basic(x.shape, key)
    if basic is not None:
        shape, strides, base = basic
        return _cuda.gather(x, shape, strides, base)
    offsets = _offsets(x.shape, key)
    out = _cuda.empty(offsets.shape, x.dtype)
    n = out.size
    if n:
        _take[_cuda.launch(n)](_cuda.flat(out), _cuda.flat(x),
                               _cuda.flat(offsets), n)
    return out


def index_backward(grad, inputs, out, needs, *, key):
    x = inputs[0]
    gx = _cuda.zeros(x.shape, grad.dtype)
    basic = _basic(x.shape, key)
    if basic is not None:  # basic indexing never picks an element twice: plain stores
        _, strides, base = basic
        _cuda.scatter(gx, grad, strides, base)
        return (gx,)
    offsets = _offsets(x.shape, key)
    n = grad.size
    if n:
        _scatter_add[_cuda.launch(n)](_cuda.flat(gx), _cuda.flat(grad),
                                      _cuda.flat(offsets), n)
    return (gx,)


KERNELS = {
    "reshape": (reshape_forward, reshape_backward),
    "permute": (permute_forward, permute_backward),
    "expand": (expand_forward, expand_backward),
    "cat": (cat_forward, cat_backward),
    "index": (index_forward, index_backward),
}
