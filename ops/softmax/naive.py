"""softmax, log_softmax and cross_entropy, the sequential baseline: plain Python loops,
one row at a time. This is the "1x" of the speedup graphs.

softmax and log_softmax view their input as R rows of n values, the rows running along
``dim``. For each row: a loop for the maximum, a loop for the sum of the shifted
exponentials (for log_softmax, its log: the log-sum-exp), a loop to divide by it (to
subtract it). Backward, from the saved output, a loop for the row's dot product (sum)
and one to write the gradient.

cross_entropy, for each sample (a row of C logits): a loop for the maximum logit, a loop
for the log-sum-exp, then the weighted negative log-likelihood of the target class and
(with label smoothing) a loop over all classes for the smoothing term. Backward loops
the same way from the saved logits, writing ``softmax - smoothed one-hot`` scaled per
sample.
"""

from __future__ import annotations

import math

import numpy as np

from . import CrossEntropyGeometry, SoftmaxGeometry, kernels_of


def _max(row: np.ndarray) -> float:
    """max_j row_j (-inf for an empty row)."""
    m = -math.inf
    for v in row:
        if v > m:
            m = float(v)
    return m


def _logsumexp(row: np.ndarray) -> float:
    """log(sum_c exp(row_c)), shifted by the maximum so nothing overflows."""
    m = _max(row)
    total = 0.0
    for v in row:
        total += math.exp(float(v) - m)
    # total >= 1 (the maximum contributes exp(0)), or NaN: its log is safe.
    return m + math.log(total)


# --- softmax and log_softmax ----------------------------------------------------------------


def _rows(a: np.ndarray, g: SoftmaxGeometry) -> np.ndarray:
    """a viewed (or copied) as (R, n) with the n values of each row along ``g.dim``."""
    moved = np.moveaxis(a.reshape(a.shape or (1,)), g.dim, -1)
    return moved.reshape(math.prod(moved.shape[:-1]), moved.shape[-1])


def _unrows(rows: np.ndarray, g: SoftmaxGeometry) -> np.ndarray:
    """The inverse of :func:`_rows`: (R, n) rows back to the shape ``g.shape``."""
    moved_shape = list(g.shape or (1,))
    moved_shape.append(moved_shape.pop(g.dim))
    return np.moveaxis(rows.reshape(moved_shape), -1, g.dim).reshape(g.shape)


def _softmax_row(x: np.ndarray, y: np.ndarray) -> None:
    n = len(x)
    m = _max(x)
    exps = [0.0] * n
    total = 0.0
    for j in range(n):
        exps[j] = math.exp(float(x[j]) - m)
        total += exps[j]
    for j in range(n):
        y[j] = exps[j] / total


def _softmax_row_grad(y: np.ndarray, gy: np.ndarray, gx: np.ndarray) -> None:
    dot = 0.0
    for j in range(len(y)):
        dot += float(gy[j]) * float(y[j])
    for j in range(len(y)):
        gx[j] = float(y[j]) * (float(gy[j]) - dot)


def _log_softmax_row(x: np.ndarray, y: np.ndarray) -> None:
    if len(x) == 0:
        return  # a row of no values: nothing to normalise (and log(0) would raise)
    lse = _logsumexp(x)
    for j in range(len(x)):
        y[j] = float(x[j]) - lse


def _log_softmax_row_grad(y: np.ndarray, gy: np.ndarray, gx: np.ndarray) -> None:
    total = 0.0
    for j in range(len(y)):
        total += float(gy[j])
    for j in range(len(y)):
        gx[j] = float(gy[j]) - math.exp(float(y[j])) * total


def _forward(g: SoftmaxGeometry, x: np.ndarray, row) -> tuple[np.ndarray, np.ndarray]:
    """``row(x_r, y_r)`` for every row of x; the output is also what backward needs."""
    rows = _rows(x, g)
    out = np.empty(rows.shape, dtype=x.dtype)
    for r in range(rows.shape[0]):
        row(rows[r], out[r])
    y = _unrows(out, g)
    return y, y


def _backward(g: SoftmaxGeometry, grad_out: np.ndarray, y: np.ndarray,
              needs_input_grad: tuple[bool], row_grad) -> tuple[np.ndarray | None]:
    """``row_grad(y_r, grad_out_r, gx_r)`` for every row."""
    if not needs_input_grad[0]:
        return (None,)
    yr = _rows(y, g)
    gr = _rows(grad_out, g)
    gx = np.empty(yr.shape, dtype=y.dtype)
    for r in range(yr.shape[0]):
        row_grad(yr[r], gr[r], gx[r])
    return (_unrows(gx, g),)


def softmax_forward(g: SoftmaxGeometry, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x (any shape) -> (softmax along ``dim``, same shape and dtype; saved: itself)."""
    return _forward(g, x, _softmax_row)


def softmax_backward(g: SoftmaxGeometry, grad_out: np.ndarray, y: np.ndarray,
                     needs_input_grad: tuple[bool]) -> tuple[np.ndarray | None]:
    """dL/dx_i = y_i * (g_i - sum_j g_j y_j) per row, from the saved output y."""
    return _backward(g, grad_out, y, needs_input_grad, _softmax_row_grad)


def log_softmax_forward(g: SoftmaxGeometry, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x (any shape) -> (log_softmax along ``dim``, same shape and dtype; saved: itself)."""
    return _forward(g, x, _log_softmax_row)


def log_softmax_backward(g: SoftmaxGeometry, grad_out: np.ndarray, y: np.ndarray,
                         needs_input_grad: tuple[bool]) -> tuple[np.ndarray | None]:
    """dL/dx_i = g_i - exp(y_i) * sum_j g_j per row, from the saved output y."""
    return _backward(g, grad_out, y, needs_input_grad, _log_softmax_row_grad)


# --- cross_entropy ----------------------------------------------------------------------------


def _divide(a: float, b: float) -> float:
    """a / b with IEEE semantics (0/0 -> NaN) where Python would raise."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(a) / np.float64(b))


def cross_entropy_forward(
    g: CrossEntropyGeometry, logits: np.ndarray, target: np.ndarray, weight: np.ndarray | None
) -> tuple[np.ndarray, tuple]:
    """logits (N, C), target (N,) int64, weight (C,) or None -> (the loss, shape (N,)
    for reduction="none", else (), in the logits' dtype; saved (logits, target, weight))."""
    N, C = g.N, g.C
    eps = g.label_smoothing
    losses = np.zeros(N, dtype=logits.dtype)
    nll_sum = 0.0
    smooth_sum = 0.0
    weight_sum = 0.0
    for i in range(N):
        t = int(target[i])
        if t == g.ignore_index:
            continue
        lse = _logsumexp(logits[i])
        w_t = 1.0 if weight is None else float(weight[t])
        nll = w_t * (lse - float(logits[i, t]))
        smooth = 0.0
        if eps > 0:
            for c in range(C):
                w_c = 1.0 if weight is None else float(weight[c])
                smooth += w_c * (lse - float(logits[i, c]))
        losses[i] = (1 - eps) * nll + eps / C * smooth
        nll_sum += nll
        smooth_sum += smooth
        weight_sum += w_t

    saved = (logits, target, weight)
    if g.reduction == "none":
        return losses, saved
    if g.reduction == "sum":
        total = (1 - eps) * nll_sum + eps / C * smooth_sum
        return np.asarray(total, dtype=logits.dtype), saved
    # "mean": both terms over the total weight of the counted targets; 0/0 -> NaN.
    mean = (1 - eps) * _divide(nll_sum, weight_sum) + eps / C * _divide(smooth_sum, weight_sum)
    return np.asarray(mean, dtype=logits.dtype), saved


def cross_entropy_backward(
    g: CrossEntropyGeometry, grad_out: np.ndarray, saved: tuple,
    needs_input_grad: tuple[bool, bool, bool],
) -> tuple[np.ndarray | None, None, None]:
    """(grad_logits, None, None) with Python loops: the total weights first, then each
    counted row's softmax from the saved logits, scaled and less the smoothed one-hot."""
    if not needs_input_grad[0]:
        return (None, None, None)
    logits, target, weight = saved
    N, C = g.N, g.C
    eps = g.label_smoothing
    grad = np.zeros((N, C), dtype=logits.dtype)

    w_all = 0.0
    for c in range(C):
        w_all += 1.0 if weight is None else float(weight[c])
    weight_sum = 0.0
    for i in range(N):
        t = int(target[i])
        if t != g.ignore_index:
            weight_sum += 1.0 if weight is None else float(weight[t])

    for i in range(N):
        t = int(target[i])
        if t == g.ignore_index:
            continue
        if g.reduction == "none":
            scale = float(grad_out[i])
        elif g.reduction == "sum":
            scale = float(grad_out)
        elif weight_sum != 0:
            scale = float(grad_out) / weight_sum
        else:
            # A zero total weight makes the loss 0/0; PyTorch's gradient is NaN there.
            scale = math.nan
        lse = _logsumexp(logits[i])
        w_t = 1.0 if weight is None else float(weight[t])
        a = (1 - eps) * w_t + eps / C * w_all
        for j in range(C):
            p = math.exp(float(logits[i, j]) - lse)
            w_j = 1.0 if weight is None else float(weight[j])
            gj = a * p - eps / C * w_j
            if j == t:
                gj -= (1 - eps) * w_t
            grad[i, j] = scale * gj
    return (grad, None, None)


KERNELS = kernels_of(globals())
