"""The Numba row reductions of the softmax family (softmax, log_softmax and
cross_entropy's numba.py compile them in): a vectorisable exp, reductions along a row,
the same reductions down the rows of a block (for a softmax dimension other than the
last), and how such blocks are cut into chunks.

The exponential: Numba's ``math.exp`` calls libm once per element, which LLVM cannot
vectorise (this numba has no SVML), and it made exp 5x slower than NumPy's SIMD exp.
``_exp`` below is written out with plain arithmetic so that LLVM vectorises it:
exp(x) = 2^k * exp(r) with k = round(x / ln 2) and r = x - k ln 2 (|r| <= ln 2 / 2;
ln 2 split in two parts so that k ln 2 is exact), exp(r) by its Taylor polynomial
(degree 7 for float32, 13 for float64: truncation error below half an ulp), and 2^k
built from exponent bits, in two factors so that subnormal results are rounded once.
Measured against NumPy in float64: relative error below 1.2e-7 (float32) and 2.3e-16
(float64), subnormal results included; 0 below the underflow point, inf above the
overflow point, NaN for NaN, like NumPy's exp.

The column helpers (``_cols_*``) and ``chunking`` / ``combine_*`` serve the column
kernels: along a dimension other than the last, the n values of a line are ``inner``
elements apart, so the kernels work on chunks of kc whole rows (kc * inner ~ CHUNK
values, kc >= 16, fixed by the shape alone, never by the thread count) and every inner
loop runs along a contiguous row of ``inner`` values.

numba.py's kernels compile these helpers in; their on-disk cache notices edits to this
file too (ops/_numba.py).
"""

from __future__ import annotations

import math

import numpy as np
from numba import types
from numba.extending import overload

from .._numba import njit

# Below this many elements the row kernels run serially (see numba.py).
PARALLEL_MIN = 1 << 15
# Values per chunk of rows in the column kernels (see chunking).
CHUNK = 1 << 16


# --- a vectorisable exp ----------------------------------------------------------------


def _exp(x):
    """exp(x) for a float32 or float64 scalar inside a kernel (see _exp_f32/_exp_f64)."""
    return math.exp(x)


_LOG2E = 1.4426950408889634

# float32: ln 2 = _L2H_32 + _L2L_32 with _L2H_32 = 355/512 exact in 9 bits, so k * _L2H_32
# is exact for |k| < 2^15; exp(-104) rounds to 0 and exp(89) to inf in float32.
_LO_32, _HI_32 = np.float32(-104.0), np.float32(89.0)
_LOG2E_32, _HALF_32 = np.float32(_LOG2E), np.float32(0.5)
_L2H_32, _L2L_32 = np.float32(0.693359375), np.float32(-2.12194440e-4)
_P_32 = tuple(np.float32(1.0 / math.factorial(i)) for i in range(8))
_I127, _I23, _I1 = np.int32(127), np.int32(23), np.int32(1)

# float64: fdlibm's split of ln 2 (the high part has 21 trailing zero bits); exp(-746)
# rounds to 0 and exp(710) to inf in float64.
_LO_64, _HI_64 = -746.0, 710.0
_L2H_64, _L2L_64 = 6.93147180369123816490e-01, 1.90821492927058770002e-10
_P_64 = tuple(1.0 / math.factorial(i) for i in range(14))


def _exp_f32(x):
    xc = x if x > _LO_32 else _LO_32  # NaN -> _LO_32, put back at the end
    xc = xc if xc < _HI_32 else _HI_32
    kf = np.floor(xc * _LOG2E_32 + _HALF_32)
    r = (xc - kf * _L2H_32) - kf * _L2L_32
    p = _P_32
    e = ((((((p[7] * r + p[6]) * r + p[5]) * r + p[4]) * r + p[3]) * r + p[2]) * r
         + p[1]) * r + p[0]
    # 2^k as two factors 2^k1 * 2^k2 (|k1|, |k2| <= 75, both normal numbers), so that
    # a subnormal result is rounded once, at the last product.
    k = np.int32(kf)
    k1 = k >> _I1
    k2 = k - k1
    e = e * np.int32((k1 + _I127) << _I23).view(np.float32)
    e = e * np.int32((k2 + _I127) << _I23).view(np.float32)
    return e if x == x else x


def _exp_f64(x):
    xc = x if x > _LO_64 else _LO_64  # NaN -> _LO_64, put back at the end
    xc = xc if xc < _HI_64 else _HI_64
    kf = np.floor(xc * _LOG2E + 0.5)
    r = (xc - kf * _L2H_64) - kf * _L2L_64
    p = _P_64
    e = ((((((((((((p[13] * r + p[12]) * r + p[11]) * r + p[10]) * r + p[9]) * r + p[8])
                 * r + p[7]) * r + p[6]) * r + p[5]) * r + p[4]) * r + p[3]) * r + p[2])
         * r + p[1]) * r + p[0]
    k = np.int64(kf)
    k1 = k >> 1
    k2 = k - k1
    e = e * np.int64((k1 + 1023) << 52).view(np.float64)
    e = e * np.int64((k2 + 1023) << 52).view(np.float64)
    return e if x == x else x


# "contract" lets LLVM fuse each multiply-add of the polynomial into one FMA instruction
# (one rounding instead of two: no less accurate, and 1.3x faster for float32, 1.6x for
# float64). No other fast-math flag: NaN and inf go through as IEEE says.
@overload(_exp, jit_options={"fastmath": {"contract"}})
def _exp_overload(x):
    # The exponent bits differ per type, so each float type has its own body.
    if x == types.float32:
        return _exp_f32
    if x == types.float64:
        return _exp_f64
    return None


# --- reductions along a row ----------------------------------------------------------------
# A running sum is a chain of dependent additions, which LLVM may not reorder without
# permission (that changes the rounding), so it stays scalar (4.5x slower than the
# vectorised sum, a fifth of softmax's time). fastmath={"reassoc"} on these two small
# functions, and nowhere else, lets LLVM keep several partial sums in vector registers
# instead. The order of the additions is then fixed by the compiled loop (for a given
# machine), never by the threads; NaN and inf behave as IEEE says (no nnan/ninf flags).
# These two must not call _exp: Numba compiles an @overload with its caller's flags.
# The maximum needs no flag: 8 running maxima written out run at memory speed (and max
# is exact in any order).


@njit(cache=True)
def _max(a):
    """max(a) of a 1-D array (NaN entries are skipped, -inf if nothing is left)."""
    n = a.shape[0]
    nb = n - n % 8
    m0 = m1 = m2 = m3 = m4 = m5 = m6 = m7 = a.dtype.type(-np.inf)
    for b in range(0, nb, 8):
        v = a[b]
        m0 = v if v > m0 else m0
        v = a[b + 1]
        m1 = v if v > m1 else m1
        v = a[b + 2]
        m2 = v if v > m2 else m2
        v = a[b + 3]
        m3 = v if v > m3 else m3
        v = a[b + 4]
        m4 = v if v > m4 else m4
        v = a[b + 5]
        m5 = v if v > m5 else m5
        v = a[b + 6]
        m6 = v if v > m6 else m6
        v = a[b + 7]
        m7 = v if v > m7 else m7
    m = max(max(max(m0, m1), max(m2, m3)), max(max(m4, m5), max(m6, m7)))
    for k in range(nb, n):
        v = a[k]
        m = v if v > m else m
    return m


@njit(cache=True, fastmath={"reassoc"})
def _sum(a):
    """sum(a) of a 1-D array, in a's dtype."""
    s = a.dtype.type(0)
    for k in range(a.shape[0]):
        s += a[k]
    return s


@njit(cache=True, fastmath={"reassoc"})
def _dot(a, b):
    """sum(a * b) of two 1-D arrays, in their dtype."""
    s = a.dtype.type(0)
    for k in range(a.shape[0]):
        s += a[k] * b[k]
    return s


@njit(cache=True)
def _exp_shifted(x, m, out):
    """out[k] = exp(x[k] - m) for 1-D arrays."""
    for k in range(x.shape[0]):
        out[k] = _exp(x[k] - m)


# --- column helpers: the same reductions down the rows of an (rows, inner) block ---------
# The inner loops run along a contiguous row (over c), so they vectorise as they are:
# each c has its own accumulator out[c], updated row after row in order.


@njit(cache=True)
def _cols_max(a, out):
    """out[c] = max_k a[k, c] (NaN entries skipped)."""
    out[:] = -np.inf
    for k in range(a.shape[0]):
        ak = a[k]
        for c in range(out.shape[0]):
            v = ak[c]
            out[c] = v if v > out[c] else out[c]


@njit(cache=True)
def _cols_sum(a, out):
    """out[c] = sum_k a[k, c], in the order k = 0, 1, ..."""
    out[:] = 0
    for k in range(a.shape[0]):
        ak = a[k]
        for c in range(out.shape[0]):
            out[c] += ak[c]


@njit(cache=True)
def _cols_dot(a, b, out):
    """out[c] = sum_k a[k, c] * b[k, c], in the order k = 0, 1, ..."""
    out[:] = 0
    for k in range(a.shape[0]):
        ak = a[k]
        bk = b[k]
        for c in range(out.shape[0]):
            out[c] += ak[c] * bk[c]


@njit(cache=True)
def _cols_exp_sum(x, m, y, out):
    """out[c] = sum_k exp(x[k, c] - m[c]), also stored in y[k, c] unless y is None."""
    out[:] = 0
    for k in range(x.shape[0]):
        xk = x[k]
        if y is None:
            for c in range(out.shape[0]):
                out[c] += _exp(xk[c] - m[c])
        else:
            yk = y[k]
            for c in range(out.shape[0]):
                e = _exp(xk[c] - m[c])
                yk[c] = e
                out[c] += e


@njit(cache=True)
def _cols_scale(a, s):
    """a[k, c] *= 1 / s[c]."""
    inv = 1 / s
    for k in range(a.shape[0]):
        ak = a[k]
        for c in range(inv.shape[0]):
            ak[c] *= inv[c]


@njit(cache=True)
def chunking(n, inner):
    """(rows per chunk, number of chunks) splitting n rows of ``inner`` values into
    chunks of about CHUNK values, at least 16 rows: fixed by the shape, never by the
    number of threads."""
    kc = max(16, CHUNK // inner)
    return kc, (n + kc - 1) // kc


@njit(cache=True)
def combine_max(part):
    """(outer, nk, inner) per-chunk maxima -> (outer, inner) maxima (serial: a
    fraction 1/16 or less of the data; no copy at all for a single chunk)."""
    outer, nk, inner = part.shape
    if nk == 1:
        return part.reshape(outer, inner)
    out = np.empty((outer, inner), part.dtype)
    for o in range(outer):
        _cols_max(part[o], out[o])
    return out


@njit(cache=True)
def combine_sum(part):
    """(outer, nk, inner) per-chunk sums -> (outer, inner) sums, added in chunk order."""
    outer, nk, inner = part.shape
    if nk == 1:
        return part.reshape(outer, inner)
    out = np.empty((outer, inner), part.dtype)
    for o in range(outer):
        _cols_sum(part[o], out[o])
    return out

