"""Negative log-likelihood loss front end, built from the tape's indexing and sums."""
from __future__ import annotations

import operator

import numpy as np

from ...device import move, to_host

from ...autograd.grad_mode import is_grad_enabled
from ...ops.cross_entropy import check_target_values
from ...tensor import Tensor
from .._checks import check_reduction
from ._common import expect_float, expect_same_dtype, expect_tensor


def _check_shapes(input: Tensor, target: Tensor) -> None:
    if input.ndim == 0:
        raise ValueError("input: expected a tensor of log-probabilities of shape (N, C), (C,) "
                         "or (N, C, d1, ...), got a 0-d tensor")
    if input.ndim == 1:
        expected = ()
    else:
        expected = (input.shape[0],) + tuple(input.shape[2:])
    if tuple(target.shape) != expected:
        raise ValueError(f"target: expected shape {expected} for input shape "
                         f"{tuple(input.shape)} (the input's shape without the class dim 1), "
                         f"got shape {tuple(target.shape)}")
    c = input.shape[0] if input.ndim == 1 else input.shape[1]
    if c < 1:
        raise ValueError(f"input: expected at least one class (C >= 1), got shape "
                         f"{tuple(input.shape)}")


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, *,
             ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class indices under log-probabilities, as
    ``torch.nn.functional.nll_loss``: with ``log_softmax`` in front it is
    ``cross_entropy``.

    Shapes:
        input:  (N, C) log-probabilities; also (C,) for one sample, or
                (N, C, d1, ..., dk) for per-position classes (e.g. (B, C, H, W))
        target: (N,) int64 class indices in [0, C) or ``ignore_index``; () for a
                (C,) input; (N, d1, ..., dk) for the K-dimensional case
        weight: (C,) per-class weights of input's dtype, or None (all 1)
        output: () for "mean"/"sum"; target's shape for "none"

    Maths, with w_c = weight[c] and the samples i whose target is not ignore_index::

        loss_i = -w_{t_i} * x[i, t_i]            (0 for an ignored sample)
        "sum":  sum_i loss_i
        "mean": sum_i loss_i / sum_{i counted} w_{t_i}   (NaN if nothing is counted)
        dL/dx[i, c] = -w_{t_i} * [c == t_i] * (1 / sum w for "mean")

    Built from the tape's advanced indexing (x[arange(N), t]), multiplication by the
    (constant) weights and a sum, so its gradient comes from theirs.

    Raises TypeError for a non-Tensor, a non-float input, a non-int64 target or a
    weight of another dtype; ValueError for a shape mismatch, a bad reduction or a
    target value outside [0, C) that is not ``ignore_index``; RuntimeError for a
    weight that requires grad (in grad mode).

    Differences from PyTorch: ``ignore_index`` and ``reduction`` are keyword-only and
    the deprecated ``size_average``/``reduce`` are not accepted (as
    :func:`cross_entropy`); an out-of-range target raises ValueError before anything
    runs (PyTorch: IndexError from its kernel).
    """
    input = expect_tensor(input, "input")
    target = expect_tensor(target, "target")
    expect_float(input, "input")
    if target.dtype.name != "int64":
        raise TypeError(f"target must be an integer (int64) tensor of class indices, got dtype "
                        f"{target.dtype}")
    _check_shapes(input, target)
    c = input.shape[0] if input.ndim == 1 else input.shape[1]
    if weight is not None:
        weight = expect_tensor(weight, "weight")
        expect_same_dtype(input, "input", weight, "weight")
        if tuple(weight.shape) != (c,):
            raise ValueError(f"weight: expected shape ({c},), one weight per class of input "
                             f"shape {tuple(input.shape)}, got shape {tuple(weight.shape)}")
        if weight.requires_grad and is_grad_enabled():
            raise RuntimeError("weight: nll_loss is not differentiable with respect to the "
                               "class weights, so weight cannot have requires_grad=True; "
                               "pass weight.detach()")
    if isinstance(ignore_index, bool):
        raise TypeError("ignore_index: expected an int, got bool")
    try:
        ignore_index = operator.index(ignore_index)
    except TypeError:
        raise TypeError(f"ignore_index: expected an int, got {type(ignore_index).__name__}") \
            from None
    reduction = check_reduction(reduction)

    # Fold every layout into rows of C log-probabilities: (M, C) and (M,).
    if input.ndim == 1:
        rows = input.unsqueeze(0)
    elif input.ndim == 2:
        rows = input
    else:
        rows = input.permute(0, *range(2, input.ndim), 1).reshape(-1, c)
    if target.device != input.device or (weight is not None and weight.device != input.device):
        raise RuntimeError("Expected all tensors to be on the same device: input, target and "
                           "weight must all be on the CPU or all on cuda")
    # The per-sample coefficients are worked out on the host from the labels; on cuda
    # that reads them back (one copy: nll_loss is not in a LeNet-5 step, whose
    # cross_entropy keeps the labels on the GPU).
    t = to_host(target.data).reshape(-1)
    check_target_values(t, c, ignore_index)

    counted = t != ignore_index
    safe = np.where(counted, t, 0)
    w = np.ones(c, dtype=input.data.dtype) if weight is None else to_host(weight.data)
    coef = (w[safe] * counted).astype(input.data.dtype)
    if reduction == "mean":
        # Scaling the coefficients instead of dividing the sum keeps the tape short;
        # 0/0 gives PyTorch's NaN when every target is ignored.
        with np.errstate(invalid="ignore", divide="ignore"):
            coef = coef / coef.sum(dtype=input.data.dtype)
    picked = rows[np.arange(t.shape[0]), safe]
    losses = picked * Tensor._wrap(move(-coef, input.device))
    if reduction == "none":
        return losses.reshape(target.shape)
    return losses.sum()
