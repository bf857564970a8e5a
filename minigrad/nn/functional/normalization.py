"""Normalisation front ends: ``layer_norm`` (over the last dims of each sample) and
``normalize`` (to unit p-norm along a dim). Composed from the tape's mean, sum,
arithmetic, sqrt, pow and clamp, so they run on every device and their gradients are
those of the ops (``batch_norm``, over the batch, is in batch_norm.py)."""
from __future__ import annotations

import math
from numbers import Real

from ...errors import RuntimeValueError
from ...tensor import Tensor
from .._checks import check_real, is_int
from ._common import expect_float, expect_same_dtype, expect_tensor

__all__ = ["layer_norm", "normalize"]


def normalized_shape_tuple(normalized_shape) -> tuple:
    """``normalized_shape`` (an int or a sequence of ints) as a tuple of ints, as
    LayerNorm takes it; TypeError otherwise."""
    if is_int(normalized_shape):
        return (int(normalized_shape),)
    try:
        shape = tuple(normalized_shape)
    except TypeError:
        raise TypeError(f"normalized_shape: expected an int or a sequence of ints, got "
                        f"{type(normalized_shape).__name__}") from None
    if not all(is_int(s) for s in shape):
        raise TypeError(f"normalized_shape: expected a sequence of ints, got {normalized_shape!r}")
    return tuple(int(s) for s in shape)


def _list(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Layer normalisation over the last ``len(normalized_shape)`` dims, as
    ``torch.nn.functional.layer_norm``.

    Shapes: input (*, *normalized_shape); weight and bias None or normalized_shape;
    output input's shape and dtype. E.g. a transformer's (B, T, D) with
    ``normalized_shape=(D,)`` normalises each token's D features.

    Maths, for each sample (the leading dims), over its n = prod(normalized_shape)
    values x::

        mu = mean(x),  var = mean((x - mu)**2)        (biased: divides by n)
        y = (x - mu) / sqrt(var + eps) * weight + bias

    The gradient, through mu and var, is that of the tape's ops.

    Raises RuntimeError (also a ValueError) for an input whose last dims are not
    normalized_shape (PyTorch's message) or a weight/bias of another shape; TypeError
    for a non-Tensor, a non-float input or a weight/bias of another dtype.
    """
    input = expect_tensor(input, "layer_norm(): argument 'input'")
    expect_float(input, "input")
    shape = normalized_shape_tuple(normalized_shape)
    k = len(shape)
    if k == 0 or k > input.ndim or tuple(input.shape[input.ndim - k:]) != shape:
        raise RuntimeValueError(f"Given normalized_shape={_list(shape)}, expected input with "
                                f"shape [*, {_list(shape)[1:-1]}], but got input of size"
                                f"{_list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None:
            t = expect_tensor(t, name)
            expect_same_dtype(input, "input", t, name)
            if tuple(t.shape) != shape:
                raise RuntimeValueError(f"Expected {name} to be of same shape as "
                                        f"normalized_shape, but got {name} of shape "
                                        f"{_list(t.shape)} and normalized_shape = {_list(shape)}")
    eps = check_real(eps, "eps")
    dims = tuple(range(input.ndim - k, input.ndim))
    mean = input.mean(dim=dims, keepdim=True)
    centered = input - mean
    var = (centered * centered).mean(dim=dims, keepdim=True)
    out = centered / (var + eps).sqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: None = None) -> Tensor:
    """``input`` divided by its p-norm along ``dim``, as
    ``torch.nn.functional.normalize``: each slice becomes a unit vector.

    Shapes: input (*), any; output the same shape and dtype. ``dim`` an int or a
    tuple of ints (default 1: the features of (N, D)).

    Maths::

        y = x / max(||x||_p, eps),   ||x||_p = (sum |x_i|**p)**(1/p) along dim
                                     (p = inf: max |x_i|)

    computed as ``x / (clamp(sum |x_i|**p, min=eps**p))**(1/p)``, the same value, so
    that a zero slice (norm 0, y = 0) has a finite gradient 1/eps as in PyTorch
    instead of the 0 * inf of the root's derivative at 0.

    Raises TypeError for a non-Tensor, a non-float input or an ``out`` tensor (not
    supported); ValueError for p <= 0 or NaN.

    Differences from PyTorch: no ``out=``; p must be positive (PyTorch also accepts
    p = 0 and negative p, which are not norms); for p = 2 the squares are x * x.
    """
    input = expect_tensor(input, "normalize(): argument 'input'")
    expect_float(input, "input")
    if out is not None:
        raise TypeError("normalize(): out= is not supported by minigrad; use the result")
    if isinstance(p, bool) or not isinstance(p, Real):
        raise TypeError(f"normalize(): argument 'p' must be a float, got {type(p).__name__}")
    p = float(p)
    if not p > 0:
        raise ValueError(f"normalize(): p must be positive, got {p}")
    eps = check_real(eps, "eps")
    dims = (dim,) if is_int(dim) else tuple(dim)
    if math.isinf(p):
        # amax (a tuple of dims): ties share the gradient evenly, as PyTorch's norm.
        denom = input.abs().max(dims, keepdim=True).clamp(min=eps)
    elif p == 2.0:
        denom = (input * input).sum(dims, keepdim=True).clamp(min=eps * eps).sqrt()
    else:
        powers = input.abs().pow(p).sum(dims, keepdim=True)
        denom = powers.clamp(min=eps ** p).pow(1.0 / p)
    return input / denom
