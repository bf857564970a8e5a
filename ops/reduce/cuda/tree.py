"""Reductions on CUDA, "tree": one block per output element, its threads stride over
the reduced elements, then a shared-memory tree combines them (kernels in _tree.py).
The grid stops at ``ops._cuda.MAX_BLOCKS`` blocks; past that each block loops over
several output elements, one after the other."""
from __future__ import annotations

import numpy as np

from . import _tree


def sum_forward(x, *, dim, keepdim):
    return _tree.sum_dims(x, dim, keepdim)


def sum_backward(grad, inputs, out, needs, *, dim, keepdim):
    return (_tree.expand_grad(grad, inputs[0].shape, dim),)


def _count(shape, dim) -> int:
    c = 1
    for d in dim:
        c *= int(shape[d])
    return c


def mean_forward(x, *, dim, keepdim):
    return _tree.sum_dims(x, dim, keepdim, divisor=_count(x.shape, dim))


def mean_backward(grad, inputs, out, needs, *, dim, keepdim):
    x = inputs[0]
    return (_tree.expand_grad(grad, x.shape, dim, divisor=_count(x.shape, dim)),)


def _extremum(largest):
    def forward(x, *, dim, keepdim, indices):
        values, index = _tree.extremum(x, dim, keepdim, largest)
        return (values, index) if indices else values

    def backward(grad, inputs, out, needs, *, dim, keepdim, indices):
        x = inputs[0]
        if indices:
            return (_tree.pick_grad(grad, out[1], x, dim),)
        return (_tree.share_grad(grad, out, x, dim),)
    return forward, backward


def _arg(largest):
    def forward(x, *, dim, keepdim):
        if dim is None:  # the flat index over all dims; keepdim keeps each as size 1
            dims = tuple(range(x.ndim))
            shape = (1,) * x.ndim if keepdim else ()
        else:
            dims = (dim,) if x.ndim else ()
            shape = None
        return _tree.extremum(x, dims, keepdim, largest, out_shape=shape)[1]
    return forward, None


KERNELS = {
    "sum": (sum_forward, sum_backward),
    "mean": (mean_forward, mean_backward),
    "max": _extremum(True),
    "min": _extremum(False),
    "argmax": _arg(True),
    "argmin": _arg(False),
}
