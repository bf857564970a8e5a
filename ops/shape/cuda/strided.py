"""Shape ops on CUDA, "strided": reshape is a view (no kernel); permute, expand and basic
indexing (ints, slices with steps, None, Ellipsis) are one strided gather each (one
thread per output element reads ``x[base + sum(idx_d * stride_d)]``); advanced indexing
gathers through a table of flat offsets; cat copies each input into its slab.

Kernel contract as ops/shape/numpy.py: ``g`` holds the normalised attribute; forward
saves the input shapes (and for an index, where it read: the basic walk, or the device
offsets of an advanced key, which backward reuses rather than copying them again).
"""
from __future__ import annotations

import numpy as np
from numba import cuda

from ... import _cuda
from ..._cuda_tree import sum_to


def reshape_forward(g, x):
    return x.reshape(g.shape), x.shape


def reshape_backward(g, grad, x_shape, needs):
    return (grad.reshape(x_shape),)


def _permuted(x, dims):
    strides = _cuda.strides_of(x.shape)
    return _cuda.gather(x, tuple(x.shape[d] for d in dims), tuple(strides[d] for d in dims))


def permute_forward(g, x):
    return _permuted(x, g.dims), None


def permute_backward(g, grad, saved, needs):
    return (_permuted(grad, tuple(int(d) for d in np.argsort(g.dims))),)


def expand_forward(g, x):
    # A materialised broadcast (a new C-contiguous array, not NumPy's read-only view).
    return _cuda.gather(x, g.shape, _cuda.broadcast_strides(x.shape, g.shape)), x.shape


def expand_backward(g, grad, x_shape, needs):
    return (sum_to(grad, x_shape),)


# --- cat --------------------------------------------------------------------------

def _slab(shape, dim, total, start):
    """(strides, base) of an input's slab inside the concatenation along ``dim`` whose
    size is ``total``, starting at ``start``."""
    out_shape = tuple(shape[:dim]) + (total,) + tuple(shape[dim + 1:])
    strides = _cuda.strides_of(out_shape)
    return strides, start * strides[dim]


def cat_forward(g, *xs):
    dim = g.dim
    total = sum(int(x.shape[dim]) for x in xs)
    first = xs[0].shape
    out = _cuda.empty(tuple(first[:dim]) + (total,) + tuple(first[dim + 1:]), xs[0].dtype)
    start = 0
    for x in xs:  # one copy kernel per input, each into its own slab
        strides, base = _slab(x.shape, dim, total, start)
        _cuda.scatter(out, x, strides, base)
        start += int(x.shape[dim])
    return out, tuple(x.shape for x in xs)


def cat_backward(g, grad, shapes, needs):
    dim = g.dim
    total = int(grad.shape[dim])
    grads, start = [], 0
    for shape, need in zip(shapes, needs):
        if need:
            strides, base = _slab(shape, dim, total, start)
            grads.append(_cuda.gather(grad, shape, strides, base))
        else:
            grads.append(None)
        start += int(shape[dim])
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


def _offsets(shape, key):
    """Flat input offsets of every element of ``x[key]`` (advanced indexing), computed
    from shapes and the key alone (no array data), and sent to the device once: forward
    saves them for backward."""
    shape = tuple(int(n) for n in shape)
    table = np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64).reshape(shape)
    return cuda.to_device(np.ascontiguousarray(table[_host_key(key)]))


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


def index_forward(g, x):
    basic = _basic(x.shape, g.key)
    if basic is not None:
        shape, strides, base = basic
        return _cuda.gather(x, shape, strides, base), (x.shape, basic)
    offsets = _offsets(x.shape, g.key)
    out = _cuda.empty(offsets.shape, x.dtype)
    n = out.size
    if n:
        _take[_cuda.launch(n)](_cuda.flat(out), _cuda.flat(x),
                               _cuda.flat(offsets), n)
    return out, (x.shape, offsets)


def index_backward(g, grad, saved, needs):
    # saved: the input's shape and where forward read, the basic walk (a tuple) or the
    # advanced key's device offsets.
    x_shape, where = saved
    gx = _cuda.zeros(x_shape, grad.dtype)
    if isinstance(where, tuple):  # basic indexing never picks an element twice: plain stores
        _, strides, base = where
        _cuda.scatter(gx, grad, strides, base)
        return (gx,)
    n = grad.size
    if n:
        _scatter_add[_cuda.launch(n)](_cuda.flat(gx), _cuda.flat(grad),
                                      _cuda.flat(where), n)
    return (gx,)


KERNELS = {
    "reshape": (reshape_forward, reshape_backward),
    "permute": (permute_forward, permute_backward),
    "expand": (expand_forward, expand_backward),
    "cat": (cat_forward, cat_backward),
    "index": (index_forward, index_backward),
}
