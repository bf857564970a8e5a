"""Pooling front ends."""

from __future__ import annotations

from minigrad.autograd.function import apply
from minigrad.nn.functional._common import expect_float, expect_ndim, expect_tensor
from minigrad.ops import max_pool2d as _max_pool2d_decl
from minigrad.tensor import Tensor


def max_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """2-D max pooling over a batch of images, as ``torch.nn.functional.max_pool2d``.

    Shapes:
        input:   (B, C, H, W), or (C, H, W) unbatched (then the outputs are 3-D too)
        output:  (B, C, H_out, W_out), with per axis (n = H or W, k, s, p, d that axis's
                 kernel size, stride, padding and dilation)
                 n_out = floor((n + 2p - d(k-1) - 1 + (s-1 if ceil_mode else 0)) / s) + 1,
                 minus 1 if ceil_mode and (n_out-1)*s >= n + p (the last window must
                 start inside the input or the left padding)
        indices: (B, C, H_out, W_out), int64

    Maths: with x_pad the input padded with -inf (p rows/columns on each side, and with
    ceil_mode as many more at the bottom/right as the last window needs)::

        out[b, c, i, j] = max_{p < kH, q < kW} x_pad[b, c, i*sh + p*dh, j*sw + q*dw]

    ``indices[b, c, i, j] = h * W + w`` is where that maximum sits in the (H, W) plane
    of input (b, c) (padding is never chosen; on ties the first tap in row-major window
    order wins; a NaN always wins, the last one if several, as PyTorch). Backward sends
    ``grad_out[b, c, i, j]`` to that input element, summing where windows overlap; the
    gradient is ambiguous where a window holds equal maxima.

    Args:
        kernel_size: int or (kH, kW), positive.
        stride: int or (sh, sw), positive; None (the default) means kernel_size.
        padding: int or (ph, pw), implicit -inf on both sides; at most half the kernel
            size: ``p <= k // 2`` (undilated k, PyTorch's rule).
        dilation: int or (dh, dw), positive: spacing between window taps.
        ceil_mode: round the output size up instead of down (bool).
        return_indices: also return ``indices`` (bool).

    input must be float32 or float64; output has its dtype. The implementation is picked
    by the registry for the tensor's device (``with minigrad.use(max_pool2d="naive")``).

    Differences from PyTorch: integer inputs are refused (TypeError); bad arguments
    raise ValueError/TypeError (PyTorch mostly raises RuntimeError); ints given as
    Python bools and non-bool ceil_mode/return_indices are refused; a dilated window
    that covers only padding raises ValueError (PyTorch returns -inf with an index
    outside the input).
    """
    input = expect_tensor(input, "input")
    expect_float(input, "input")
    expect_ndim(input, "input", (3, 4))
    if not isinstance(return_indices, bool):
        raise TypeError(
            f"return_indices: expected a bool, got {type(return_indices).__name__}"
        )

    unbatched = input.ndim == 3
    if unbatched:
        input = input.unsqueeze(0)
    attrs = _max_pool2d_decl.check_args(
        input.shape, kernel_size, stride, padding, dilation, ceil_mode
    )
    out, indices = apply("max_pool2d", input, attrs=attrs, n_outputs=2)
    if unbatched:
        out, indices = out.squeeze(0), indices.squeeze(0)
    return (out, indices) if return_indices else out
