"""Reduction kernels in NumPy."""
from __future__ import annotations

import numpy as np


def _expand_back(grad, shape, dim, keepdim):
    """Reshape a reduced gradient so it broadcasts against the input's shape."""
    if not keepdim:
        grad = np.expand_dims(grad, dim) if dim else grad
    return np.broadcast_to(grad, shape)


def sum_forward(x, *, dim, keepdim):
    return np.asarray(x.sum(axis=dim, keepdims=keepdim))


def sum_backward(grad, inputs, out, needs, *, dim, keepdim):
    x = inputs[0]
    return (np.array(_expand_back(grad, x.shape, dim, keepdim)),)


def mean_forward(x, *, dim, keepdim):
    return np.asarray(x.mean(axis=dim, keepdims=keepdim), dtype=x.dtype)


def mean_backward(grad, inputs, out, needs, *, dim, keepdim):
    x = inputs[0]
    count = int(np.prod([x.shape[d] for d in dim])) if x.ndim else 1
    return (np.array(_expand_back(grad / count, x.shape, dim, keepdim)),)


def _extremum(reduce, arg):
    def forward(x, *, dim, keepdim, indices):
        values = np.asarray(reduce(x, axis=dim, keepdims=keepdim))
        if not indices:
            return values
        if not x.ndim:  # dim 0 (or -1) of a 0-d tensor: its only element (dim is ())
            return values, np.zeros((), dtype=np.int64)
        (d,) = dim
        return values, np.asarray(arg(x, axis=d, keepdims=keepdim), dtype=np.int64)

    def backward(grad, inputs, out, needs, *, dim, keepdim, indices):
        x = inputs[0]
        if indices:
            if not x.ndim:
                return (np.array(grad, dtype=x.dtype),)
            (d,) = dim
            idx = out[1] if keepdim else np.expand_dims(out[1], d)
            g = grad if keepdim else np.expand_dims(grad, d)
            gx = np.zeros_like(x)
            np.put_along_axis(gx, idx, g, axis=d)
            return (gx,)
        values = out
        hit = x == _expand_back(values, x.shape, dim, keepdim)
        count = hit.sum(axis=dim, keepdims=True)
        share = _expand_back(grad, x.shape, dim, keepdim) / count
        return (np.where(hit, share, 0).astype(x.dtype, copy=False),)
    return forward, backward


def _arg(fn):
    def forward(x, *, dim, keepdim):
        if dim is None:  # over the flattened tensor, as torch.argmax(x)
            return np.asarray(fn(x, keepdims=keepdim), dtype=np.int64)
        return np.asarray(fn(x, axis=dim, keepdims=keepdim), dtype=np.int64)
    return forward, None


KERNELS = {
    "sum": (sum_forward, sum_backward),
    "mean": (mean_forward, mean_backward),
    "max": _extremum(np.max, np.argmax),
    "min": _extremum(np.min, np.argmin),
    "argmax": _arg(np.argmax),
    "argmin": _arg(np.argmin),
}
