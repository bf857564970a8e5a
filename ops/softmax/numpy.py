"""softmax, log_softmax and cross_entropy, vectorized with NumPy: whole-array reductions.

softmax and log_softmax: three passes over the data along ``dim``, each one NumPy call:
the row maxima (``keepdims`` so they broadcast back), the shifted exponentials, and
their row sums (for log_softmax, the log of them). Backward is one more reduction
(``sum(g * y)``, or ``sum(g)``) along ``dim`` and an elementwise expression.

cross_entropy: the same log-softmax of the (N, C) logits along axis 1, the target
log-probabilities gathered with fancy indexing ``logp[arange(N), t]``, the smoothing
term as one matrix-vector product ``logp @ w``. Backward recomputes the softmax from the
saved logits (cheaper to recompute than to keep an (N, C) buffer alive until backward)
and builds ``a * p - (1 - eps) * w_t * onehot - eps / C * w`` row-scaled in place.
Ignored samples are masked with ``np.where`` rather than multiplied by 0, so that
non-finite logits in an ignored row cannot leak a NaN into the result.
"""

from __future__ import annotations

import numpy as np

from . import CrossEntropyGeometry, SoftmaxGeometry, kernels_of


def _log_softmax(x1: np.ndarray, axis: int) -> np.ndarray:
    """(x - m) - log(sum(exp(x - m))) along ``axis``, m the maximum there."""
    # initial=-inf lets a dimension of size 0 reduce to an empty result.
    z = x1 - np.max(x1, axis=axis, keepdims=True, initial=-np.inf)
    # The sums are >= 1 except over a dimension of size 0, whose log(0) meets no value.
    with np.errstate(divide="ignore"):
        z -= np.log(np.sum(np.exp(z), axis=axis, keepdims=True))
    return z


# --- softmax and log_softmax ----------------------------------------------------------------


def softmax_forward(g: SoftmaxGeometry, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x (any shape) -> (softmax along ``dim``, same shape and dtype; saved: itself)."""
    # A 0-d input is one row of one element.
    x1 = x.reshape(x.shape or (1,))
    # initial=-inf lets a dimension of size 0 reduce to an empty result.
    m = np.max(x1, axis=g.dim, keepdims=True, initial=-np.inf)
    e = np.exp(x1 - m)
    e /= np.sum(e, axis=g.dim, keepdims=True)
    y = e.reshape(x.shape).astype(x.dtype, copy=False)
    return y, y


def _backward(g: SoftmaxGeometry, grad_out: np.ndarray, y: np.ndarray,
              needs_input_grad: tuple[bool], grad) -> tuple[np.ndarray | None]:
    """``grad(y1, g1, dim)`` on the saved output and grad_out viewed as at least 1-D (a
    0-d input is one row of one element), back in y's shape and dtype."""
    if not needs_input_grad[0]:
        return (None,)
    y1 = y.reshape(y.shape or (1,))
    gx = grad(y1, grad_out.reshape(y1.shape), g.dim)
    return (gx.reshape(y.shape).astype(y.dtype, copy=False),)


def softmax_backward(g: SoftmaxGeometry, grad_out: np.ndarray, y: np.ndarray,
                     needs_input_grad: tuple[bool]) -> tuple[np.ndarray | None]:
    """dL/dx = y * (g - sum(g * y, dim)), from the saved output y."""
    return _backward(g, grad_out, y, needs_input_grad,
                     lambda y1, g1, dim: y1 * (g1 - np.sum(g1 * y1, axis=dim, keepdims=True)))


def log_softmax_forward(g: SoftmaxGeometry, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x (any shape) -> (log_softmax along ``dim``, same shape and dtype; saved: itself)."""
    # A 0-d input is one row of one element.
    z = _log_softmax(x.reshape(x.shape or (1,)), g.dim)
    y = z.reshape(x.shape).astype(x.dtype, copy=False)
    return y, y


def log_softmax_backward(g: SoftmaxGeometry, grad_out: np.ndarray, y: np.ndarray,
                         needs_input_grad: tuple[bool]) -> tuple[np.ndarray | None]:
    """dL/dx = g - exp(y) * sum(g, dim), from the saved output y."""
    return _backward(g, grad_out, y, needs_input_grad,
                     lambda y1, g1, dim: g1 - np.exp(y1) * np.sum(g1, axis=dim, keepdims=True))


# --- cross_entropy ----------------------------------------------------------------------------


def _counted(g: CrossEntropyGeometry, target: np.ndarray, weight: np.ndarray | None, dtype):
    """(valid, t, w, w_t): which samples count, their targets (0 where ignored: masked
    later), the class weights (ones without a weight) and each sample's w[t] (0 where
    ignored)."""
    valid = target != g.ignore_index
    t = np.where(valid, target, 0)  # ignored samples read class 0, masked below
    w = np.ones(g.C, dtype=dtype) if weight is None else weight
    w_t = np.where(valid, w[t], 0).astype(dtype, copy=False)
    return valid, t, w, w_t


def cross_entropy_forward(
    g: CrossEntropyGeometry, logits: np.ndarray, target: np.ndarray, weight: np.ndarray | None
) -> tuple[np.ndarray, tuple]:
    """logits (N, C), target (N,) int64, weight (C,) or None -> (the loss, shape (N,)
    for reduction="none", else (), in the logits' dtype; saved (logits, target, weight))."""
    dtype = logits.dtype
    N, C = g.N, g.C
    eps = g.label_smoothing
    saved = (logits, target, weight)
    valid, t, w, w_t = _counted(g, target, weight, dtype)

    logp = _log_softmax(logits, 1)
    nll = np.where(valid, -logp[np.arange(N), t] * w_t, 0)
    smooth = np.where(valid, -(logp @ w), 0) if eps > 0 else np.zeros(N, dtype=dtype)

    if g.reduction == "none":
        loss = (1 - eps) * nll + (eps / C) * smooth
        return loss.astype(dtype, copy=False), saved
    if g.reduction == "sum":
        return np.asarray((1 - eps) * nll.sum() + (eps / C) * smooth.sum(), dtype=dtype), saved
    # "mean": both terms over the total weight of the counted targets; 0/0 -> NaN.
    denom = w_t.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (1 - eps) * (nll.sum() / denom) + (eps / C) * (smooth.sum() / denom)
    return np.asarray(mean, dtype=dtype), saved


def cross_entropy_backward(
    g: CrossEntropyGeometry, grad_out: np.ndarray, saved: tuple,
    needs_input_grad: tuple[bool, bool, bool],
) -> tuple[np.ndarray | None, None, None]:
    """(grad_logits, None, None) as whole-array expressions: ``a * p - (1 - eps) * w_t *
    onehot - eps / C * w`` row-scaled, p recomputed from the saved logits."""
    if not needs_input_grad[0]:
        return (None, None, None)
    logits, target, weight = saved
    dtype = logits.dtype
    N, C = g.N, g.C
    eps = g.label_smoothing
    valid, t, w, w_t = _counted(g, target, weight, dtype)

    if g.reduction == "none":
        scale = grad_out.astype(dtype, copy=False)
    else:
        scale = np.full(N, grad_out, dtype=dtype)
        if g.reduction == "mean":
            denom = w_t.sum()
            # A zero total weight makes the loss 0/0; PyTorch's gradient is NaN there.
            scale = scale / denom if denom != 0 else np.full(N, np.nan, dtype=dtype)

    p = np.exp(_log_softmax(logits, 1))
    a = (1 - eps) * w_t + (eps / C) * w.sum()
    grad = p * a[:, None]
    grad[np.arange(N), t] -= (1 - eps) * w_t
    if eps > 0:
        grad -= (eps / C) * w
    grad *= scale[:, None]
    grad = np.where(valid[:, None], grad, 0)
    return (grad.astype(dtype, copy=False), None, None)


KERNELS = kernels_of(globals())
