"""ReLU front end."""
from __future__ import annotations

from ...tensor import Tensor
from ...tensor_ops.elementwise import unary
from .._checks import check_bool
from ._common import expect_tensor

__all__ = ["relu"]


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(input, 0) elementwise, as ``torch.nn.functional.relu``.

    Shapes: any; the output has input's shape and dtype.

    Maths: ``y = max(x, 0)``; ``dL/dx = g * [x > 0]`` (gradient 0 at 0, as PyTorch).

    Differences from PyTorch: ``inplace`` is accepted for compatibility, but minigrad
    has no in-place ops: the result is a new tensor and ``input`` is left unchanged.
    """
    input = expect_tensor(input, "input")
    check_bool(inplace, "inplace")
    return unary("relu", input)
