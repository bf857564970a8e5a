"""Matrix product and fully connected layer front ends: ``matmul`` (defined below the
tensor, in minigrad/tensor_ops/linalg.py) and ``linear``."""

from __future__ import annotations

from minigrad.autograd.function import apply
from minigrad.nn.functional._common import expect_float, expect_same_dtype, expect_tensor
from minigrad.ops import linear as _linear_decl
from minigrad.tensor import Tensor
from minigrad.tensor_ops.linalg import matmul

__all__ = ["linear", "matmul"]


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
    g = _linear_decl.declare(input.shape, weight.shape, None if bias is None else bias.shape)
    return apply("linear", input, weight, bias, geometry=g)
