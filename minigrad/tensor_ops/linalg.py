"""The matrix product front end, ``matmul`` (``input @ other``).

Below the tensor (``Tensor.__matmul__`` calls it); ``minigrad.nn.functional`` exports it
with ``linear``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

# The tape by module: minigrad.tensor imports these files while it is being defined.
from ..autograd import function as _tape
from ..ops import matmul as _matmul_decl
from .. import dtype as dt
from ..errors import RuntimeTypeError, RuntimeValueError
from ._checks import expect_float, expect_same_dtype, expect_tensor
from .elementwise import cast

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["bmm", "matmul"]


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

    input and other must have the same floating dtype; the output has that dtype
    (float16 is computed in float32 and rounded back).
    The implementation is picked by the registry for the tensors' device
    (``with minigrad.use(matmul="naive"): ...``).

    Raises:
        TypeError: an argument is not a Tensor, or an operand is not floating point
            (int64 @ int64 is refused, where PyTorch computes it in int64).
        RuntimeError: the dtypes differ (also a TypeError), an operand is 0-d, the
            inner dimensions differ, or the batch dimensions do not broadcast (each
            also a ValueError: minigrad.errors), as PyTorch.

    Differences from PyTorch: integer operands are refused; no ``out=`` argument.
    """
    input = expect_tensor(input, "input")
    other = expect_tensor(other, "other")
    expect_float(input, "input", half=True)
    expect_float(other, "other", half=True)
    expect_same_dtype(input, "input", other, "other")
    if input.dtype is dt.float16:
        # The kernels are compiled for float32 and float64: float16 operands are
        # multiplied in float32 and the product rounded back (differentiable casts),
        # as PyTorch's CPU accumulates half products in float.
        return cast(matmul(cast(input, dt.float32), cast(other, dt.float32)), dt.float16)
    g = _matmul_decl.declare(input.shape, other.shape)
    return _tape.apply("matmul", input, other, geometry=g)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product, as ``torch.bmm``: (b, n, k) @ (b, k, m) -> (b, n, m).

    Both operands must be 3-D with the same batch size b (no broadcasting: that is
    :func:`matmul`); per batch element ``out[b] = input[b] @ mat2[b]``, the backward
    matmul's (dL/d input = G @ mat2^T, dL/d mat2 = input^T @ G, per batch element).

    Raises, as PyTorch (minigrad.errors: each also the type minigrad used before):
        RuntimeError (and ValueError): an operand is not 3-D ("batch1 must be a 3D
            tensor"), or the batch sizes or inner dimensions differ ("Expected size for
            first two dimensions of batch2 tensor to be: [2, 4] but got: [3, 4].").
        RuntimeError (and TypeError): the dtypes differ ("expected scalar type Float but
            found Double"); TypeError: not a Tensor, or not floating point (PyTorch
            also multiplies integer batches).
    """
    input = expect_tensor(input, "input")
    mat2 = expect_tensor(mat2, "mat2")
    for name, t in (("batch1", input), ("batch2", mat2)):
        if t.ndim != 3:
            raise RuntimeValueError(f"{name} must be a 3D tensor")
    if input.dtype is not mat2.dtype:
        raise RuntimeTypeError(f"expected scalar type {input.dtype.tensor_type[:-6]} but found "
                               f"{mat2.dtype.tensor_type[:-6]}")
    (b, _, k), (b2, k2, _) = input.shape, mat2.shape
    if (b2, k2) != (b, k):
        raise RuntimeValueError(f"Expected size for first two dimensions of batch2 tensor to "
                                f"be: [{b}, {k}] but got: [{b2}, {k2}].")
    return matmul(input, mat2)
