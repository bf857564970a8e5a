"""Negative log-likelihood loss front end, built from the tape's elementwise ops and sums."""
from __future__ import annotations

import functools
import operator

import numpy as np

from ...autograd.grad_mode import is_grad_enabled, no_grad
from ...creation import arange
from ...tensor import Tensor
from ...tensor_ops.elementwise import where
from .._checks import check_reduction
from ._common import (check_class_indices, check_class_target_shape, class_rows, expect_float,
                      expect_same_dtype, expect_tensor)

__all__ = ["nll_loss"]


@functools.lru_cache(maxsize=64)
def _classes_on(c: int, device_name: str) -> Tensor:
    with no_grad():
        return arange(c, device=device_name)


def _classes(c: int, device) -> Tensor:
    """The class indices 0..C-1 (int64) on ``device``: made (and, on cuda, copied there)
    once per C, not at every step."""
    return _classes_on(int(c), str(device))


def _check_shapes(input: Tensor, target: Tensor) -> None:
    check_class_target_shape(input, target)
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

    Built from a one-hot mask of the targets (``t[:, None] == arange(C)``), products
    and sums on the tape, so its gradient comes from theirs, and on cuda nothing comes
    back to the host (the class indices 0..C-1 are copied there once per C).

    Raises TypeError for a non-Tensor, a non-float input, a non-int64 target or a
    weight of another dtype; ValueError for a shape mismatch, a bad reduction or a
    target value outside [0, C) that is not ``ignore_index``; RuntimeError for a
    weight that requires grad (in grad mode).

    Differences from PyTorch: ``ignore_index`` and ``reduction`` are keyword-only and
    the deprecated ``size_average``/``reduce`` are not accepted (as
    :func:`cross_entropy`); an out-of-range target raises ValueError (PyTorch:
    IndexError from its kernel, a device-side assert on CUDA): before anything runs on
    the CPU; on cuda at the next copy to the host, the sample's loss NaN until then, as
    in :func:`cross_entropy`.
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

    if target.device != input.device or (weight is not None and weight.device != input.device):
        raise RuntimeError("Expected all tensors to be on the same device: input, target and "
                           "weight must all be on the CPU or all on cuda")
    # Fold every layout into rows of C log-probabilities: (M, C) and (M,).
    rows, t = class_rows(input, target)
    check_class_indices(t, c, ignore_index)
    # Everything below stays on the input's device (no copy to the host and back): each
    # row's pick is a one-hot mask, onehot[i, k] = [k == t_i], made by comparing the
    # targets with the class indices 0..C-1 (built once per C and device).
    # An ignored target's row is zeroed (ignore_index may be a class index).
    ignored = (t == ignore_index).to(input.dtype)
    onehot = (t.unsqueeze(1) == _classes(c, input.device)).to(input.dtype) * (1 - ignored).unsqueeze(1)
    # A row with no 1 and not ignored is a target out of range (only possible on cuda,
    # where the check raises later, at the next copy to the host): its coefficient is
    # NaN until then, as in cross_entropy.
    invalid = (onehot.sum(1) + ignored) == 0
    coef = (onehot if weight is None else onehot * weight).sum(1)
    coef = where(invalid, float("nan"), coef)
    if reduction == "mean":
        # Scaling the coefficients instead of dividing the sum keeps the tape short;
        # 0/0 gives PyTorch's NaN when every target is ignored (quietly, as there).
        with np.errstate(invalid="ignore", divide="ignore"):
            coef = coef / coef.sum()
    losses = -(rows * onehot).sum(1) * coef.detach()
    if reduction == "none":
        return losses.reshape(target.shape)
    if reduction == "mean" and t.shape[0] == 0:
        # A mean over no samples is PyTorch's NaN; the scaled coefficients above have
        # nothing to carry it (the shape is known here: no device read).
        return losses.sum() * float("nan")
    return losses.sum()
