"""Shape kernels in NumPy. ``g`` holds the op's normalised attribute (``shape``,
``dims``, ``dim`` or ``key``); forward saves the input shapes backward needs."""
from __future__ import annotations

import numpy as np

from .._arrays import sum_to


def reshape_forward(g, x):
    return x.reshape(g.shape), x.shape


def reshape_backward(g, grad, x_shape, needs):
    return (grad.reshape(x_shape),)


def permute_forward(g, x):
    return x.transpose(g.dims), None


def permute_backward(g, grad, saved, needs):
    return (grad.transpose(np.argsort(g.dims)),)


def expand_forward(g, x):
    # A read-only broadcast view, as PyTorch's expand (no copy).
    return np.broadcast_to(x, g.shape), x.shape


def expand_backward(g, grad, x_shape, needs):
    return (sum_to(grad, x_shape),)


def cat_forward(g, *xs):
    return np.concatenate(xs, axis=g.dim), tuple(x.shape for x in xs)


def cat_backward(g, grad, shapes, needs):
    bounds = np.cumsum([s[g.dim] for s in shapes])[:-1]
    return tuple(np.split(grad, bounds, axis=g.dim))


def index_forward(g, x):
    return np.asarray(x[g.key]), (x.shape, x.dtype)


def index_backward(g, grad, saved, needs):
    x_shape, x_dtype = saved
    gx = np.zeros(x_shape, x_dtype)
    # add.at, not assignment: an integer index may pick the same element twice.
    np.add.at(gx, g.key, grad)
    return (gx,)


KERNELS = {
    "reshape": (reshape_forward, reshape_backward),
    "permute": (permute_forward, permute_backward),
    "expand": (expand_forward, expand_backward),
    "cat": (cat_forward, cat_backward),
    "index": (index_forward, index_backward),
}
