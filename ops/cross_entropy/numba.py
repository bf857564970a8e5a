"""cross_entropy, parallel CPU kernels with Numba: fused log-softmax and NLL, one row
(sample) per prange item.

Each sample's loss and each sample's gradient row depend on that row alone, so rows are
the unit of parallel work; the only cross-row quantities (the reductions "mean" and
"sum", and the total weight that "mean" divides by) are formed afterwards or
beforehand from per-row values, serially and in row order, so the results do not
depend on the number of threads. The vectorised exp and the row reductions are shared
with softmax's numba.py (read its docstring for them).

Forward, with the log-probabilities log p_c = (x_c - m) - ls of a row (the same
expressions as numpy.py)::

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

Backward, from the logits again (recomputing the softmax is cheaper than keeping an
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
cannot leak a NaN into the result (as in numpy.py). Inputs with fewer than PARALLEL_MIN
logits run the same loops serially: waking the threads would cost more than the work
(a 128x10 batch takes microseconds).

Without a weight the kernels get w = ones(C) (as numpy.py does): one compiled kernel per
dtype instead of two, at no measurable cost.

Memory: forward allocates the (N,) losses and three (N,) float64 per-row buffers, plus
one (C,) scratch row per block of 16 rows; backward allocates the (N, C) gradient and
nothing else. Non-contiguous arguments are copied to C order first.

The helpers imported from softmax/numba.py are compiled into this module's kernels, and
Numba's on-disk cache of this module does not notice edits to that file: after changing
it, delete this folder's __pycache__ as well.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ..softmax.numba import PARALLEL_MIN, _dot, _exp_shifted, _max, _sum

# Rows per item of the forward kernel: one scratch row is allocated per item.
ROWS = 16
_REDUCTION = {"none": 0, "mean": 1, "sum": 2}
_INT64 = (-(2**63), 2**63 - 1)


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
def _forward(x, target, w, ignore_index, eps, reduction, loss):
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


@njit(parallel=True, cache=True, error_model="numpy")
def _backward(x, target, w, ignore_index, eps, g, per_row, mean, grad):
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
            t = target[i]
            if t == ignore_index:
                grad[i, :] = 0
            else:
                scale = (g[i] if per_row else g[0]) * inv_total
                _grad_row(x[i], t, w, eps, w_all, scale, grad[i])
    else:
        for i in prange(N):
            t = target[i]
            if t == ignore_index:
                grad[i, :] = 0
            else:
                scale = (g[i] if per_row else g[0]) * inv_total
                _grad_row(x[i], t, w, eps, w_all, scale, grad[i])


def _weights(weight: np.ndarray | None, x: np.ndarray) -> np.ndarray:
    # No weight is a weight of ones (as in numpy.py): one compiled kernel instead of two.
    return np.ones(x.shape[1], x.dtype) if weight is None else np.ascontiguousarray(weight)


def _ignore(ignore_index: int) -> int:
    # An ignore_index outside int64 matches no (validated) target; -1 matches none either.
    return ignore_index if _INT64[0] <= ignore_index <= _INT64[1] else -1


def forward(
    logits: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray | None,
    *,
    ignore_index: int,
    reduction: str,
    label_smoothing: float,
) -> np.ndarray:
    """logits (N, C), target (N,) int64, weight (C,) or None -> the loss, shape (N,)
    for reduction="none", else (); in the logits' dtype."""
    x = np.ascontiguousarray(logits)
    w = _weights(weight, x)
    loss = np.empty(x.shape[0], x.dtype)
    value = _forward(x, np.ascontiguousarray(target), w, _ignore(ignore_index),
                     label_smoothing, _REDUCTION[reduction], loss)
    if reduction == "none":
        return loss
    return np.asarray(value, dtype=x.dtype)


def backward(
    grad_out: np.ndarray,
    inputs: tuple[np.ndarray, np.ndarray, np.ndarray | None],
    out: np.ndarray,
    needs_input_grad: tuple[bool, bool, bool],
    *,
    ignore_index: int,
    reduction: str,
    label_smoothing: float,
) -> tuple[np.ndarray | None, None, None]:
    """(grad_logits (N, C), None, None): the target and weight get no gradient."""
    if not needs_input_grad[0]:
        return (None, None, None)
    logits, target, weight = inputs
    x = np.ascontiguousarray(logits)
    w = _weights(weight, x)
    grad = np.empty(x.shape, x.dtype)
    g = np.ascontiguousarray(grad_out, dtype=np.float64).reshape(-1)
    _backward(x, np.ascontiguousarray(target), w, _ignore(ignore_index), label_smoothing,
              g, reduction == "none", reduction == "mean", grad)
    return (grad, None, None)
