"""Elementwise kernels in NumPy. Every backward returns gradients in its input's shape."""
from __future__ import annotations

import numpy as np


def sum_to(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo broadcasting: sum ``grad`` over the axes that broadcasting added or stretched."""
    if grad.shape == tuple(shape):
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1)
    return grad.sum(axis=axes, keepdims=True).reshape(shape)


def _binary(fn, grads):
    """Kernel pair for z = fn(a, b); ``grads(g, a, b, z)`` gives the broadcast-shaped
    gradients (None when an input needs none)."""
    def forward(a, b):
        return fn(a, b)

    def backward(grad, inputs, out, needs):
        a, b = inputs
        ga, gb = grads(grad, a, b, out, needs)
        return (None if ga is None else sum_to(ga, a.shape),
                None if gb is None else sum_to(gb, b.shape))
    return forward, backward


def _unary(fn, grad_fn):
    def forward(x):
        return fn(x)

    def backward(grad, inputs, out, needs):
        return (grad_fn(grad, inputs[0], out),)
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
    return (lambda a, b: fn(a, b)), None


def _clamp_forward(x, *, min, max):
    return np.clip(x, min, max) if (min is not None or max is not None) else x.copy()


def _clamp_backward(grad, inputs, out, needs, *, min, max):
    x = inputs[0]
    keep = np.ones(x.shape, dtype=bool)
    if min is not None:
        keep &= x >= min
    if max is not None:
        keep &= x <= max
    return (grad * keep,)


def _where_forward(cond, x, y):
    return np.where(cond, x, y)


def _where_backward(grad, inputs, out, needs):
    cond, x, y = inputs
    zero = np.zeros((), dtype=grad.dtype)
    return (None,
            sum_to(np.where(cond, grad, zero), x.shape) if needs[1] else None,
            sum_to(np.where(cond, zero, grad), y.shape) if needs[2] else None)


def _cast_forward(x, *, dtype):
    return x.astype(dtype)


def _cast_backward(grad, inputs, out, needs, *, dtype):
    return (grad.astype(inputs[0].dtype),)


def _sigmoid(x):
    # exp of a negative number only: no overflow warning for large |x|.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


KERNELS = {
    "add": _binary(np.add, lambda g, a, b, z, n: (g, g)),
    "sub": _binary(np.subtract, lambda g, a, b, z, n: (g, -g if n[1] else None)),
    "mul": _binary(np.multiply, lambda g, a, b, z, n: (g * b if n[0] else None, g * a if n[1] else None)),
    "div": _binary(np.true_divide, lambda g, a, b, z, n: (g / b if n[0] else None,
                                                          -g * z / b if n[1] else None)),
    "pow": _binary(np.power, _pow_grads),
    "maximum": _binary(np.maximum, _extremum_grads(np.greater)),
    "minimum": _binary(np.minimum, _extremum_grads(np.less)),
    "neg": _unary(np.negative, lambda g, x, y: -g),
    "abs": _unary(np.abs, lambda g, x, y: g * np.sign(x)),
    "exp": _unary(np.exp, lambda g, x, y: g * y),
    "log": _unary(np.log, lambda g, x, y: g / x),
    "sqrt": _unary(np.sqrt, lambda g, x, y: g / (2 * y)),
    "relu": _unary(lambda x: np.maximum(x, 0), lambda g, x, y: g * (x > 0)),
    "sigmoid": _unary(_sigmoid, lambda g, x, y: g * y * (1 - y)),
    "tanh": _unary(np.tanh, lambda g, x, y: g * (1 - y * y)),
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
