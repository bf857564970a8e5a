"""Reductions on CUDA, "tree": one block per output element, its threads stride over
the reduced elements, then a shared-memory tree combines them (kernels in the shared
ops/_cuda_tree.py). The grid stops at ``ops._cuda.MAX_BLOCKS`` blocks; past that each
block loops over several output elements, one after the other.

Kernel contract as ops/reduce/numpy.py: ``g`` holds ``dim`` (sorted axes), ``keepdim``
and, for max/min, ``indices``; sum and mean save the input's shape, max/min with
indices the shape and the indices, without the input and the values (for the ties).
"""
from __future__ import annotations

from ... import _cuda_tree as _tree


def sum_forward(g, x):
    return _tree.sum_dims(x, g.dim, g.keepdim), x.shape


def sum_backward(g, grad, x_shape, needs):
    return (_tree.expand_grad(grad, x_shape, g.dim),)


def mean_forward(g, x):
    divisor = _tree.reduced_count(x.shape, g.dim)
    return _tree.sum_dims(x, g.dim, g.keepdim, divisor=divisor), x.shape


def mean_backward(g, grad, x_shape, needs):
    divisor = _tree.reduced_count(x_shape, g.dim)
    return (_tree.expand_grad(grad, x_shape, g.dim, divisor=divisor),)


def _extremum(largest):
    def forward(g, x):
        values, index = _tree.extremum(x, g.dim, g.keepdim, largest)
        if g.indices:
            return (values, index), (x.shape, index)
        return values, (x, values)

    def backward(g, grad, saved, needs):
        if g.indices:
            x_shape, index = saved
            return (_tree.pick_grad(grad, index, x_shape, g.dim),)
        x, values = saved
        return (_tree.share_grad(grad, values, x, g.dim),)
    return forward, backward


def _arg(largest):
    def forward(g, x):
        if g.dim is None:  # the flat index over all dims; keepdim keeps each as size 1
            dims = tuple(range(x.ndim))
            shape = (1,) * x.ndim if g.keepdim else ()
        else:
            dims = (g.dim,) if x.ndim else ()
            shape = None
        return _tree.extremum(x, dims, g.keepdim, largest, out_shape=shape)[1], None
    return forward, None


KERNELS = {
    "sum": (sum_forward, sum_backward),
    "mean": (mean_forward, mean_backward),
    "max": _extremum(True),
    "min": _extremum(False),
    "argmax": _arg(True),
    "argmin": _arg(False),
}
