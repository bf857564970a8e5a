"""Elementwise ops on CUDA, "strided": one thread per output element; each input is read
through its broadcast strides (0 along a broadcast dim), passed as tuples of ints after
:func:`ops._cuda.coalesce` has merged the dims it can. Backward computes each input's
gradient in the broadcast (output) shape with the same kind of kernel, then sums it back
to the input's shape with the reduce op's tree kernel (``sum_to``).

Constants are typed as the kernel's dtype: Numba types a bare literal next to a float32
as float64 (``x * 0`` would convert, multiply in float64 and round back), so a function
that needs one is a :class:`_PerDtype` maker, built per dtype with ``t(0)``, ``t(1)``
(a NumPy scalar in a closure keeps its dtype).
"""
from __future__ import annotations

import functools
import math

import numpy as np
from numba import cuda

from ... import _cuda
from ..._cuda import offset
from ...reduce.cuda._tree import sum_to


# --- launch helpers -----------------------------------------------------------------

@cuda.jit(device=True)
def _offsets2(i, shape, sa, sb):
    oa = 0
    ob = 0
    for d in range(len(shape) - 1, -1, -1):
        n = shape[d]
        k = i % n
        oa += k * sa[d]
        ob += k * sb[d]
        i //= n
    return oa, ob


def _layout(out_shape, *shapes):
    """Coalesced (shape, strides...) reading each input of ``shapes`` broadcast to out."""
    return _cuda.coalesce(out_shape, *(_cuda.broadcast_strides(s, out_shape) for s in shapes))


@functools.lru_cache(maxsize=None)
def _dummy(dtype):
    # Stands in for a gradient buffer nobody needs (the kernel never writes it).
    return _cuda.empty((1,), dtype)


class _PerDtype:
    """``make(t)`` built once per dtype, ``t`` its NumPy scalar type (np.float32...):
    the device function or kernel it returns takes its constants from ``t``."""

    def __init__(self, make):
        self._build = functools.lru_cache(maxsize=None)(make)
        functools.update_wrapper(self, make)

    def __call__(self, dtype):
        return self._build(np.dtype(dtype).type)


def _for(fn, dtype):
    """The device function ``fn`` as compiled for arrays of ``dtype``."""
    return fn(dtype) if isinstance(fn, _PerDtype) else fn


# --- kernel factories (one compiled kernel per device function, cached) -------------

@functools.lru_cache(maxsize=None)
def _map1(fn):
    @_cuda.kernel
    def kernel(out, x, n):
        i = cuda.grid(1)
        if i < n:
            out[i] = fn(x[i])
    return kernel


@functools.lru_cache(maxsize=None)
def _map2(fn):
    @_cuda.kernel
    def kernel(out, a, b, shape, sa, sb, n):
        i = cuda.grid(1)
        if i < n:
            oa, ob = _offsets2(i, shape, sa, sb)
            out[i] = fn(a[oa], b[ob])
    return kernel


@functools.lru_cache(maxsize=None)
def _grad1(fn):
    @_cuda.kernel
    def kernel(gx, g, x, y, n):
        i = cuda.grid(1)
        if i < n:
            gx[i] = fn(g[i], x[i], y[i])
    return kernel


@functools.lru_cache(maxsize=None)
def _grad2(fn):
    @_cuda.kernel
    def kernel(ga, gb, g, a, b, z, shape, sa, sb, n, need_a, need_b):
        i = cuda.grid(1)
        if i < n:
            oa, ob = _offsets2(i, shape, sa, sb)
            da, db = fn(g[i], a[oa], b[ob], z[i])
            if need_a:
                ga[i] = da
            if need_b:
                gb[i] = db
    return kernel


def _run_map1(fn, x, dtype=None):
    out = _cuda.empty(x.shape, x.dtype if dtype is None else dtype)
    n = out.size
    if n:
        _map1(_for(fn, x.dtype))[_cuda.launch(n)](_cuda.flat(out), _cuda.flat(x), n)
    return out


# --- binary ops ---------------------------------------------------------------------

def _binary(fn, grad_fn, out_dtype=None):
    def forward(a, b):
        shape = np.broadcast_shapes(a.shape, b.shape)
        out = _cuda.empty(shape, a.dtype if out_dtype is None else out_dtype)
        n = out.size
        if n:
            cshape, sa, sb = _layout(shape, a.shape, b.shape)
            _map2(_for(fn, a.dtype))[_cuda.launch(n)](_cuda.flat(out), _cuda.flat(a),
                                                      _cuda.flat(b), cshape, sa, sb, n)
        return out

    def backward(grad, inputs, out, needs):
        a, b = inputs
        shape = out.shape
        dt = grad.dtype
        ga = _cuda.empty(shape, dt) if needs[0] else _dummy(dt)
        gb = _cuda.empty(shape, dt) if needs[1] else _dummy(dt)
        n = grad.size
        if n:
            cshape, sa, sb = _layout(shape, a.shape, b.shape)
            _grad2(_for(grad_fn, dt))[_cuda.launch(n)](
                _cuda.flat(ga), _cuda.flat(gb), _cuda.flat(grad), _cuda.flat(a),
                _cuda.flat(b), _cuda.flat(out), cshape, sa, sb, n, bool(needs[0]),
                bool(needs[1]))
        return (sum_to(ga, a.shape) if needs[0] else None,
                sum_to(gb, b.shape) if needs[1] else None)
    return forward, backward


@cuda.jit(device=True)
def _add(a, b):
    return a + b


@cuda.jit(device=True)
def _sub(a, b):
    return a - b


@cuda.jit(device=True)
def _mul(a, b):
    return a * b


@cuda.jit(device=True)
def _div(a, b):
    return a / b


@cuda.jit(device=True)
def _pow(a, b):
    return a ** b


@cuda.jit(device=True)
def _maximum(a, b):
    return a if (a >= b or a != a) else b  # NaN propagates, as np.maximum


@cuda.jit(device=True)
def _minimum(a, b):
    return a if (a <= b or a != a) else b


@cuda.jit(device=True)
def _sub_grad(g, a, b, z):
    return g, -g


@cuda.jit(device=True)
def _mul_grad(g, a, b, z):
    return g * b, g * a


@cuda.jit(device=True)
def _div_grad(g, a, b, z):
    return g / b, -g * z / b


@_PerDtype
def _pow_grad(t):
    zero, one = t(0), t(1)

    @cuda.jit(device=True)
    def pow_grad(g, a, b, z):
        # d(a^b)/db = a^b log a; where a == 0 the limit is 0 (PyTorch's convention).
        gb = g * zero if a == zero else g * z * math.log(a)
        return g * b * a ** (b - one), gb
    return pow_grad


@_PerDtype
def _maximum_grad(t):
    zero, half, one = t(0), t(0.5), t(1)

    @cuda.jit(device=True)
    def maximum_grad(g, a, b, z):
        share = half if a == b else (one if a > b else zero)  # ties split evenly
        return g * share, g * (one - share)
    return maximum_grad


@_PerDtype
def _minimum_grad(t):
    zero, half, one = t(0), t(0.5), t(1)

    @cuda.jit(device=True)
    def minimum_grad(g, a, b, z):
        share = half if a == b else (one if a < b else zero)
        return g * share, g * (one - share)
    return minimum_grad


_add_fwd = _binary(_add, None)[0]


def _add_backward(grad, inputs, out, needs):
    # Both gradients are grad itself, summed back: no elementwise kernel needed.
    a, b = inputs
    return (sum_to(grad, a.shape) if needs[0] else None,
            sum_to(grad, b.shape) if needs[1] else None)


def _bool_as(dtype, fwd):
    """NumPy computes some ops on bools in another dtype (pow -> int8): cast, then run."""
    def forward(*xs):
        if xs[0].dtype == np.bool_:
            xs = tuple(_cuda.copy(x, dtype) for x in xs)
        return fwd(*xs)
    return forward


# --- unary ops ----------------------------------------------------------------------

def _unary(fn, grad_fn):
    def forward(x):
        return _run_map1(fn, x)

    def backward(grad, inputs, out, needs):
        x = inputs[0]
        gx = _cuda.empty(x.shape, grad.dtype)
        n = gx.size
        if n:
            _grad1(_for(grad_fn, grad.dtype))[_cuda.launch(n)](
                _cuda.flat(gx), _cuda.flat(grad), _cuda.flat(x), _cuda.flat(out), n)
        return (gx,)
    return forward, backward


@cuda.jit(device=True)
def _neg(x):
    return -x


@cuda.jit(device=True)
def _abs(x):
    return abs(x)


@cuda.jit(device=True)
def _exp(x):
    return math.exp(x)


@cuda.jit(device=True)
def _log(x):
    return math.log(x)


@cuda.jit(device=True)
def _sqrt(x):
    return math.sqrt(x)


@_PerDtype
def _relu(t):
    zero = t(0)

    @cuda.jit(device=True)
    def relu(x):
        return x if not x < zero else zero  # NaN stays NaN, -inf gives 0: np.maximum(x, 0)
    return relu


@_PerDtype
def _sigmoid(t):
    one = t(1)

    @cuda.jit(device=True)
    def sigmoid(x):
        e = math.exp(-abs(x))  # exp of a non-positive number: never overflows
        return one / (one + e) if x >= 0 else e / (one + e)
    return sigmoid


@cuda.jit(device=True)
def _tanh(x):
    return math.tanh(x)


@cuda.jit(device=True)
def _neg_grad(g, x, y):
    return -g


@_PerDtype
def _abs_grad(t):
    zero = t(0)

    @cuda.jit(device=True)
    def abs_grad(g, x, y):
        if x != x:
            return g * x  # sign(NaN) is NaN
        # g * sign(x), as NumPy: g * 0 is NaN where g is inf or NaN.
        return g if x > zero else (-g if x < zero else g * zero)
    return abs_grad


@cuda.jit(device=True)
def _exp_grad(g, x, y):
    return g * y


@cuda.jit(device=True)
def _log_grad(g, x, y):
    return g / x


@_PerDtype
def _sqrt_grad(t):
    two = t(2)

    @cuda.jit(device=True)
    def sqrt_grad(g, x, y):
        return g / (two * y)
    return sqrt_grad


@_PerDtype
def _relu_grad(t):
    zero = t(0)

    @cuda.jit(device=True)
    def relu_grad(g, x, y):
        return g if x > zero else g * zero  # g * (x > 0), as NumPy
    return relu_grad


@_PerDtype
def _sigmoid_grad(t):
    one = t(1)

    @cuda.jit(device=True)
    def sigmoid_grad(g, x, y):
        return g * y * (one - y)
    return sigmoid_grad


@_PerDtype
def _tanh_grad(t):
    one = t(1)

    @cuda.jit(device=True)
    def tanh_grad(g, x, y):
        return g * (one - y * y)
    return tanh_grad


_relu_fwd, _relu_bwd = _unary(_relu, _relu_grad)


def _relu_forward(x):
    # relu of a bool tensor is np.maximum(x, 0): int64, as NumPy promotes it.
    return _relu_fwd(_cuda.copy(x, np.int64) if x.dtype == np.bool_ else x)


# --- comparisons --------------------------------------------------------------------

@cuda.jit(device=True)
def _eq(a, b):
    return a == b


@cuda.jit(device=True)
def _ne(a, b):
    return a != b


@cuda.jit(device=True)
def _lt(a, b):
    return a < b


@cuda.jit(device=True)
def _le(a, b):
    return a <= b


@cuda.jit(device=True)
def _gt(a, b):
    return a > b


@cuda.jit(device=True)
def _ge(a, b):
    return a >= b


def _compare(fn):
    return _binary(fn, None, out_dtype=np.bool_)[0], None


# --- clamp, where, cast -------------------------------------------------------------

@_cuda.kernel
def _clamp_kernel(out, x, has_lo, lo, has_hi, hi, n):
    i = cuda.grid(1)
    if i < n:
        v = x[i]
        if has_lo and v < lo:
            v = lo
        if has_hi and v > hi:
            v = hi
        out[i] = v


@_PerDtype
def _clamp_grad_kernel(t):
    zero = t(0)

    @_cuda.kernel
    def clamp_grad(gx, g, x, has_lo, lo, has_hi, hi, n):
        i = cuda.grid(1)
        if i < n:
            v = x[i]
            keep = (not has_lo or v >= lo) and (not has_hi or v <= hi)
            gx[i] = g[i] if keep else g[i] * zero  # grad * keep, as NumPy
    return clamp_grad


def _bounds(dtype, min, max):
    t = np.dtype(dtype).type
    return (min is not None, t(0 if min is None else min),
            max is not None, t(0 if max is None else max))


def _clamp_forward(x, *, min, max):
    out = _cuda.empty(x.shape, x.dtype)
    n = out.size
    if n:
        _clamp_kernel[_cuda.launch(n)](_cuda.flat(out), _cuda.flat(x),
                                       *_bounds(x.dtype, min, max), n)
    return out


def _clamp_backward(grad, inputs, out, needs, *, min, max):
    x = inputs[0]
    gx = _cuda.empty(x.shape, grad.dtype)
    n = gx.size
    if n:
        _clamp_grad_kernel(grad.dtype)[_cuda.launch(n)](
            _cuda.flat(gx), _cuda.flat(grad), _cuda.flat(x), *_bounds(x.dtype, min, max), n)
    return (gx,)


@_cuda.kernel
def _where_kernel(out, cond, x, y, shape, sc, sx, sy, n):
    i = cuda.grid(1)
    if i < n:
        oc = 0
        ox = 0
        oy = 0
        r = i
        for d in range(len(shape) - 1, -1, -1):
            k = r % shape[d]
            oc += k * sc[d]
            ox += k * sx[d]
            oy += k * sy[d]
            r //= shape[d]
        out[i] = x[ox] if cond[oc] else y[oy]


@_PerDtype
def _where_grad_kernel(t):
    zero = t(0)

    @_cuda.kernel
    def where_grad(gx, gy, g, cond, shape, sc, n, need_x, need_y):
        i = cuda.grid(1)
        if i < n:
            c = cond[offset(i, shape, sc)]
            v = g[i]
            # zero, not v * 0: the branch not taken gets no gradient, even an inf one
            # (np.where(cond, grad, 0), as the NumPy kernel and PyTorch).
            if need_x:
                gx[i] = v if c else zero
            if need_y:
                gy[i] = zero if c else v
    return where_grad


def _where_forward(cond, x, y):
    shape = np.broadcast_shapes(cond.shape, x.shape, y.shape)
    out = _cuda.empty(shape, x.dtype)
    n = out.size
    if n:
        cshape, sc, sx, sy = _layout(shape, cond.shape, x.shape, y.shape)
        _where_kernel[_cuda.launch(n)](_cuda.flat(out), _cuda.flat(cond), _cuda.flat(x),
                                       _cuda.flat(y), cshape, sc, sx, sy, n)
    return out


def _where_backward(grad, inputs, out, needs):
    cond, x, y = inputs
    shape, dt = grad.shape, grad.dtype
    gx = _cuda.empty(shape, dt) if needs[1] else _dummy(dt)
    gy = _cuda.empty(shape, dt) if needs[2] else _dummy(dt)
    n = grad.size
    if n:
        cshape, sc = _layout(shape, cond.shape)
        _where_grad_kernel(dt)[_cuda.launch(n)](
            _cuda.flat(gx), _cuda.flat(gy), _cuda.flat(grad), _cuda.flat(cond), cshape, sc, n,
            bool(needs[1]), bool(needs[2]))
    return (None,
            sum_to(gx, x.shape) if needs[1] else None,
            sum_to(gy, y.shape) if needs[2] else None)


def _cast_forward(x, *, dtype):
    return _cuda.copy(x, dtype)


def _cast_backward(grad, inputs, out, needs, *, dtype):
    return (_cuda.copy(grad, inputs[0].dtype),)


KERNELS = {
    "add": (_add_fwd, _add_backward),
    "sub": _binary(_sub, _sub_grad),
    "mul": _binary(_mul, _mul_grad),
    "div": _binary(_div, _div_grad),
    "pow": (_bool_as(np.int8, _binary(_pow, _pow_grad)[0]), _binary(_pow, _pow_grad)[1]),
    "maximum": _binary(_maximum, _maximum_grad),
    "minimum": _binary(_minimum, _minimum_grad),
    "neg": _unary(_neg, _neg_grad),
    "abs": _unary(_abs, _abs_grad),
    "exp": _unary(_exp, _exp_grad),
    "log": _unary(_log, _log_grad),
    "sqrt": _unary(_sqrt, _sqrt_grad),
    "relu": (_relu_forward, _relu_bwd),
    "sigmoid": _unary(_sigmoid, _sigmoid_grad),
    "tanh": _unary(_tanh, _tanh_grad),
    "eq": _compare(_eq),
    "ne": _compare(_ne),
    "lt": _compare(_lt),
    "le": _compare(_le),
    "gt": _compare(_gt),
    "ge": _compare(_ge),
    "clamp": (_clamp_forward, _clamp_backward),
    "where": (_where_forward, _where_backward),
    "cast": (_cast_forward, _cast_backward),
}
