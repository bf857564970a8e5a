"""Softmax front ends: ``softmax`` and ``log_softmax`` along one dimension.

Below the tensor (``Tensor.softmax`` calls them); ``minigrad.nn.functional`` exports
them with the other front ends.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

# The tape by module: minigrad.tensor imports these files while it is being defined.
from ..autograd import function as _tape
from ..ops import softmax as _decl
from ._checks import expect_float, expect_tensor

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["log_softmax", "softmax"]


def softmax(input: Tensor, dim: int) -> Tensor:
    """Softmax along ``dim``, as ``torch.nn.functional.softmax``: each slice along
    ``dim`` becomes a probability distribution (non-negative, summing to 1).

    Shapes: input of any shape, e.g. (B, C) logits with ``dim=1``, or (B, C, H, W)
    with ``dim=1`` for a per-pixel distribution over channels; the output has the
    same shape and dtype. A 0-d input gives 1 (``dim`` 0 or -1), as in PyTorch.

    Maths, for each slice x along ``dim``::

        softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m),     m = max_j x_j

    Subtracting the maximum is exact in real arithmetic and keeps every exponent <= 0,
    so large logits (1e4) neither overflow nor give NaN. Backward, with y the output
    and g the incoming gradient: ``dL/dx_i = y_i * (g_i - sum_j g_j y_j)``.

    Args:
        input: a float32 or float64 tensor.
        dim: the dimension to normalise over, in [-ndim, ndim - 1] (negative counts
            from the end).

    Differences from PyTorch: ``dim`` is required (PyTorch's implicit choice when it
    is None is deprecated); there is no ``dtype=`` argument (cast the input first with
    ``input.double()``); an out-of-range ``dim`` raises PyTorch's IndexError (also a
    ValueError) naming the valid range; a non-float input raises TypeError.
    """
    input = expect_tensor(input, "input")
    expect_float(input, "input")
    g = _decl.declare_softmax(input.shape, dim)
    return _tape.apply("softmax", input, geometry=g)


def log_softmax(input: Tensor, dim: int) -> Tensor:
    """Log of the softmax along ``dim``, as ``torch.nn.functional.log_softmax``,
    computed directly (not as ``log(softmax(x))``, which underflows to -inf).

    Shapes: input of any shape, output of the same shape and dtype; a 0-d input gives
    0 (``dim`` 0 or -1), as in PyTorch.

    Maths, for each slice x along ``dim``, with the log-sum-exp::

        log_softmax(x)_i = x_i - logsumexp(x)
        logsumexp(x)     = m + log(sum_j exp(x_j - m)),     m = max_j x_j

    The shifted sum is >= 1, so its log is finite: logits of 1e4 give exact values.
    Backward, with y the output and g the incoming gradient:
    ``dL/dx_i = g_i - exp(y_i) * sum_j g_j`` (exp(y) is the softmax).

    Args:
        input: a float32 or float64 tensor.
        dim: the dimension to normalise over, in [-ndim, ndim - 1].

    Differences from PyTorch: as :func:`softmax` (``dim`` required, no ``dtype=``,
    IndexError (also a ValueError) for an out-of-range ``dim``, TypeError for a non-float
    input).
    """
    input = expect_tensor(input, "input")
    expect_float(input, "input")
    g = _decl.declare_log_softmax(input.shape, dim)
    return _tape.apply("log_softmax", input, geometry=g)
