"""The matrix product front end, ``matmul`` (``input @ other``).

Below the tensor (``Tensor.__matmul__`` calls it); ``minigrad.nn.functional`` exports it
with ``linear``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

# The tape by module: minigrad.tensor imports these files while it is being defined.
from ..autograd import function as _tape
from ..ops import matmul as _matmul_decl
from ._checks import expect_float, expect_same_dtype, expect_tensor

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["matmul"]


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """Matrix product of two tensors, as ``torch.matmul`` (``input @ other``).

    Shapes, by the number of dimensions:
        (k,)      @ (k,)      -> ()          dot product, a 0-d tensor
        (n, k)    @ (k, m)    -> (n, m)      matrix product
        (k,)      @ (*, k, m) -> (*, m)      ``input`` is read as a row (1, k)
        (*, n, k) @ (k,)      -> (*, n)      ``other`` is read as a column (k, 1)
        (*a, n, k) @ (*b, k, m) -> (*broadcast(a, b), n, m)   batched

    In the batched case the dimensions before the last two are batch dimensions and
    broadcast as in NumPy: (2, 1, n, k) @ (3, k, m) -> (2, 3, n, m).

    Maths, per batch element (1-D operands promoted as above, the added dimension
    removed from the result)::

        out[i, j] = sum_p input[i, p] * other[p, j]

    Backward, with G = dL/d out: dL/d input = G @ other^T and dL/d other = input^T @ G,
    each summed over the batch dimensions along which that operand was broadcast.

    input and other must both be float32 or both float64; the output has that dtype.
    The implementation is picked by the registry for the tensors' device
    (``with minigrad.use(matmul="naive"): ...``).

    Raises:
        TypeError: an argument is not a Tensor; an operand is not floating point
            (int64 @ int64 is refused, where PyTorch computes it in int64); or the
            dtypes differ (PyTorch: RuntimeError).
        ValueError: an operand is 0-d, the inner dimensions differ, or the batch
            dimensions do not broadcast (PyTorch: RuntimeError for each).

    Differences from PyTorch: the errors' types above; no ``out=`` argument.
    """
    input = expect_tensor(input, "input")
    other = expect_tensor(other, "other")
    expect_float(input, "input")
    expect_float(other, "other")
    expect_same_dtype(input, "input", other, "other")
    g = _matmul_decl.declare(input.shape, other.shape)
    return _tape.apply("matmul", input, other, geometry=g)
