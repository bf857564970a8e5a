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

    ``inplace=True`` writes the result into ``input`` and returns it (``input.relu_()``,
    tensor_ops/inplace.py): refused on a leaf that requires grad, as PyTorch.
    """
    input = expect_tensor(input, "input")
    if check_bool(inplace, "inplace"):
        return input.relu_()
    return unary("relu", input)
