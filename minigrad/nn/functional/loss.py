"""Loss front ends: ``cross_entropy``."""

from __future__ import annotations

from minigrad.autograd.function import apply
from minigrad.autograd.grad_mode import is_grad_enabled
from minigrad.nn.functional._common import (check_class_indices, check_class_target_shape,
                                            class_rows, expect_float, expect_same_dtype,
                                            expect_tensor)
from minigrad.ops import softmax as _decl
from minigrad.tensor import Tensor

__all__ = ["cross_entropy"]


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy between logits and class indices, as
    ``torch.nn.functional.cross_entropy``; log-softmax and the negative log-likelihood
    are computed in one fused kernel (stable for logits of any size, e.g. 1e4).

    Shapes:
        input:  (N, C) logits (unnormalised scores), float32 or float64; also (C,) for
                one sample, or (N, C, d1, ..., dK) for a class per position (e.g.
                segmentation's (B, C, H, W))
        target: (N,) int64 class indices in [0, C), or ``ignore_index``; () for a (C,)
                input; (N, d1, ..., dK) for the K-dimensional case
        weight: (C,) per-class weights of input's dtype, or None (all 1)
        output: () for reduction "mean" or "sum"; target's shape for "none"; input's
                dtype

    The K-dimensional and unbatched cases are the (N, C) one on rows: the class dim
    moved last and the rest flattened (``input.permute(0, 2, ..., K+1, 1).reshape(-1,
    C)``, target ``reshape(-1)``), so every position is a sample below (i runs over
    N * d1 * ... * dK of them, "mean" divides by their total weight) and "none" is
    reshaped back to the target's shape, as PyTorch defines them.

    Maths: with log p_ic = x_ic - logsumexp(x_i) (the log-softmax, computed as
    m_i + log(sum_c exp(x_ic - m_i)) with m_i = max_c x_ic), eps = label_smoothing and
    w_c = weight[c] (1 without weights), the loss of sample i is::

        loss_i = (1 - eps) * w_{t_i} * (-log p_{i,t_i})          # weighted NLL
                 + eps / C * sum_c w_c * (-log p_ic)              # label smoothing

    i.e. the cross-entropy against the smoothed target distribution
    (1 - eps) * onehot(t_i) + eps / C, with PyTorch's per-class weighting of both terms.
    Samples with ``target == ignore_index`` have loss 0 and are not counted.
    Reductions: "none" gives (loss_i); "sum" gives sum_i loss_i; "mean" gives
    sum_i loss_i / sum_{i counted} w_{t_i}: a weighted mean over the total weight of
    the counted targets (not over N), NaN when nothing is counted, as in PyTorch.

    Gradient with respect to the logits (the only one: ``weight`` is not
    differentiated, and one that requires grad is refused as in PyTorch), with p_i the
    softmax of row i and s_i the reduction's scale for sample i::

        dL/dx_ij = s_i * ((1 - eps) * w_{t_i} * (p_ij - [j == t_i])
                          + eps / C * (p_ij * sum_c w_c - w_j))

    without weights simply ``s_i * (softmax - smoothed one-hot)``.

    Args:
        ignore_index: a target value that is skipped (default -100); it may also be a
            valid class index, which is then ignored.
        reduction: "none", "mean" (default) or "sum".
        label_smoothing: eps in [0, 1] (default 0).

    Raises TypeError for a non-Tensor argument, a non-float input, a non-int64 target,
    or a weight whose dtype differs from input's; ValueError for a shape mismatch, a
    bad reduction or label_smoothing, or a target value outside [0, C) that is not
    ``ignore_index``; RuntimeError for a weight that requires grad (in grad mode).

    Differences from PyTorch: only class-index targets: PyTorch's class-probability
    targets (a float target of input's shape) are refused (TypeError); C = 0 is
    refused. ``ignore_index``, ``reduction`` and
    ``label_smoothing`` are keyword-only, and the deprecated ``size_average`` and
    ``reduce`` are not accepted: PyTorch's positional order puts ``size_average``
    after ``weight``, so a positional call could silently mean something else. A
    label_smoothing below 0 or NaN is refused (PyTorch accepts it). An out-of-range
    target raises ValueError (PyTorch: IndexError from its kernel, or a device-side
    assert on CUDA): on the CPU before the kernel runs; on cuda, where the targets stay
    on the GPU, at the next copy to the host (``loss.item()``, ``.cpu()``) or
    ``minigrad.cuda.synchronize()``, with the same message (the op
    ``check_class_indices``). Until then the bad row's loss and gradient are NaN, never
    a plausible number.
    """
    input = expect_tensor(input, "input")
    target = expect_tensor(target, "target")
    expect_float(input, "input")
    if weight is not None:
        weight = expect_tensor(weight, "weight")
        expect_same_dtype(input, "input", weight, "weight")
        if weight.requires_grad and is_grad_enabled():
            raise RuntimeError(
                "weight: cross_entropy is not differentiable with respect to the class "
                "weights, so weight cannot have requires_grad=True; pass weight.detach()"
            )
    out_shape = None
    if input.ndim != 2:
        # Fold (C,) and (N, C, d1, ...) into rows: the declaration knows only (N, C).
        if target.dtype.name != "int64":
            raise TypeError(f"target must be an integer (int64) tensor of class indices, got "
                            f"dtype {target.dtype}; class-probability targets are not supported")
        check_class_target_shape(input, target)
        out_shape = tuple(target.shape)
        input, target = class_rows(input, target)
    g = _decl.declare_cross_entropy(
        input.shape,
        target.shape,
        target.dtype.name,
        None if weight is None else weight.shape,
        ignore_index,
        reduction,
        label_smoothing,
    )
    check_class_indices(target, g.C, g.ignore_index)
    loss = apply("cross_entropy", input, target, weight, geometry=g)
    if out_shape is not None and g.reduction == "none":
        loss = loss.reshape(out_shape)
    return loss
