"""Gradient clipping, as ``torch.nn.utils.clip_grad``: ``clip_grad_norm_`` (with its
two halves ``get_total_norm`` and ``clip_grads_with_norm_``) and ``clip_grad_value_``.

Written with tensor ops, and in-place ops under ``no_grad``, so the same code runs on
every device: the norm stays a 0-d tensor on the gradients' device and scales them
there (no copy to the host, no ``if clip_coef < 1`` branch), as PyTorch does. Only
``error_if_nonfinite=True`` reads the norm on the host, as PyTorch's check does.
"""
from __future__ import annotations

import math
import types
import warnings
from numbers import Real
from typing import Iterable, Union

from ... import dtype as dt
from ...autograd.grad_mode import no_grad
from ...creation import tensor as _tensor
from ...tensor import Tensor
from ...tensor_ops.shape import stack

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]

TensorOrTensors = Union[Tensor, Iterable[Tensor]]


def _as_list(tensors: TensorOrTensors) -> list:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _number(name: str, value) -> float:
    # PyTorch calls float() on these; a bool or a string is a mistake worth naming.
    if isinstance(value, bool) or not isinstance(value, (Real, Tensor)):
        raise TypeError(f"{name}: expected a float, got {type(value).__name__}")
    return float(value.item() if isinstance(value, Tensor) else value)


def _check_foreach(foreach) -> None:
    # foreach picks PyTorch's multi-tensor kernels: a speed hint, the result is the same.
    if foreach is not None and not isinstance(foreach, bool):
        raise TypeError(f"foreach: expected a bool or None, got {type(foreach).__name__}")


def _vector_norm(x: Tensor, p: float) -> Tensor:
    """``torch.linalg.vector_norm(x, p)`` of every element of ``x``: a 0-d tensor.

    p = inf: max |x|; p = -inf: min |x|; p = 0: the number of nonzero elements;
    otherwise (sum |x|^p)^(1/p) (p = 1 and 2 without the general power)."""
    a = x.abs()
    if p == math.inf:
        return a.max()
    if p == -math.inf:
        return a.min()
    if p == 0:
        return (a != 0).to(x.dtype).sum()
    if p == 1:
        return a.sum()
    if p == 2:
        return (a * a).sum().sqrt()
    return a.pow(p).sum().pow(1.0 / p)


def get_total_norm(tensors: TensorOrTensors, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The p-norm of ``tensors`` taken together, as ``torch.nn.utils.get_total_norm``:
    the norm of the vector of their norms, i.e. of all their elements as one vector::

        total = || (||t_1||_p, ..., ||t_n||_p) ||_p

    Returns a 0-d tensor on the first tensor's device, in the widest of their dtypes
    (float32 0.0 for no tensors). ``norm_type`` may be ``inf`` (the largest |element|)
    or ``-inf``, 0 or any other float. For 0 the norm of norms is the number of tensors
    that have a nonzero element (not the number of nonzero elements), as PyTorch's.

    Raises RuntimeError, PyTorch's, if ``error_if_nonfinite`` and the total is NaN or
    infinite (this check reads the norm on the host).
    """
    _check_foreach(foreach)
    tensors = _as_list(tensors)
    norm_type = _number("norm_type", norm_type)
    with no_grad():
        if not tensors:
            return _tensor(0.0)
        norms = [_vector_norm(t, norm_type) for t in tensors]
        wide = dt.float64 if any(n.dtype is dt.float64 for n in norms) else norms[0].dtype
        device = tensors[0].device
        norms = [n.to(device=device, dtype=wide) for n in norms]
        total = _vector_norm(stack(norms), norm_type)
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return total


def clip_grads_with_norm_(parameters: TensorOrTensors, max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Scale the parameters' gradients in place by ``min(max_norm / (total_norm + 1e-6),
    1)``, as ``torch.nn.utils.clip_grads_with_norm_``: shrink them when the norm
    exceeds ``max_norm``, never enlarge them. Parameters without a gradient are skipped."""
    _check_foreach(foreach)
    max_norm = _number("max_norm", max_norm)
    if not isinstance(total_norm, Tensor):
        raise TypeError(f"total_norm: expected a Tensor, got {type(total_norm).__name__}")
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    with no_grad():
        # Multiplying by a clamped 1 costs a kernel but avoids reading the norm on the
        # host (PyTorch's reason too).
        coef = (max_norm / (total_norm + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coef.to(device=g.device, dtype=g.dtype))


def clip_grad_norm_(parameters: TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Clip the gradients of ``parameters`` to a total norm of at most ``max_norm``, in
    place, as ``torch.nn.utils.clip_grad_norm_``; returns the total norm before
    clipping (a 0-d tensor).

    Maths, with g_i the gradients (parameters without one are skipped)::

        total     = || (||g_1||_p, ..., ||g_n||_p) ||_p        (get_total_norm)
        clip_coef = max_norm / (total + 1e-6)
        g_i      *= min(clip_coef, 1)

    Args:
        parameters: a Tensor or an iterable of them (a generator is read once; an
            empty one warns, as PyTorch).
        max_norm: the largest total norm allowed (float).
        norm_type: p of the p-norm (default 2.0); ``float("inf")`` for the largest
            absolute value.
        error_if_nonfinite: raise RuntimeError when the total norm is NaN or infinite
            (default False: the gradients are then scaled by it, to NaN/0).
        foreach: accepted for PyTorch's signature (its multi-tensor kernels); the
            result is the same either way.

    Differences from PyTorch: none in the result. A bool or string ``max_norm`` /
    ``norm_type`` is refused with TypeError.
    """
    if isinstance(parameters, types.GeneratorType):
        parameters = list(parameters)
        if not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will "
                          "occur.", stacklevel=2)
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters: TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Deprecated alias of :func:`clip_grad_norm_` (FutureWarning), as PyTorch's."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: TensorOrTensors, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element of ``parameters`` to ``[-clip_value, clip_value]``,
    in place, as ``torch.nn.utils.clip_grad_value_``; parameters without a gradient are
    skipped. Returns None.

    Differences from PyTorch: a bool or string ``clip_value`` is refused (TypeError).
    """
    _check_foreach(foreach)
    clip_value = _number("clip_value", clip_value)
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    with no_grad():
        for g in grads:
            g.clamp_(min=-clip_value, max=clip_value)
