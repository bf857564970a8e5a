"""Elementwise kernels in NumPy. Every backward returns gradients in its input's shape.

``g`` is ``NONE`` except for clamp (``g.min``, ``g.max``), cast (``g.dtype``) and the
activations with parameters (UNARY_ATTRS: ``g.negative_slope``, ``g.alpha``,
``g.approximate``, ``g.beta``, ``g.threshold``). Their formulas and gradient conventions
are PyTorch's (its CPU kernels), written so that no large ``|x|`` overflows on the way.
"""
from __future__ import annotations

import math

import numpy as np

from .._arrays import sum_to


# IEEE results without NumPy's warnings (log(0) = -inf, 1/0 = inf, sqrt(-1) = NaN, exp
# overflow), as PyTorch computes them silently. A new errstate per use: NumPy's cannot
# be entered twice.
def _ieee():
    return np.errstate(divide="ignore", invalid="ignore", over="ignore")


def _binary(fn, grads, saves: str = ""):
    """Kernel pair for z = fn(a, b). ``saves``: which of "a", "b", "z" the gradients
    read; forward keeps those and the two input shapes, nothing else. ``grads(g, a, b,
    z, needs)`` gives the broadcast-shaped gradients (None when an input needs none);
    what was not saved arrives as None."""
    def forward(g, a, b):
        with _ieee():
            z = fn(a, b)
        return z, (a.shape, b.shape, a if "a" in saves else None,
                   b if "b" in saves else None, z if "z" in saves else None)

    def backward(g, grad, saved, needs):
        a_shape, b_shape, a, b, z = saved
        with _ieee():
            ga, gb = grads(grad, a, b, z, needs)
        return (None if ga is None else sum_to(ga, a_shape),
                None if gb is None else sum_to(gb, b_shape))
    return forward, backward


def _unary(fn, grad_fn, saves: str = ""):
    """Kernel pair for y = fn(x); ``saves`` is "x" or "y", the one array ``grad_fn(g,
    saved)`` reads, or "" for none (it then receives None)."""
    def forward(g, x):
        with _ieee():
            y = fn(x)
        return y, {"x": x, "y": y}.get(saves)

    def backward(g, grad, saved, needs):
        with _ieee():
            return (grad_fn(grad, saved),)
    return forward, backward


def _pow_grads(g, a, b, z, needs):
    # An exponent of 0 has gradient 0 to the base, even at a base of 0 (PyTorch's mask;
    # 0 * 0**-1 would be NaN).
    ga = np.where(b == 0, 0, g * b * np.power(a, b - 1)).astype(g.dtype, copy=False) if needs[0] else None
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
    # order="C": a new C-contiguous array even from a transposed view (clone and
    # contiguous() are this kernel).
    return x.astype(g.dtype, order="C"), x.dtype


def _cast_backward(g, grad, x_dtype, needs):
    return (grad.astype(x_dtype),)


def _sigmoid(x):
    # exp of a negative number only: no overflow warning for large |x|.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _attrs_op(fn, grad_fn):
    """Kernel pair for y = fn(g, x), an op with parameters in ``g``; saves x, which
    ``grad_fn(g, grad, x)`` reads."""
    def forward(g, x):
        return fn(g, x), x

    def backward(g, grad, x, needs):
        return (grad_fn(g, grad, x),)
    return forward, backward


def _silu(x):
    return x * _sigmoid(x)


def _silu_grad(g, x):
    # d/dx x s(x) = s (1 + x (1 - s)), PyTorch's form: x (1 - s) is finite at any finite x.
    s = _sigmoid(x)
    return g * s * (1 + x * (1 - s))


def _leaky_relu(g, x):
    return np.where(x > 0, x, x * g.negative_slope)


def _leaky_relu_grad(g, grad, x):
    return np.where(x > 0, grad, grad * g.negative_slope)  # slope at 0, as PyTorch


def _elu(g, x):
    # alpha (e^x - 1) for x <= 0 (expm1: accurate near 0); e^x is taken of min(x, 0)
    # only, so a large positive x does not overflow in the branch np.where drops.
    return np.where(x <= 0, g.alpha * np.expm1(np.minimum(x, 0)), x)


def _elu_grad(g, grad, x):
    return np.where(x <= 0, grad * g.alpha * np.exp(np.minimum(x, 0)), grad)  # alpha at 0


# NumPy has no erf; math.erf per element is libm's (within an ulp or so of the exact
# value) but costs a Python call per element: the slow path of this file, kept exact
# rather than approximated (approximate="tanh" is the vectorized one).
_erf_object = np.frompyfunc(math.erf, 1, 1)


def _erf(x):
    return np.asarray(_erf_object(x), dtype=x.dtype)  # (a 0-d input gives a Python float)


_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)  # the normal pdf's constant
_SQRT_2_PI = math.sqrt(2 / math.pi)         # tanh approximation: sqrt(2/pi) (x + k x^3)
_KAPPA = 0.044715
# Beyond |x| = 50 the tanh approximation's tanh is +-1 exactly in float32 and float64
# (its argument passes 4000): x is clipped there inside the polynomial, which changes
# no value but keeps x^3 and the gradient's x^2 finite (unclipped, 0 * inf gave NaN).
_GELU_TANH_CLIP = 50.0


def _gelu_tanh_parts(x):
    xc = np.clip(x, -_GELU_TANH_CLIP, _GELU_TANH_CLIP)
    return xc, np.tanh(_SQRT_2_PI * (xc + _KAPPA * xc * xc * xc))


def _gelu(g, x):
    if g.approximate == "tanh":
        return 0.5 * x * (1 + _gelu_tanh_parts(x)[1])
    return x * 0.5 * (1 + _erf(x * _SQRT1_2))


def _gelu_grad(g, grad, x):
    if g.approximate == "tanh":
        xc, t = _gelu_tanh_parts(x)
        left = 0.5 * x
        right = left * (1 - t * t) * _SQRT_2_PI * (1 + 3 * _KAPPA * xc * xc)
        return grad * (0.5 * (1 + t) + right)
    cdf = 0.5 * (1 + _erf(x * _SQRT1_2))
    with np.errstate(over="ignore"):  # x*x = inf past 1e154 (1e19 in float32): pdf 0
        pdf = _INV_SQRT_2PI * np.exp(-0.5 * x * x)
    return grad * (cdf + x * pdf)


def _softplus(g, x):
    # log(1 + e^(beta x)) / beta, linear (x) where beta x > threshold, as PyTorch.
    # logaddexp(0, z) = max(z, 0) + log1p(e^-|z|): no overflow for a large threshold.
    with np.errstate(over="ignore", divide="ignore"):  # x * beta = inf; beta = 0
        bx = x * g.beta
        return np.where(bx > g.threshold, x, np.logaddexp(0, bx) / g.beta)


def _softplus_grad(g, grad, x):
    with np.errstate(over="ignore"):
        bx = x * g.beta
        # e^z / (e^z + 1), PyTorch's form, is the sigmoid of z: computed stably.
        return np.where(bx > g.threshold, grad, grad * _sigmoid(bx))


# sin/cos/tan of +-inf are NaN, and sinh/cosh overflow to +-inf past |x| ~ 710 (89 in
# float32): those are the answers, not accidents (the kernels run under _ieee()).
_sin, _cos, _tan, _sinh, _cosh = np.sin, np.cos, np.tan, np.sinh, np.cosh


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
    "sin": _unary(_sin, lambda g, x: g * _cos(x), "x"),
    "cos": _unary(_cos, lambda g, x: -g * _sin(x), "x"),
    "tan": _unary(_tan, lambda g, y: g * (1 + y * y), "y"),  # 1 + tan^2, as PyTorch
    "sinh": _unary(_sinh, lambda g, x: g * _cosh(x), "x"),
    "cosh": _unary(_cosh, lambda g, x: g * _sinh(x), "x"),
    "silu": _unary(_silu, _silu_grad, "x"),
    "leaky_relu": _attrs_op(_leaky_relu, _leaky_relu_grad),
    "elu": _attrs_op(_elu, _elu_grad),
    "gelu": _attrs_op(_gelu, _gelu_grad),
    "softplus": _attrs_op(_softplus, _softplus_grad),
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
