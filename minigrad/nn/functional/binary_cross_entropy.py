"""Binary cross-entropy front ends: ``binary_cross_entropy`` on probabilities and
``binary_cross_entropy_with_logits`` on scores. Composed from the tape's log, exp,
abs, maximum, where and reductions (no kernel of their own, so they run on every
device); input and target may require grad, the weights not (as PyTorch)."""
from __future__ import annotations

from ...autograd.grad_mode import is_grad_enabled
from ...errors import RuntimeValueError
from ...tensor import Tensor
from ...tensor_ops.elementwise import where
from .._checks import check_reduction
from ._common import expect_float, expect_tensor
from .regression_loss import reduce

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits"]


def _clamped_log(p: Tensor) -> Tensor:
    """log(p) clamped below at -100, as PyTorch's BCE, for p in [0, 1]. At p = 0 the
    value is -100 and the gradient 0: log(0) is never taken, so no -inf times 0 turns
    the backward pass into NaN."""
    positive = p > 0
    return where(positive, where(positive, p, 1.0).log(), -100.0).clamp(min=-100.0)


def _pair(function: str, input, target, mismatch: str) -> tuple:
    """(input, target) checked: tensors, a float input, and the same shapes (ValueError
    with PyTorch's message ``mismatch``, formatted with target's and input's shapes)."""
    input = expect_tensor(input, f"{function}(): argument 'input'")
    target = expect_tensor(target, f"{function}(): argument 'target'")
    expect_float(input, "input")
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(mismatch.format(tuple(target.shape), tuple(input.shape)))
    return input, target


def _constant(t, function: str, name: str) -> Tensor | None:
    """A weight (or None), broadcast against the loss by the product (shape errors come
    from it). Not differentiated, as PyTorch: one that requires grad is refused, in
    grad mode, with PyTorch's RuntimeError."""
    if t is None:
        return None
    t = expect_tensor(t, name)
    if t.requires_grad and is_grad_enabled():
        raise RuntimeError(f"The function '{function}' is not differentiable with respect to "
                           f"argument '{name}'. This input cannot have requires_grad True.")
    return t


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, *,
                         reduction: str = "mean") -> Tensor:
    """Cross-entropy between probabilities ``input`` and binary (or soft) targets, as
    ``torch.nn.functional.binary_cross_entropy``; put a sigmoid in front (or better,
    use :func:`binary_cross_entropy_with_logits`, which is stable for large scores).

    Shapes: input (*) probabilities in [0, 1]; target the same shape, values in
    [0, 1]; weight None or broadcastable to (*) (a rescaling of each element's loss);
    output () for "mean"/"sum", (*) for "none".

    Maths::

        l_i = -w_i (y_i max(log x_i, -100) + (1 - y_i) max(log(1 - x_i), -100))
        dL/dx_i = w_i (x_i - y_i) / (x_i (1 - x_i))      (where the logs are not clamped)
        dL/dy_i = -w_i (log x_i - log(1 - x_i))
        "mean": sum_i l_i / n;  "sum": sum_i l_i

    Raises ValueError for a target whose shape differs from input's (PyTorch's message)
    and RuntimeError for an input outside [0, 1] (or NaN) or a weight that requires
    grad (in grad mode; PyTorch's message), as PyTorch; TypeError for a non-float
    input.

    Differences from PyTorch: ``reduction`` is keyword-only (no ``size_average``/
    ``reduce``). Where a log is clamped (x < e^-100, or x rounded to exactly 0 or 1)
    the gradient is the derivative of the clamped loss, 0 (PyTorch: (x - y) /
    max(x (1 - x), 1e-12)). The range check reads two booleans back from the device
    (on cuda a synchronisation, as PyTorch's device-side check).
    """
    input, target = _pair("binary_cross_entropy", input, target,
                          "Using a target size ({}) that is different to the input size ({}) "
                          "is deprecated. Please ensure they have the same size.")
    reduction = check_reduction(reduction)
    # Written so that NaN fails too.
    if not (bool((input >= 0).all()) and bool((input <= 1).all())):
        raise RuntimeValueError("all elements of input should be between 0 and 1")
    weight = _constant(weight, "binary_cross_entropy", "weight")
    loss = -(target * _clamped_log(input) + (1 - target) * _clamped_log(1 - input))
    if weight is not None:
        loss = loss * weight
    return reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, *, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid and binary cross-entropy in one stable expression, as
    ``torch.nn.functional.binary_cross_entropy_with_logits``.

    Shapes: input (*) scores (logits); target the same shape, values in [0, 1];
    weight None or broadcastable to (*); pos_weight None or broadcastable to (*) along
    the last dims, typically (C,) for (N, C) multi-label scores (the weight of the
    positive term per class); output () for "mean"/"sum", (*) for "none".

    Maths, with s = sigmoid(x) and lw_i = 1 + (pos_weight_i - 1) y_i (1 without
    pos_weight)::

        l_i = -w_i (pos_weight_i y_i log s_i + (1 - y_i) log(1 - s_i))
            = w_i ((1 - y_i) x_i + lw_i (max(-x_i, 0) + log(1 + exp(-|x_i|))))

    the second line is how it is computed (PyTorch's form; without pos_weight it is
    max(x, 0) - x y + log(1 + exp(-|x|))): exp never overflows, for scores of any
    size. ``dL/dx_i = w_i (lw_i s_i - pos_weight_i y_i)`` (without pos_weight:
    w_i (s_i - y_i); at x = 0 too: maximum splits its gradient at ties, as torch).

    Raises ValueError for a target whose shape differs from input's (PyTorch's
    message); RuntimeError for a weight or pos_weight that requires grad (in grad
    mode; PyTorch's message); TypeError for a non-float input.

    Differences from PyTorch: ``reduction`` and ``pos_weight`` are keyword-only (no
    ``size_average``/``reduce``). log(1 + t) is taken without a log1p, so for |x| > 17
    in float32 (37 in float64) that term rounds to 0 (it is below 1e-7 of the loss).
    """
    input, target = _pair("binary_cross_entropy_with_logits", input, target,
                          "Target size ({}) must be the same as input size ({})")
    reduction = check_reduction(reduction)
    weight = _constant(weight, "binary_cross_entropy_with_logits", "weight")
    pos_weight = _constant(pos_weight, "binary_cross_entropy_with_logits", "pos_weight")
    # -log(sigmoid(x)) = softplus(-x), from exp(-|x|) <= 1.
    softplus_neg = (-input).maximum(0) + (1 + (-input.abs()).exp()).log()
    if pos_weight is not None:
        softplus_neg = (1 + (pos_weight - 1) * target) * softplus_neg
    loss = (1 - target) * input + softplus_neg
    if weight is not None:
        loss = loss * weight
    return reduce(loss, reduction)
