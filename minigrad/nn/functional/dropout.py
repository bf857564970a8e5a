"""Dropout front end: zero elements at random during training."""
from __future__ import annotations

from ... import dispatch
from ... import random as _random
from ...ops import dropout_mask as _mask
from ...tensor import Tensor
from .._checks import check_bool, check_probability
from ._common import expect_float, expect_tensor

__all__ = ["dropout"]


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Randomly zero elements of ``input`` with probability ``p`` and scale the rest by
    1 / (1 - p), as ``torch.nn.functional.dropout``, so the expected value is unchanged.

    Shapes: any; the output has input's shape and dtype.

    Maths: with m_i ~ Bernoulli(1 - p) drawn independently per element from minigrad's
    global generator (``minigrad.manual_seed`` fixes the mask)::

        out_i = x_i * m_i / (1 - p)          dL/dx_i = g_i * m_i / (1 - p)

    ``training=False`` or ``p=0`` returns ``input`` itself; ``p=1`` gives zeros.

    Args:
        p: drop probability in [0, 1] (ValueError otherwise, PyTorch's message).
        training: apply dropout (True) or pass through (False).
        inplace: write the result into ``input`` and return it (refused on a leaf
            that requires grad, as PyTorch).

    Differences from PyTorch: the random stream differs, so
    masks are not those PyTorch draws for the same seed; integer inputs are refused
    (TypeError).
    """
    input = expect_tensor(input, "input")
    p = check_probability(p)
    check_bool(training, "training")
    inplace = check_bool(inplace, "inplace")
    expect_float(input, "input")
    if not training or p == 0.0:
        return input
    # The mask by the registry's dropout_mask on input's device, its randomness from
    # minigrad's generator (a NumPy draw on the CPU, one seed for a hash on the GPU).
    g = _mask.declare(input.shape, p, input._array.dtype, _random.generator())
    mask = Tensor._wrap(dispatch.run("dropout_mask", input.device.type, g))
    return input.mul_(mask) if inplace else input * mask
