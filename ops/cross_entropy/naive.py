"""cross_entropy, the sequential baseline: plain Python loops, one sample at a time.

For each sample: a loop for the maximum logit, a loop for the log-sum-exp, then the
weighted negative log-likelihood of the target class and (with label smoothing) a loop
over all classes for the smoothing term. Backward loops the same way, writing
``softmax - smoothed one-hot`` scaled per sample. This is the "1x" of the speedup
graphs.
"""

from __future__ import annotations

import math

import numpy as np


def _logsumexp(row: np.ndarray) -> float:
    """log(sum_c exp(row_c)), shifted by the maximum so nothing overflows."""
    m = -math.inf
    for v in row:
        if v > m:
            m = float(v)
    total = 0.0
    for v in row:
        total += math.exp(float(v) - m)
    # total >= 1 (the maximum contributes exp(0)), or NaN: its log is safe.
    return m + math.log(total)


def _divide(a: float, b: float) -> float:
    """a / b with IEEE semantics (0/0 -> NaN) where Python would raise."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(a) / np.float64(b))


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
    N, C = logits.shape
    eps = label_smoothing
    losses = np.zeros(N, dtype=logits.dtype)
    nll_sum = 0.0
    smooth_sum = 0.0
    weight_sum = 0.0
    for i in range(N):
        t = int(target[i])
        if t == ignore_index:
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

    if reduction == "none":
        return losses
    if reduction == "sum":
        return np.asarray((1 - eps) * nll_sum + eps / C * smooth_sum, dtype=logits.dtype)
    # "mean": both terms over the total weight of the counted targets; 0/0 -> NaN.
    mean = (1 - eps) * _divide(nll_sum, weight_sum) + eps / C * _divide(smooth_sum, weight_sum)
    return np.asarray(mean, dtype=logits.dtype)


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
    logits, target, weight = inputs
    if not needs_input_grad[0]:
        return (None, None, None)
    N, C = logits.shape
    eps = label_smoothing
    grad = np.zeros((N, C), dtype=logits.dtype)

    w_all = 0.0
    for c in range(C):
        w_all += 1.0 if weight is None else float(weight[c])
    weight_sum = 0.0
    for i in range(N):
        t = int(target[i])
        if t != ignore_index:
            weight_sum += 1.0 if weight is None else float(weight[t])

    for i in range(N):
        t = int(target[i])
        if t == ignore_index:
            continue
        if reduction == "none":
            scale = float(grad_out[i])
        elif reduction == "sum":
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
            g = a * p - eps / C * w_j
            if j == t:
                g -= (1 - eps) * w_t
            grad[i, j] = scale * g
    return (grad, None, None)
