"""Elementwise ops on CUDA, "strided": one thread per output element; each input is read
through its broadcast strides (0 along a broadcast dim), passed as tuples of ints after
:func:`ops._cuda.coalesce` has merged the dims it can. Backward computes each input's
gradient in the broadcast (output) shape with the same kind of kernel, then sums it back
to the input's shape with the shared tree kernel (ops/_cuda_tree.py's ``sum_to``).

Kernel contract (docs/tape.md): ``forward(g, *arrays) -> (out, saved)``, ``backward(g,
grad, saved, needs)``; each op saves what its gradient reads, as ops/elementwise/numpy.py.

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
from ..._cuda_tree import sum_to


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
    # s: what forward saved (the input x or the output y), read at the same index.
    @_cuda.kernel
    def kernel(gx, g, s, n):
        i = cuda.grid(1)
        if i < n:
            gx[i] = fn(g[i], s[i])
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


@functools.lru_cache(maxsize=None)
def _map1_attrs(fn):
    # p: the op's parameters, a tuple typed as the arrays' dtype (see _attrs_of).
    @_cuda.kernel
    def kernel(out, x, p, n):
        i = cuda.grid(1)
        if i < n:
            out[i] = fn(x[i], p)
    return kernel


@functools.lru_cache(maxsize=None)
def _grad1_attrs(fn):
    @_cuda.kernel
    def kernel(gx, g, x, p, n):
        i = cuda.grid(1)
        if i < n:
            gx[i] = fn(g[i], x[i], p)
    return kernel


def _run_map1(fn, x, dtype=None):
    out = _cuda.empty(x.shape, x.dtype if dtype is None else dtype)
    n = out.size
    if n:
        _map1(_for(fn, x.dtype))[_cuda.launch(n)](_cuda.flat(out), _cuda.flat(x), n)
    return out


# --- binary ops ---------------------------------------------------------------------

def _binary(fn, grad_fn, out_dtype=None, saves: str = ""):
    """Kernel pair for z = fn(a, b). ``saves``: which of "a", "b", "z" ``grad_fn(g, a,
    b, z)`` reads; forward keeps those and the two input shapes, nothing else."""
    def forward(g, a, b):
        shape = np.broadcast_shapes(a.shape, b.shape)
        out = _cuda.empty(shape, a.dtype if out_dtype is None else out_dtype)
        n = out.size
        if n:
            cshape, sa, sb = _layout(shape, a.shape, b.shape)
            _map2(_for(fn, a.dtype))[_cuda.launch(n)](_cuda.flat(out), _cuda.flat(a),
                                                      _cuda.flat(b), cshape, sa, sb, n)
        return out, (a.shape, b.shape, a if "a" in saves else None,
                     b if "b" in saves else None, out if "z" in saves else None)

    def backward(g, grad, saved, needs):
        a_shape, b_shape, a, b, z = saved
        # grad stands in for an operand that was not saved (grad_fn never reads it): it
        # has the operands' dtype, and every offset the kernel computes into a or b (at
        # most their size) or z (the output's) is below grad's size, the output's.
        a, b, z = (grad if v is None else v for v in (a, b, z))
        shape = grad.shape
        dt = grad.dtype
        ga = _cuda.empty(shape, dt) if needs[0] else _dummy(dt)
        gb = _cuda.empty(shape, dt) if needs[1] else _dummy(dt)
        n = grad.size
        if n:
            cshape, sa, sb = _layout(shape, a_shape, b_shape)
            _grad2(_for(grad_fn, dt))[_cuda.launch(n)](
                _cuda.flat(ga), _cuda.flat(gb), _cuda.flat(grad), _cuda.flat(a),
                _cuda.flat(b), _cuda.flat(z), cshape, sa, sb, n, bool(needs[0]),
                bool(needs[1]))
        return (sum_to(ga, a_shape) if needs[0] else None,
                sum_to(gb, b_shape) if needs[1] else None)
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
    zero, one, nan = t(0), t(1), t(np.nan)

    @cuda.jit(device=True)
    def pow_grad(g, a, b, z):
        # d(a^b)/db = a^b log a; where a == 0 the limit is 0 (PyTorch's convention). A
        # negative a has no real log: NaN, as on the GPU, written out because the
        # simulator's math.log raises there (and this runs even when b needs no grad).
        if a == zero:
            gb = g * zero
        elif a > zero:
            gb = g * z * math.log(a)
        else:
            gb = nan
        # An exponent of 0 has gradient 0 to the base, even at a base of 0 (PyTorch).
        return (g * zero if b == zero else g * b * a ** (b - one)), gb
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


def _add_backward(g, grad, saved, needs):
    # Both gradients are grad itself, summed back: no elementwise kernel needed.
    a_shape, b_shape = saved[:2]
    return (sum_to(grad, a_shape) if needs[0] else None,
            sum_to(grad, b_shape) if needs[1] else None)


def _bool_as(dtype, fwd):
    """NumPy computes some ops on bools in another dtype (pow -> int8): cast, then run."""
    def forward(g, *xs):
        if xs[0].dtype == np.bool_:
            xs = tuple(_cuda.copy(x, dtype) for x in xs)
        return fwd(g, *xs)
    return forward


# --- unary ops ----------------------------------------------------------------------

def _unary(fn, grad_fn, saves: str = ""):
    """Kernel pair for y = fn(x); ``saves`` is "x" or "y", the one array ``grad_fn(g,
    s)`` reads, or "" for none (grad then stands in for it, unread)."""
    def forward(g, x):
        y = _run_map1(fn, x)
        return y, {"x": x, "y": y}.get(saves)

    def backward(g, grad, saved, needs):
        s = grad if saved is None else saved
        gx = _cuda.empty(grad.shape, grad.dtype)
        n = gx.size
        if n:
            _grad1(_for(grad_fn, grad.dtype))[_cuda.launch(n)](
                _cuda.flat(gx), _cuda.flat(grad), _cuda.flat(s), n)
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
def _neg_grad(g, unused):
    return -g


@_PerDtype
def _abs_grad(t):
    zero = t(0)

    @cuda.jit(device=True)
    def abs_grad(g, x):
        if x != x:
            return g * x  # sign(NaN) is NaN
        # g * sign(x), as NumPy: g * 0 is NaN where g is inf or NaN.
        return g if x > zero else (-g if x < zero else g * zero)
    return abs_grad


@cuda.jit(device=True)
def _exp_grad(g, y):
    return g * y


@cuda.jit(device=True)
def _log_grad(g, x):
    return g / x


@_PerDtype
def _sqrt_grad(t):
    two = t(2)

    @cuda.jit(device=True)
    def sqrt_grad(g, y):
        return g / (two * y)
    return sqrt_grad


@_PerDtype
def _relu_grad(t):
    zero = t(0)

    @cuda.jit(device=True)
    def relu_grad(g, y):
        # g * (x > 0), as NumPy; y = relu(x) > 0 exactly where x > 0 (NaN is not).
        return g if y > zero else g * zero
    return relu_grad


@_PerDtype
def _sigmoid_grad(t):
    one = t(1)

    @cuda.jit(device=True)
    def sigmoid_grad(g, y):
        return g * y * (one - y)
    return sigmoid_grad


@_PerDtype
def _tanh_grad(t):
    one = t(1)

    @cuda.jit(device=True)
    def tanh_grad(g, y):
        return g * (one - y * y)
    return tanh_grad


def _finite_only(f):
    """The device function f(x), or NaN (x - x) where x is +-inf or NaN, as NumPy's
    sin/cos/tan there: CUDA's sin gives that NaN itself, the simulator's math.sin raises."""
    @cuda.jit(device=True)
    def finite_only(x):
        return f(x) if math.isfinite(x) else x - x
    return finite_only


@cuda.jit(device=True)
def _sin_f(x):
    return math.sin(x)


@cuda.jit(device=True)
def _cos_f(x):
    return math.cos(x)


@cuda.jit(device=True)
def _tan_f(x):
    return math.tan(x)


_sin, _cos, _tan = _finite_only(_sin_f), _finite_only(_cos_f), _finite_only(_tan_f)


@cuda.jit(device=True)
def _sin_grad(g, x):
    return g * _cos(x)


@cuda.jit(device=True)
def _cos_grad(g, x):
    return -g * _sin(x)


@_PerDtype
def _tan_grad(t):
    one = t(1)

    @cuda.jit(device=True)
    def tan_grad(g, y):
        return g * (one + y * y)
    return tan_grad


@cuda.jit(device=True)
def _sinh(x):
    return math.sinh(x)


@cuda.jit(device=True)
def _cosh(x):
    return math.cosh(x)


@cuda.jit(device=True)
def _sinh_grad(g, x):
    return g * math.cosh(x)


@cuda.jit(device=True)
def _cosh_grad(g, x):
    return g * math.sinh(x)


@_PerDtype
def _silu(t):
    sigmoid = _sigmoid(t)

    @cuda.jit(device=True)
    def silu(x):
        return x * sigmoid(x)
    return silu


@_PerDtype
def _silu_grad(t):
    one = t(1)
    sigmoid = _sigmoid(t)

    @cuda.jit(device=True)
    def silu_grad(g, x):
        s = sigmoid(x)
        return g * s * (one + x * (one - s))
    return silu_grad


_relu_fwd, _relu_bwd = _unary(_relu, _relu_grad, "y")


def _relu_forward(g, x):
    # relu of a bool tensor is np.maximum(x, 0): int64, as NumPy promotes it.
    return _relu_fwd(g, _cuda.copy(x, np.int64) if x.dtype == np.bool_ else x)


# --- unary ops with parameters (UNARY_ATTRS) ----------------------------------------
# The parameters travel as a kernel argument (a tuple typed as the arrays' dtype), not
# as compile-time constants: one compiled kernel per dtype serves every value. gelu's
# ``approximate`` picks one of two kernels instead. Formulas: ops/elementwise/numpy.py.

def _attrs_of(g, names, dtype):
    t = np.dtype(dtype).type
    return tuple(t(getattr(g, name)) for name in names)


def _unary_attrs(fn, grad_fn, names):
    """Kernel pair for y = fn(x, p), p the geometry's ``names``; saves x, which
    ``grad_fn(g, x, p)`` reads."""
    def forward(g, x):
        out = _cuda.empty(x.shape, x.dtype)
        n = out.size
        if n:
            _map1_attrs(_for(fn, x.dtype))[_cuda.launch(n)](
                _cuda.flat(out), _cuda.flat(x), _attrs_of(g, names, x.dtype), n)
        return out, x

    def backward(g, grad, x, needs):
        gx = _cuda.empty(grad.shape, grad.dtype)
        n = gx.size
        if n:
            _grad1_attrs(_for(grad_fn, grad.dtype))[_cuda.launch(n)](
                _cuda.flat(gx), _cuda.flat(grad), _cuda.flat(x),
                _attrs_of(g, names, grad.dtype), n)
        return (gx,)
    return forward, backward


@_PerDtype
def _leaky_relu(t):
    zero = t(0)

    @cuda.jit(device=True)
    def leaky_relu(x, p):
        return x if x > zero else x * p[0]  # NaN: NaN * slope
    return leaky_relu


@_PerDtype
def _leaky_relu_grad(t):
    zero = t(0)

    @cuda.jit(device=True)
    def leaky_relu_grad(g, x, p):
        return g if x > zero else g * p[0]
    return leaky_relu_grad


@_PerDtype
def _elu(t):
    zero = t(0)

    @cuda.jit(device=True)
    def elu(x, p):
        return p[0] * math.expm1(x) if x <= zero else x
    return elu


@_PerDtype
def _elu_grad(t):
    zero = t(0)

    @cuda.jit(device=True)
    def elu_grad(g, x, p):
        return g * p[0] * math.exp(x) if x <= zero else g
    return elu_grad


@_PerDtype
def _softplus(t):
    zero = t(0)

    @cuda.jit(device=True)
    def softplus(x, p):
        beta, threshold = p
        z = x * beta
        if z > threshold:
            return x
        # log(1 + e^z) = max(z, 0) + log1p(e^-|z|), as np.logaddexp(0, z): no overflow.
        return ((z if z > zero else zero) + math.log1p(math.exp(-abs(z)))) / beta
    return softplus


@_PerDtype
def _softplus_grad(t):
    sigmoid = _sigmoid(t)

    @cuda.jit(device=True)
    def softplus_grad(g, x, p):
        beta, threshold = p
        z = x * beta
        return g if z > threshold else g * sigmoid(z)
    return softplus_grad


@_PerDtype
def _gelu_erf(t):
    half, one, rsqrt2 = t(0.5), t(1), t(math.sqrt(0.5))

    @cuda.jit(device=True)
    def gelu(x):
        return x * half * (one + math.erf(x * rsqrt2))
    return gelu


@_PerDtype
def _gelu_erf_grad(t):
    half, one, rsqrt2 = t(0.5), t(1), t(math.sqrt(0.5))
    inv_sqrt_2pi = t(1 / math.sqrt(2 * math.pi))

    @cuda.jit(device=True)
    def gelu_grad(g, x):
        # x * x = inf for a huge |x|: exp(-inf) = 0, as the NumPy kernel's.
        cdf = half * (one + math.erf(x * rsqrt2))
        return g * (cdf + x * inv_sqrt_2pi * math.exp(-half * x * x))
    return gelu_grad


@_PerDtype
def _gelu_tanh_parts(t):
    bound, kappa, s2pi = t(50), t(0.044715), t(math.sqrt(2 / math.pi))

    @cuda.jit(device=True)
    def parts(x):
        # x clipped to +-50 inside the polynomial, as numpy.py (tanh is +-1 there).
        xc = x
        if x > bound:
            xc = bound
        elif x < -bound:
            xc = -bound
        return xc, math.tanh(s2pi * (xc + kappa * xc * xc * xc))
    return parts


@_PerDtype
def _gelu_tanh(t):
    half, one = t(0.5), t(1)
    parts = _gelu_tanh_parts(t)

    @cuda.jit(device=True)
    def gelu(x):
        xc, th = parts(x)
        return half * x * (one + th)
    return gelu


@_PerDtype
def _gelu_tanh_grad(t):
    half, one, three = t(0.5), t(1), t(3)
    kappa, s2pi = t(0.044715), t(math.sqrt(2 / math.pi))
    parts = _gelu_tanh_parts(t)

    @cuda.jit(device=True)
    def gelu_grad(g, x):
        xc, th = parts(x)
        right = half * x * (one - th * th) * s2pi * (one + three * kappa * xc * xc)
        return g * (half * (one + th) + right)
    return gelu_grad


_GELU = {"none": _unary(_gelu_erf, _gelu_erf_grad, "x"),
         "tanh": _unary(_gelu_tanh, _gelu_tanh_grad, "x")}


def _gelu_forward(g, x):
    return _GELU[g.approximate][0](g, x)


def _gelu_backward(g, grad, x, needs):
    return _GELU[g.approximate][1](g, grad, x, needs)


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


def _clamp_forward(g, x):
    out = _cuda.empty(x.shape, x.dtype)
    n = out.size
    if n:
        _clamp_kernel[_cuda.launch(n)](_cuda.flat(out), _cuda.flat(x),
                                       *_bounds(x.dtype, g.min, g.max), n)
    return out, x


def _clamp_backward(g, grad, x, needs):
    gx = _cuda.empty(x.shape, grad.dtype)
    n = gx.size
    if n:
        _clamp_grad_kernel(grad.dtype)[_cuda.launch(n)](
            _cuda.flat(gx), _cuda.flat(grad), _cuda.flat(x), *_bounds(x.dtype, g.min, g.max),
            n)
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


def _where_forward(g, cond, x, y):
    shape = np.broadcast_shapes(cond.shape, x.shape, y.shape)
    out = _cuda.empty(shape, x.dtype)
    n = out.size
    if n:
        cshape, sc, sx, sy = _layout(shape, cond.shape, x.shape, y.shape)
        _where_kernel[_cuda.launch(n)](_cuda.flat(out), _cuda.flat(cond), _cuda.flat(x),
                                       _cuda.flat(y), cshape, sc, sx, sy, n)
    return out, (cond, x.shape, y.shape)


def _where_backward(g, grad, saved, needs):
    cond, x_shape, y_shape = saved
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
            sum_to(gx, x_shape) if needs[1] else None,
            sum_to(gy, y_shape) if needs[2] else None)


def _convert(x, dtype):
    # A cast to the array's own dtype is a plain copy (minigrad.arrays.copy: a
    # gradient's first accumulation into .grad): the driver copies it, no kernel.
    if np.dtype(dtype) == x.dtype:
        return _cuda.duplicate(x)
    return _cuda.copy(x, dtype)


def _cast_forward(g, x):
    return _convert(x, g.dtype), x.dtype


def _cast_backward(g, grad, x_dtype, needs):
    return (_convert(grad, x_dtype),)


_pow_fwd, _pow_bwd = _binary(_pow, _pow_grad, saves="abz")

KERNELS = {
    "add": (_add_fwd, _add_backward),
    "sub": _binary(_sub, _sub_grad),
    "mul": _binary(_mul, _mul_grad, saves="ab"),
    "div": _binary(_div, _div_grad, saves="bz"),
    "pow": (_bool_as(np.int8, _pow_fwd), _pow_bwd),
    "maximum": _binary(_maximum, _maximum_grad, saves="ab"),
    "minimum": _binary(_minimum, _minimum_grad, saves="ab"),
    "neg": _unary(_neg, _neg_grad),
    "abs": _unary(_abs, _abs_grad, "x"),
    "exp": _unary(_exp, _exp_grad, "y"),
    "log": _unary(_log, _log_grad, "x"),
    "sqrt": _unary(_sqrt, _sqrt_grad, "y"),
    "relu": (_relu_forward, _relu_bwd),
    "sigmoid": _unary(_sigmoid, _sigmoid_grad, "y"),
    "tanh": _unary(_tanh, _tanh_grad, "y"),
    "sin": _unary(_sin, _sin_grad, "x"),
    "cos": _unary(_cos, _cos_grad, "x"),
    "tan": _unary(_tan, _tan_grad, "y"),
    "sinh": _unary(_sinh, _sinh_grad, "x"),
    "cosh": _unary(_cosh, _cosh_grad, "x"),
    "silu": _unary(_silu, _silu_grad, "x"),
    "leaky_relu": _unary_attrs(_leaky_relu, _leaky_relu_grad, ("negative_slope",)),
    "elu": _unary_attrs(_elu, _elu_grad, ("alpha",)),
    "gelu": (_gelu_forward, _gelu_backward),
    "softplus": _unary_attrs(_softplus, _softplus_grad, ("beta", "threshold")),
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
