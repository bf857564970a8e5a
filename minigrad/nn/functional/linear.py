"""Matrix product and fully connected layer front ends: ``matmul`` and ``linear``."""

from __future__ import annotations

from minigrad.autograd.function import apply
from minigrad.nn.functional._common import expect_float, expect_same_dtype, expect_tensor
from minigrad.ops import linear as _linear_decl
from minigrad.ops import matmul as _matmul_decl
from minigrad.tensor import Tensor


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
    attrs = _matmul_decl.check_args(input.shape, other.shape)
    return apply("matmul", input, other, attrs=attrs)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Fully connected layer, as ``torch.nn.functional.linear``: ``input @ weight^T + bias``.

    Shapes:
        input:  (*, in_features), any number of leading dimensions (also none: (in,))
        weight: (out_features, in_features)
        bias:   (out_features,) or None
        output: (*, out_features)

    Maths::

        out[..., o] = bias[o] + sum_i input[..., i] * weight[o, i]

    Backward, with G = dL/d out flattened to (N, out_features) and X = input flattened
    to (N, in_features): dL/d input = G @ weight, dL/d weight = G^T @ X and
    dL/d bias = sum of G over its N rows.

    One recorded op, ``linear`` (``ops/linear/``), whose implementations run their
    matmul rung's product: the leading dimensions fold into the N rows of one matrix
    product, weight^T is read in place (no transposed copy) and the bias is added in
    the same pass on the GPU (one launch forward; backward one launch per gradient).
    An empty batch (N == 0) gives zero gradients for weight and bias.

    input, weight and bias must share one floating dtype (float32 or float64). The
    implementation is picked by the registry for the tensors' device
    (``with minigrad.use(linear="naive"): ...``).

    Raises:
        TypeError: an argument is not a Tensor, is not floating point, or the dtypes
            differ (PyTorch: RuntimeError for the last).
        ValueError: input is 0-d; weight is not 2-D; input.shape[-1] !=
            weight.shape[1] (in_features); bias shape is not (out_features,).

    Differences from PyTorch: weight must be 2-D (PyTorch also takes a 1-D weight)
    and bias exactly (out_features,) (PyTorch takes any bias that broadcasts to the
    output); shape errors are ValueError (PyTorch: RuntimeError).
    """
    input = expect_tensor(input, "input")
    weight = expect_tensor(weight, "weight")
    expect_float(input, "input")
    expect_float(weight, "weight")
    expect_same_dtype(input, "input", weight, "weight")
    if bias is not None:
        bias = expect_tensor(bias, "bias")
        expect_same_dtype(input, "input", bias, "bias")
    attrs = _linear_decl.check_args(
        input.shape, weight.shape, None if bias is None else bias.shape
    )
    return apply("linear", input, weight, bias, attrs=attrs)
