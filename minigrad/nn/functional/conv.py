"""Convolution front ends."""

from __future__ import annotations

from minigrad.autograd.function import apply
from minigrad.nn.functional._common import (
    expect_float,
    expect_ndim,
    expect_same_dtype,
    expect_tensor,
)
from minigrad.ops import conv2d as _conv2d_decl
from minigrad.tensor import Tensor

__all__ = ["conv2d"]


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation) over a batch of images, as
    ``torch.nn.functional.conv2d``.

    Shapes:
        input:  (B, C_in, H, W), or (C_in, H, W) unbatched (then the output is 3-D too)
        weight: (C_out, C_in // groups, kH, kW)
        bias:   (C_out,) or None
        output: (B, C_out, H_out, W_out), with
                H_out = (H + pad_top + pad_bottom - dh * (kH - 1) - 1) // sh + 1
                W_out = (W + pad_left + pad_right - dw * (kW - 1) - 1) // sw + 1

    Maths: with Cg = C_in // groups, Og = C_out // groups, g = oc // Og, and x_pad the
    input zero-padded by ``padding``::

        out[b, oc, i, j] = bias[oc]
            + sum_{c < Cg, p < kH, q < kW}
                  x_pad[b, g*Cg + c, i*sh + p*dh, j*sw + q*dw] * weight[oc, c, p, q]

    Like PyTorch (and unlike the textbook convolution) the kernel is not flipped.
    Backward: grad_bias sums grad_out over (B, H_out, W_out); grad_weight correlates
    the input with grad_out; grad_input is the transposed convolution of grad_out.

    Args:
        stride: int or (sh, sw), positive.
        padding: int or (ph, pw), non-negative, zeros on both sides; or "valid" (no
            padding) or "same" (output size = input size; only with stride 1; an odd
            total padding puts the extra row/column at the bottom/right, as PyTorch).
        dilation: int or (dh, dw), positive: spacing between kernel taps.
        groups: splits C_in and C_out into ``groups`` blocks; block g of the output
            sees only block g of the input. Must divide both C_in and C_out.

    input and weight must be float32 or float64 of the same dtype (bias too); the output
    has that dtype. The implementation is picked by the registry for the tensors'
    device (``with minigrad.use(conv2d="naive"): ...``).

    Differences from PyTorch: no ``padding_mode`` (zeros only; that lives in
    ``nn.Conv2d`` in PyTorch anyway); bad arguments raise ValueError/TypeError (PyTorch
    mostly raises RuntimeError); ints given as Python bools are refused.
    """
    input = expect_tensor(input, "input")
    weight = expect_tensor(weight, "weight")
    expect_float(input, "input")
    expect_float(weight, "weight")
    expect_same_dtype(input, "input", weight, "weight")
    if bias is not None:
        bias = expect_tensor(bias, "bias")
        expect_same_dtype(input, "input", bias, "bias")
    expect_ndim(input, "input", (3, 4))

    unbatched = input.ndim == 3
    if unbatched:
        input = input.unsqueeze(0)
    g = _conv2d_decl.declare(
        input.shape,
        weight.shape,
        None if bias is None else bias.shape,
        stride,
        padding,
        dilation,
        groups,
    )
    out = apply("conv2d", input, weight, bias, geometry=g)
    return out.squeeze(0) if unbatched else out
