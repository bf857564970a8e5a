"""cross_entropy, vectorized with NumPy: whole-batch log-softmax and gather.

Forward: the row maxima and log-sum-exp of the (N, C) logits in three NumPy calls, the
target log-probabilities gathered with fancy indexing ``logp[arange(N), t]``, the
smoothing term as one matrix-vector product ``logp @ w``. Backward recomputes the
softmax (cheaper to recompute than to keep an (N, C) buffer alive until backward) and
builds ``a * p - (1 - eps) * w_t * onehot - eps / C * w`` row-scaled in place.
Ignored samples are masked with ``np.where`` rather than multiplied by 0, so that
non-finite logits in an ignored row cannot leak a NaN into the result.
"""

from __future__ import annotations

import numpy as np


def _log_softmax(x: np.ndarray) -> np.ndarray:
    z = x - np.max(x, axis=1, keepdims=True)
    z -= np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return z


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
    dtype = logits.dtype
    N, C = logits.shape
    eps = label_smoothing
    valid = target != ignore_index
    t = np.where(valid, target, 0)  # ignored samples read class 0, masked below
    w = np.ones(C, dtype=dtype) if weight is None else weight

    logp = _log_softmax(logits)
    w_t = np.where(valid, w[t], 0).astype(dtype, copy=False)
    nll = np.where(valid, -logp[np.arange(N), t] * w_t, 0)
    smooth = np.where(valid, -(logp @ w), 0) if eps > 0 else np.zeros(N, dtype=dtype)

    if reduction == "none":
        loss = (1 - eps) * nll + (eps / C) * smooth
        return loss.astype(dtype, copy=False)
    if reduction == "sum":
        return np.asarray((1 - eps) * nll.sum() + (eps / C) * smooth.sum(), dtype=dtype)
    # "mean": both terms over the total weight of the counted targets; 0/0 -> NaN.
    denom = w_t.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (1 - eps) * (nll.sum() / denom) + (eps / C) * (smooth.sum() / denom)
    return np.asarray(mean, dtype=dtype)


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
    dtype = logits.dtype
    N, C = logits.shape
    eps = label_smoothing
    valid = target != ignore_index
    t = np.where(valid, target, 0)
    w = np.ones(C, dtype=dtype) if weight is None else weight
    w_t = np.where(valid, w[t], 0).astype(dtype, copy=False)

    if reduction == "none":
        scale = grad_out.astype(dtype, copy=False)
    else:
        scale = np.full(N, grad_out, dtype=dtype)
        if reduction == "mean":
            denom = w_t.sum()
            # A zero total weight makes the loss 0/0; PyTorch's gradient is NaN there.
            scale = scale / denom if denom != 0 else np.full(N, np.nan, dtype=dtype)

    p = np.exp(_log_softmax(logits))
    a = (1 - eps) * w_t + (eps / C) * w.sum()
    grad = p * a[:, None]
    grad[np.arange(N), t] -= (1 - eps) * w_t
    if eps > 0:
        grad -= (eps / C) * w
    grad *= scale[:, None]
    grad = np.where(valid[:, None], grad, 0)
    return (grad.astype(dtype, copy=False), None, None)
