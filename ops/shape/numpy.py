"""Shape kernels in NumPy."""
from __future__ import annotations

import numpy as np


def reshape_forward(x, *, shape):
    return x.reshape(shape)


def reshape_backward(grad, inputs, out, needs, *, shape):
    return (grad.reshape(inputs[0].shape),)


def permute_forward(x, *, dims):
    return x.transpose(dims)


def permute_backward(grad, inputs, out, needs, *, dims):
    return (grad.transpose(np.argsort(dims)),)


def expand_forward(x, *, shape):
    # A read-only broadcast view, as PyTorch's expand (no copy).
    return np.broadcast_to(x, shape)


def expand_backward(grad, inputs, out, needs, *, shape):
    from ..elementwise.numpy import sum_to
    return (sum_to(grad, inputs[0].shape),)


def cat_forward(*xs, dim):
    return np.concatenate(xs, axis=dim)


def cat_backward(grad, inputs, out, needs, *, dim):
    bounds = np.cumsum([x.shape[dim] for x in inputs])[:-1]
    return tuple(np.split(grad, bounds, axis=dim))


def index_forward(x, *, key):
    return np.asarray(x[key])


def index_backward(grad, inputs, out, needs, *, key):
    gx = np.zeros_like(inputs[0])
    # add.at, not assignment: an integer index may pick the same element twice.
    np.add.at(gx, key, grad)
    return (gx,)


KERNELS = {
    "reshape": (reshape_forward, reshape_backward),
    "permute": (permute_forward, permute_backward),
    "expand": (expand_forward, expand_backward),
    "cat": (cat_forward, cat_backward),
    "index": (index_forward, index_backward),
}
