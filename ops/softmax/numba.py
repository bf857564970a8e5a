"""softmax, log_softmax and cross_entropy, parallel CPU kernels with Numba: rows split
over prange items. The vectorised exp and the row and column reductions they share are
in _rows_numba.py (read its docstring for them).

softmax and log_softmax view their input, without copying, as (outer, n, inner) with
the dimension ``dim`` in the middle (the geometry's outer, n, inner). Every prange item
owns whole rows or whole chunks of rows, writes only what it owns, and adds things up in
a fixed order; the few values that combine several items (column totals) are formed
serially afterwards, in item order. So no two threads write the same element, and the
results are the same bits for any number of threads.

Along the last dimension (inner == 1): one row of n values per item, three passes over
the row while it sits in L1::

    for r in prange(outer):
        m = max(x[r, :])                     # 8 running maxima
        y[r, k] = exp(x[r, k] - m)           # the vectorised exp
        s = sum(y[r, :])                     # vectorised sum
        softmax:      y[r, k] *= 1 / s
        log_softmax:  y[r, k] = (x[r, k] - m) - log(s)   (y was scratch for the exps)

Along another dimension (inner > 1) the n values of a line are ``inner`` elements apart.
Walking down one line, or a narrow block of lines, at a time reads a few bytes per
cache line and per 4 KiB page (measured 2-3x slower), so the items are chunks of kc
whole rows (kc * inner ~ CHUNK values, kc >= 16, fixed by the shape alone) and every
inner loop runs along a contiguous row of ``inner`` values, vectorised over c::

    for (o, j) in prange(outer x chunks):    part[o, j, c] = max over the chunk's rows of x
    m[o, c] = max_j part[o, j, c]                                    # serial, 1/kc of the data
    for (o, j) in prange(outer x chunks):    part[o, j, c] = sum over the chunk of exp(x - m)
                                             (softmax also keeps the exps in y)
    s[o, c] = sum_j part[o, j, c]                                    # serial, in chunk order
    for (o, j) in prange(outer x chunks):    softmax: y[o, k, c] *= 1 / s[o, c]
                                             log_softmax: y = (x - m[o, c]) - log s[o, c]

Backward, from the saved output y: softmax's dL/dx = y * (g - sum(g * y)) and
log_softmax's g - exp(y) * sum(g) have the same two shapes: per row a dot product (a
sum) then one elementwise pass; by chunks, per-chunk partial sums, their serial sum,
then the elementwise pass.

cross_entropy: each sample's loss and gradient row depend on that row alone, so rows
are the unit of parallel work; the only cross-row quantities (the reductions "mean"
and "sum", and the total weight that "mean" divides by) are formed afterwards or
beforehand from per-row values, serially and in row order. Forward, with the
log-probabilities log p_c = (x_c - m) - ls of a row (the same expressions as numpy.py)::

    for block of 16 rows in prange(N / 16):          # one scratch row per block
        for each row i of the block, t = target[i]:
            if t == ignore_index: nll[i] = smooth[i] = w_t[i] = 0; loss[i] = 0; continue
            m = max(x[i, :]);  scratch = exp(x[i, :] - m);  ls = log(sum(scratch))
            nll[i] = -((x[i, t] - m) - ls) * w[t]
            if eps > 0: scratch = (x[i, :] - m) - ls;  smooth[i] = -sum_c w[c] * scratch[c]
            loss[i] = (1 - eps) * nll[i] + eps / C * smooth[i]
    # serial, in row order, in float64:
    "sum":  (1 - eps) * sum(nll) + eps / C * sum(smooth)
    "mean": (1 - eps) * sum(nll) / sum(w_t) + eps / C * sum(smooth) / sum(w_t)   (0/0 = NaN)

Backward, from the saved logits (recomputing the softmax is cheaper than keeping an
(N, C) buffer alive until backward), with the gradient row itself as scratch::

    W = sum_c w[c];  total = sum of w[t_i] over counted rows     # serial, row order
    for i in prange(N):
        if ignored: grad[i, :] = 0; continue
        s_i = grad_out[i] ("none"), grad_out ("sum"), grad_out / total ("mean"; NaN if 0)
        m = max(x[i, :]);  e = exp(x[i, :] - m) -> grad[i, :];  S = sum(e)
        a = (1 - eps) * w[t] + eps / C * W
        grad[i, j] = (s_i * a / S) * e_j - s_i * eps / C * w[j]
        grad[i, t] -= s_i * (1 - eps) * w[t]

Ignored rows are skipped, never multiplied by 0, so non-finite logits in an ignored row
cannot leak a NaN into the result (as in numpy.py). Without a weight the kernels get
w = ones(C) (as numpy.py does): one compiled kernel per dtype instead of two, at no
measurable cost.

Inputs of fewer than ``PARALLEL_MIN`` elements run the row kernels (and cross_entropy's)
through the same loops with ``range`` instead of ``prange``: waking the worker threads
costs more than the work (a 128x10 batch takes microseconds). The column kernels always
use prange.

Memory: every forward and backward allocates its output (softmax's and log_softmax's:
x's shape and dtype; cross_entropy's backward: the (N, C) gradient); the column kernels
also allocate (outer, n / kc, inner) per-chunk partials and (outer, inner) totals, the
row kernels no scratch beyond the output row. cross_entropy's forward allocates the (N,)
losses, three (N,) float64 per-row buffers and one (C,) scratch row per block of 16
rows. Non-contiguous arguments are copied to C order first (a no-op for the usual
arrays). Saved for backward: softmax's and log_softmax's output; cross_entropy's
(logits, target, weight).
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .._numba import njit
from . import CrossEntropyGeometry, SoftmaxGeometry, kernels_of
from ._rows_numba import (
    PARALLEL_MIN,
    _cols_dot,
    _cols_exp_sum,
    _cols_max,
    _cols_scale,
    _cols_sum,
    _dot,
    _exp,
    _exp_shifted,
    _max,
    _sum,
    chunking,
    combine_max,
    combine_sum,
)


# --- softmax --------------------------------------------------------------------------------


@njit(cache=True)
def _softmax_row(x, y):
    _exp_shifted(x, _max(x), y)
    inv = x.dtype.type(1) / _sum(y)
    for k in range(y.shape[0]):
        y[k] *= inv


@njit(cache=True)
def _softmax_row_grad(y, g, gx):
    dot = _dot(g, y)
    for k in range(y.shape[0]):
        gx[k] = y[k] * (g[k] - dot)


@njit(parallel=True, cache=True)
def _softmax_forward_rows(x, y):
    """x, y: (R, n). Softmax of every row, one row per item."""
    if x.size < PARALLEL_MIN:
        for r in range(x.shape[0]):
            _softmax_row(x[r], y[r])
    else:
        for r in prange(x.shape[0]):
            _softmax_row(x[r], y[r])


@njit(parallel=True, cache=True)
def _softmax_backward_rows(y, g, gx):
    if y.size < PARALLEL_MIN:
        for r in range(y.shape[0]):
            _softmax_row_grad(y[r], g[r], gx[r])
    else:
        for r in prange(y.shape[0]):
            _softmax_row_grad(y[r], g[r], gx[r])


@njit(parallel=True, cache=True)
def _softmax_forward_cols(x, y):
    """x, y: (outer, n, inner). Softmax along axis 1; items are chunks of kc rows."""
    outer, n, inner = x.shape
    kc, nk = chunking(n, inner)
    part = np.empty((outer, nk, inner), x.dtype)
    for item in prange(outer * nk):
        o, j = item // nk, item % nk
        _cols_max(x[o, j * kc:(j + 1) * kc], part[o, j])
    m = combine_max(part)
    part = np.empty((outer, nk, inner), x.dtype)
    for item in prange(outer * nk):
        o, j = item // nk, item % nk
        rows = slice(j * kc, (j + 1) * kc)
        _cols_exp_sum(x[o, rows], m[o], y[o, rows], part[o, j])
    s = combine_sum(part)
    for item in prange(outer * nk):
        o, j = item // nk, item % nk
        _cols_scale(y[o, j * kc:(j + 1) * kc], s[o])


@njit(parallel=True, cache=True)
def _softmax_backward_cols(y, g, gx):
    """y, g, gx: (outer, n, inner). dot = sum(g * y) along axis 1, then gx."""
    outer, n, inner = y.shape
    kc, nk = chunking(n, inner)
    part = np.empty((outer, nk, inner), y.dtype)
    for item in prange(outer * nk):
        o, j = item // nk, item % nk
        rows = slice(j * kc, (j + 1) * kc)
        _cols_dot(g[o, rows], y[o, rows], part[o, j])
    dot = combine_sum(part)
    for item in prange(outer * nk):
        o, j = item // nk, item % nk
        rows = slice(j * kc, (j + 1) * kc)
        yc, gc, gxc, d = y[o, rows], g[o, rows], gx[o, rows], dot[o]
        for k in range(yc.shape[0]):
            yk, gk, gxk = yc[k], gc[k], gxc[k]
            for c in range(inner):
                gxk[c] = yk[c] * (gk[c] - d[c])


# --- log_softmax ----------------------------------------------------------------------------


@njit(cache=True)
def _log_softmax_row(x, y):
    m = _max(x)
    _exp_shifted(x, m, y)
    ls = np.log(_sum(y))
    for k in range(x.shape[0]):
        y[k] = (x[k] - m) - ls


@njit(cache=True)
def _log_softmax_row_grad(y, g, gx):
    s = _sum(g)
    for k in range(y.shape[0]):
        gx[k] = g[k] - _exp(y[k]) * s


@njit(parallel=True, cache=True)
def _log_softmax_forward_rows(x, y):
    """x, y: (R, n). log_softmax of every row, one row per item."""
    if x.size < PARALLEL_MIN:
        for r in range(x.shape[0]):
            _log_softmax_row(x[r], y[r])
    else:
        for r in prange(x.shape[0]):
            _log_softmax_row(x[r], y[r])


@njit(parallel=True, cache=True)
def _log_softmax_backward_rows(y, g, gx):
    if y.size < PARALLEL_MIN:
        for r in range(y.shape[0]):
            _log_softmax_row_grad(y[r], g[r], gx[r])
    else:
        for r in prange(y.shape[0]):
            _log_softmax_row_grad(y[r], g[r], gx[r])


@njit(parallel=True, cache=True)
def _log_softmax_forward_cols(x, y):
    """x, y: (outer, n, inner). log_softmax along axis 1; items are chunks of kc rows."""
    outer, n, inner = x.shape
    kc, nk = chunking(n, inner)
    part = np.empty((outer, nk, inner), x.dtype)
    for item in prange(outer * nk):
        o, j = item // nk, item % nk
        _cols_max(x[o, j * kc:(j + 1) * kc], part[o, j])
    m = combine_max(part)
    part = np.empty((outer, nk, inner), x.dtype)
    for item in prange(outer * nk):
        o, j = item // nk, item % nk
        _cols_exp_sum(x[o, j * kc:(j + 1) * kc], m[o], None, part[o, j])
    s = combine_sum(part)
    for item in prange(outer * nk):
        o, j = item // nk, item % nk
        xc, yc, mo = x[o, j * kc:(j + 1) * kc], y[o, j * kc:(j + 1) * kc], m[o]
        ls = np.log(s[o])
        for k in range(xc.shape[0]):
            xk, yk = xc[k], yc[k]
            for c in range(inner):
                yk[c] = (xk[c] - mo[c]) - ls[c]


@njit(parallel=True, cache=True)
def _log_softmax_backward_cols(y, g, gx):
    """y, g, gx: (outer, n, inner). sum(g) along axis 1 by chunks, then gx."""
    outer, n, inner = y.shape
    kc, nk = chunking(n, inner)
    part = np.empty((outer, nk, inner), y.dtype)
    for item in prange(outer * nk):
        o, j = item // nk, item % nk
        _cols_sum(g[o, j * kc:(j + 1) * kc], part[o, j])
    gs = combine_sum(part)
    for item in prange(outer * nk):
        o, j = item // nk, item % nk
        rows = slice(j * kc, (j + 1) * kc)
        yc, gc, gxc, so = y[o, rows], g[o, rows], gx[o, rows], gs[o]
        for k in range(yc.shape[0]):
            yk, gk, gxk = yc[k], gc[k], gxc[k]
            for c in range(inner):
                gxk[c] = gk[c] - _exp(yk[c]) * so[c]


# --- softmax and log_softmax: the Python side (views and allocation) -----------------------


def _along_dim(g: SoftmaxGeometry, kernels: tuple, *arrays: np.ndarray) -> None:
    """Run ``kernels`` = (rows kernel, column kernel) on C-contiguous ``arrays`` of the
    geometry's shape: the rows kernel on (outer, n) views along the last dimension
    (inner == 1), else the column kernel on (outer, n, inner) views."""
    if g.inner == 1:
        kernels[0](*(a.reshape(g.outer, g.n) for a in arrays))
    else:
        kernels[1](*(a.reshape(g.outer, g.n, g.inner) for a in arrays))


def _forward(g: SoftmaxGeometry, kernels: tuple, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.empty(x.shape, x.dtype)
    if y.size:
        _along_dim(g, kernels, np.ascontiguousarray(x), y)
    return y, y


def _backward(g: SoftmaxGeometry, kernels: tuple, grad_out: np.ndarray, y: np.ndarray,
              needs_input_grad: tuple[bool]) -> tuple[np.ndarray | None]:
    if not needs_input_grad[0]:
        return (None,)
    gx = np.empty(y.shape, y.dtype)
    if gx.size:
        _along_dim(g, kernels, np.ascontiguousarray(y),
                   np.ascontiguousarray(grad_out, dtype=y.dtype), gx)
    return (gx,)


def softmax_forward(g: SoftmaxGeometry, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x (any shape) -> (softmax along ``dim``, same shape and dtype; saved: itself)."""
    return _forward(g, (_softmax_forward_rows, _softmax_forward_cols), x)


def softmax_backward(g: SoftmaxGeometry, grad_out: np.ndarray, y: np.ndarray,
                     needs_input_grad: tuple[bool]) -> tuple[np.ndarray | None]:
    """dL/dx = y * (g - sum(g * y, dim)), from the saved output y."""
    return _backward(g, (_softmax_backward_rows, _softmax_backward_cols), grad_out, y,
                     needs_input_grad)


def log_softmax_forward(g: SoftmaxGeometry, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x (any shape) -> (log_softmax along ``dim``, same shape and dtype; saved: itself)."""
    return _forward(g, (_log_softmax_forward_rows, _log_softmax_forward_cols), x)


def log_softmax_backward(g: SoftmaxGeometry, grad_out: np.ndarray, y: np.ndarray,
                         needs_input_grad: tuple[bool]) -> tuple[np.ndarray | None]:
    """dL/dx = g - exp(y) * sum(g, dim), from the saved output y."""
    return _backward(g, (_log_softmax_backward_rows, _log_softmax_backward_cols), grad_out,
                     y, needs_input_grad)


# --- cross_entropy ----------------------------------------------------------------------------

# Rows per item of the forward kernel: one scratch row is allocated per item.
ROWS = 16
_REDUCTION = {"none": 0, "mean": 1, "sum": 2}


@njit(cache=True)
def _row_loss(x, t, w, eps, scratch):
    """(nll, smooth) of one counted row x (C,) with target class t and class weights w
    (C,) (smooth = 0 when eps == 0), in x's dtype."""
    m = _max(x)
    _exp_shifted(x, m, scratch)
    ls = np.log(_sum(scratch))
    nll = -((x[t] - m) - ls) * w[t]
    smooth = x.dtype.type(0)
    if eps > 0:
        for c in range(x.shape[0]):
            scratch[c] = (x[c] - m) - ls
        smooth = -_dot(w, scratch)
    return nll, smooth


@njit(cache=True)
def _loss_rows(x, target, w, ignore_index, eps, i0, i1, loss, parts, scratch):
    """Rows i0 <= i < i1: loss[i], and parts[:, i] = (nll, smooth, w_t) in float64."""
    C = x.shape[1]
    for i in range(i0, i1):
        t = target[i]
        if t == ignore_index:
            loss[i] = 0
            parts[0, i] = parts[1, i] = parts[2, i] = 0.0
            continue
        nll, smooth = _row_loss(x[i], t, w, eps, scratch)
        loss[i] = (1 - eps) * nll + eps / C * smooth
        parts[0, i] = nll
        parts[1, i] = smooth
        parts[2, i] = w[t]


@njit(parallel=True, cache=True, error_model="numpy")
def _cross_entropy_forward(x, target, w, ignore_index, eps, reduction, loss):
    """Fill loss (N,); return the "mean" (reduction 1) or "sum" (2) as a float64."""
    N, C = x.shape
    parts = np.empty((3, N))
    nblk = (N + ROWS - 1) // ROWS
    if x.size < PARALLEL_MIN:
        scratch = np.empty(C, x.dtype)
        _loss_rows(x, target, w, ignore_index, eps, 0, N, loss, parts, scratch)
    else:
        for b in prange(nblk):
            scratch = np.empty(C, x.dtype)
            _loss_rows(x, target, w, ignore_index, eps, b * ROWS, min(N, b * ROWS + ROWS),
                       loss, parts, scratch)
    if reduction == 0:
        return 0.0
    nll_sum = smooth_sum = w_sum = 0.0
    for i in range(N):  # serial and in row order: the same sums for any thread count
        nll_sum += parts[0, i]
        smooth_sum += parts[1, i]
        w_sum += parts[2, i]
    if reduction == 2:
        return (1 - eps) * nll_sum + eps / C * smooth_sum
    # A weighted mean: both terms over the total weight of the counted targets; IEEE
    # division (error_model="numpy") makes 0/0 a NaN, as in numpy.py and PyTorch.
    return (1 - eps) * (nll_sum / w_sum) + eps / C * (smooth_sum / w_sum)


@njit(cache=True)
def _grad_row(x, t, w, eps, w_all, scale, grad):
    """grad (C,) = scale * (a * softmax(x) - (1 - eps) * w[t] * onehot(t) - eps/C * w)."""
    C = x.shape[0]
    dt = x.dtype.type
    _exp_shifted(x, _max(x), grad)
    inv_s = 1.0 / _sum(grad)
    w_t = w[t]
    a = (1 - eps) * w_t + eps / C * w_all
    ca = dt(scale * a * inv_s)
    if eps > 0:
        cw = dt(scale * eps / C)
        for j in range(C):
            grad[j] = ca * grad[j] - cw * w[j]
    else:
        for j in range(C):
            grad[j] = ca * grad[j]
    grad[t] -= dt(scale * (1 - eps) * w_t)


@njit(cache=True)
def _grad_rows(x, target, w, ignore_index, eps, w_all, g, per_row, inv_total, i, grad):
    """Row i of the gradient (0 for an ignored row)."""
    t = target[i]
    if t == ignore_index:
        grad[i, :] = 0
    else:
        scale = (g[i] if per_row else g[0]) * inv_total
        _grad_row(x[i], t, w, eps, w_all, scale, grad[i])


@njit(parallel=True, cache=True, error_model="numpy")
def _cross_entropy_backward(x, target, w, ignore_index, eps, g, per_row, mean, grad):
    """grad (N, C) of the loss; g is grad_out as (N,) (per_row) or (1,)."""
    N, C = x.shape
    w_all = 0.0
    for c in range(C):
        w_all += w[c]
    inv_total = 1.0
    if mean:
        total = 0.0
        for i in range(N):  # serial, in row order
            if target[i] != ignore_index:
                total += w[target[i]]
        # A zero total weight makes the loss 0/0; PyTorch's gradient is NaN there.
        inv_total = 1.0 / total if total != 0 else np.nan
    if x.size < PARALLEL_MIN:
        for i in range(N):
            _grad_rows(x, target, w, ignore_index, eps, w_all, g, per_row, inv_total, i, grad)
    else:
        for i in prange(N):
            _grad_rows(x, target, w, ignore_index, eps, w_all, g, per_row, inv_total, i, grad)


def _weights(weight: np.ndarray | None, x: np.ndarray) -> np.ndarray:
    # No weight is a weight of ones (as in numpy.py): one compiled kernel instead of two.
    return np.ones(x.shape[1], x.dtype) if weight is None else np.ascontiguousarray(weight)


def _ignore(g: CrossEntropyGeometry) -> int:
    # An ignore_index outside int64 matches no (validated) target; -1 matches none either.
    return g.ignore_index if g.ignorable else -1


def cross_entropy_forward(
    g: CrossEntropyGeometry, logits: np.ndarray, target: np.ndarray, weight: np.ndarray | None
) -> tuple[np.ndarray, tuple]:
    """logits (N, C), target (N,) int64, weight (C,) or None -> (the loss, shape (N,)
    for reduction="none", else (), in the logits' dtype; saved (logits, target, weight))."""
    x = np.ascontiguousarray(logits)
    w = _weights(weight, x)
    loss = np.empty(g.N, x.dtype)
    value = _cross_entropy_forward(x, np.ascontiguousarray(target), w, _ignore(g),
                                   g.label_smoothing, _REDUCTION[g.reduction], loss)
    out = loss if g.reduction == "none" else np.asarray(value, dtype=x.dtype)
    return out, (logits, target, weight)


def cross_entropy_backward(
    g: CrossEntropyGeometry, grad_out: np.ndarray, saved: tuple,
    needs_input_grad: tuple[bool, bool, bool],
) -> tuple[np.ndarray | None, None, None]:
    """(grad_logits, None, None): the parallel row kernel, each row's softmax recomputed
    from the saved logits in its own gradient row."""
    if not needs_input_grad[0]:
        return (None, None, None)
    logits, target, weight = saved
    x = np.ascontiguousarray(logits)
    w = _weights(weight, x)
    grad = np.empty(x.shape, x.dtype)
    gs = np.ascontiguousarray(grad_out, dtype=np.float64).reshape(-1)
    _cross_entropy_backward(x, np.ascontiguousarray(target), w, _ignore(g), g.label_smoothing,
                            gs, g.reduction == "none", g.reduction == "mean", grad)
    return (grad, None, None)


KERNELS = kernels_of(globals())
