"""Reduction kernels in NumPy. ``g.dim`` is a sorted tuple of axes (argmax/argmin: None
or one int), ``g.keepdim`` a bool, ``g.indices`` (max/min) whether an int dim was given."""
from __future__ import annotations

import numpy as np


def _expand_back(grad, shape, dim, keepdim):
    """Reshape a reduced gradient so it broadcasts against the input's shape."""
    if not keepdim:
        grad = np.expand_dims(grad, dim) if dim else grad
    return np.broadcast_to(grad, shape)


def sum_forward(g, x):
    return np.asarray(x.sum(axis=g.dim, keepdims=g.keepdim)), x.shape


def sum_backward(g, grad, x_shape, needs):
    return (np.array(_expand_back(grad, x_shape, g.dim, g.keepdim)),)


def mean_forward(g, x):
    # The mean of no elements is NaN, as PyTorch, without NumPy's warning about it.
    with np.errstate(invalid="ignore", divide="ignore"):
        if x.size == 0:
            total = x.sum(axis=g.dim, keepdims=g.keepdim)
            return np.asarray(total / total.dtype.type(0), dtype=x.dtype), x.shape
        return np.asarray(x.mean(axis=g.dim, keepdims=g.keepdim), dtype=x.dtype), x.shape


def mean_backward(g, grad, x_shape, needs):
    count = int(np.prod([x_shape[d] for d in g.dim])) if len(x_shape) else 1
    if count == 0:  # the input had no elements: nothing to send the gradient to
        return (np.zeros(x_shape, dtype=grad.dtype),)
    return (np.array(_expand_back(grad / count, x_shape, g.dim, g.keepdim)),)


def _extremum(reduce, arg):
    def forward(g, x):
        values = np.asarray(reduce(x, axis=g.dim, keepdims=g.keepdim))
        if not g.indices:
            return values, (x, values)  # backward finds the ties
        if not x.ndim:  # dim 0 (or -1) of a 0-d tensor: its only element (dim is ())
            index = np.zeros((), dtype=np.int64)
        else:
            (d,) = g.dim
            index = np.asarray(arg(x, axis=d, keepdims=g.keepdim), dtype=np.int64)
        return (values, index), (x.shape, x.dtype, index)

    def backward(g, grad, saved, needs):
        if g.indices:
            x_shape, x_dtype, index = saved
            if not len(x_shape):
                return (np.array(grad, dtype=x_dtype),)
            (d,) = g.dim
            idx = index if g.keepdim else np.expand_dims(index, d)
            gr = grad if g.keepdim else np.expand_dims(grad, d)
            gx = np.zeros(x_shape, dtype=x_dtype)
            np.put_along_axis(gx, idx, gr, axis=d)
            return (gx,)
        x, values = saved
        hit = x == _expand_back(values, x.shape, g.dim, g.keepdim)
        count = hit.sum(axis=g.dim, keepdims=True)
        share = _expand_back(grad, x.shape, g.dim, g.keepdim) / count
        return (np.where(hit, share, 0).astype(x.dtype, copy=False),)
    return forward, backward


def _arg(fn):
    def forward(g, x):
        if g.dim is None:  # over the flattened tensor, as torch.argmax(x)
            return np.asarray(fn(x, keepdims=g.keepdim), dtype=np.int64), None
        return np.asarray(fn(x, axis=g.dim, keepdims=g.keepdim), dtype=np.int64), None
    return forward, None


KERNELS = {
    "sum": (sum_forward, sum_backward),
    "mean": (mean_forward, mean_backward),
    "max": _extremum(np.max, np.argmax),
    "min": _extremum(np.min, np.argmin),
    "argmax": _arg(np.argmax),
    "argmin": _arg(np.argmin),
}
