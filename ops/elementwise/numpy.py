"""Elementwise kernels in NumPy. Every backward returns gradients in its input's shape.

``g`` is ``NONE`` except for clamp (``g.min``, ``g.max``) and cast (``g.dtype``).
"""
from __future__ import annotations

import numpy as np

from .._arrays import sum_to


def _binary(fn, grads, saves: str = ""):
    """Kernel pair for z = fn(a, b). ``saves``: which of "a", "b", "z" the gradients
    read; forward keeps those and the two input shapes, nothing else. ``grads(g, a, b,
    z, needs)`` gives the broadcast-shaped gradients (None when an input needs none);
    what was not saved arrives as None."""
    def forward(g, a, b):
        z = fn(a, b)
        return z, (a.shape, b.shape, a if "a" in saves else None,
                   b if "b" in saves else None, z if "z" in saves else None)

    def backward(g, grad, saved, needs):
        a_shape, b_shape, a, b, z = saved
        ga, gb = grads(grad, a, b, z, needs)
        return (None if ga is None else sum_to(ga, a_shape),
                None if gb is None else sum_to(gb, b_shape))
    return forward, backward


def _unary(fn, grad_fn, saves: str = ""):
    """Kernel pair for y = fn(x); ``saves`` is "x" or "y", the one array ``grad_fn(g,
    saved)`` reads, or "" for none (it then receives None)."""
    def forward(g, x):
        y = fn(x)
        return y, {"x": x, "y": y}.get(saves)

    def backward(g, grad, saved, needs):
        return (grad_fn(grad, saved),)
    return forward, backward


def _pow_grads(g, a, b, z, needs):
    ga = g * b * np.power(a, b - 1) if needs[0] else None
    gb = None
    if needs[1]:
        # d(a^b)/db = a^b log a; where a == 0 the limit is 0 (PyTorch's convention).
        with np.errstate(divide="ignore", invalid="ignore"):
            gb = np.where(a == 0, 0, g * z * np.log(np.where(a == 0, 1, a)))
    return ga, gb


def _extremum_grads(pick_a):
    # Ties split the gradient evenly, as torch.maximum/minimum.
    def grads(g, a, b, z, needs):
        share_a = np.where(a == b, 0.5, pick_a(a, b).astype(g.dtype))
        return g * share_a, g * (1 - share_a)
    return grads


def _compare(fn):
    return (lambda g, a, b: (fn(a, b), None)), None


def _clamp_forward(g, x):
    out = np.clip(x, g.min, g.max) if (g.min is not None or g.max is not None) else x.copy()
    return out, x


def _clamp_backward(g, grad, x, needs):
    keep = np.ones(x.shape, dtype=bool)
    if g.min is not None:
        keep &= x >= g.min
    if g.max is not None:
        keep &= x <= g.max
    return (grad * keep,)


def _where_forward(g, cond, x, y):
    return np.where(cond, x, y), (cond, x.shape, y.shape)


def _where_backward(g, grad, saved, needs):
    cond, x_shape, y_shape = saved
    zero = np.zeros((), dtype=grad.dtype)
    return (None,
            sum_to(np.where(cond, grad, zero), x_shape) if needs[1] else None,
            sum_to(np.where(cond, zero, grad), y_shape) if needs[2] else None)


def _cast_forward(g, x):
    return x.astype(g.dtype), x.dtype


def _cast_backward(g, grad, x_dtype, needs):
    return (grad.astype(x_dtype),)


def _sigmoid(x):
    # exp of a negative number only: no overflow warning for large |x|.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


KERNELS = {
    "add": _binary(np.add, lambda g, a, b, z, n: (g, g)),
    "sub": _binary(np.subtract, lambda g, a, b, z, n: (g, -g if n[1] else None)),
    "mul": _binary(np.multiply, lambda g, a, b, z, n: (g * b if n[0] else None,
                                                       g * a if n[1] else None), "ab"),
    "div": _binary(np.true_divide, lambda g, a, b, z, n: (g / b if n[0] else None,
                                                          -g * z / b if n[1] else None), "bz"),
    "pow": _binary(np.power, _pow_grads, "abz"),
    "maximum": _binary(np.maximum, _extremum_grads(np.greater), "ab"),
    "minimum": _binary(np.minimum, _extremum_grads(np.less), "ab"),
    "neg": _unary(np.negative, lambda g, _: -g),
    "abs": _unary(np.abs, lambda g, x: g * np.sign(x), "x"),
    "exp": _unary(np.exp, lambda g, y: g * y, "y"),
    "log": _unary(np.log, lambda g, x: g / x, "x"),
    "sqrt": _unary(np.sqrt, lambda g, y: g / (2 * y), "y"),
    # y > 0 exactly where x > 0 (NaN stays NaN, not > 0): the output serves.
    "relu": _unary(lambda x: np.maximum(x, 0), lambda g, y: g * (y > 0), "y"),
    "sigmoid": _unary(_sigmoid, lambda g, y: g * y * (1 - y), "y"),
    "tanh": _unary(np.tanh, lambda g, y: g * (1 - y * y), "y"),
    "eq": _compare(np.equal),
    "ne": _compare(np.not_equal),
    "lt": _compare(np.less),
    "le": _compare(np.less_equal),
    "gt": _compare(np.greater),
    "ge": _compare(np.greater_equal),
    "clamp": (_clamp_forward, _clamp_backward),
    "where": (_where_forward, _where_backward),
    "cast": (_cast_forward, _cast_backward),
}
