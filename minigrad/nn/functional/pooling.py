"""Pooling front ends."""

from __future__ import annotations

from minigrad.autograd.function import apply
from minigrad.nn.functional._common import expect_float, expect_ndim, expect_tensor
from minigrad.ops import avg_pool2d as _avg_pool2d_decl
from minigrad.ops import max_pool2d as _max_pool2d_decl
from minigrad.tensor import Tensor

__all__ = ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d"]


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
    g = _max_pool2d_decl.declare(input.shape, kernel_size, stride, padding, dilation, ceil_mode)
    out, indices = apply("max_pool2d", input, geometry=g, n_outputs=2)
    if unbatched:
        out, indices = out.squeeze(0), indices.squeeze(0)
    return (out, indices) if return_indices else out


def _pooled(op: str, input: Tensor, declare, *args) -> Tensor:
    """``op`` on a (B, C, H, W) or unbatched (C, H, W) float tensor, its geometry
    ``declare(shape, *args)``."""
    input = expect_tensor(input, "input")
    expect_float(input, "input")
    expect_ndim(input, "input", (3, 4))
    unbatched = input.ndim == 3
    if unbatched:
        input = input.unsqueeze(0)
    out = apply(op, input, geometry=declare(input.shape, *args))
    return out.squeeze(0) if unbatched else out


def avg_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """2-D average pooling over a batch of images, as ``torch.nn.functional.avg_pool2d``.

    Shapes:
        input:  (B, C, H, W), or (C, H, W) unbatched (then the output is 3-D too)
        output: (B, C, H_out, W_out), with per axis (n = H or W, k, s, p that axis's
                kernel size, stride and padding)
                n_out = floor((n + 2p - k + (s-1 if ceil_mode else 0)) / s) + 1,
                minus 1 if ceil_mode and (n_out-1)*s >= n + p (the last window must
                start inside the input or the left padding)

    Maths: window (i, j) spans rows [i*sh - ph, min(i*sh - ph + kH, H + ph)) and the
    matching columns of the input padded with zeros::

        out[b, c, i, j] = sum of x over the window's input elements / divisor(i, j)

    divisor(i, j): ``divisor_override`` if given; else with ``count_include_pad`` the
    window's size within the padded input (padding counted; with ceil_mode the part
    past the padding is not); else the number of input elements in it. Backward adds
    ``grad_out[b, c, i, j] / divisor(i, j)`` to every input element of window (i, j),
    summing where windows overlap.

    Args:
        kernel_size: int or (kH, kW), positive.
        stride: int or (sh, sw), positive; None (the default) means kernel_size.
        padding: int or (ph, pw), implicit zeros on both sides; at most half the kernel
            size, ``p <= k // 2`` (PyTorch's rule).
        ceil_mode: round the output size up instead of down (bool).
        count_include_pad: count the padding in the divisor (bool).
        divisor_override: None, or a nonzero int every window's sum is divided by.

    input must be float32 or float64; output has its dtype. The implementation is picked
    by the registry for the tensor's device (``with minigrad.use(avg_pool2d="naive")``).

    Differences from PyTorch: integer inputs are refused (TypeError); bad arguments
    raise ValueError/TypeError (PyTorch mostly raises RuntimeError); ints given as
    Python bools, and non-bool ceil_mode/count_include_pad, are refused.
    """
    return _pooled("avg_pool2d", input, _avg_pool2d_decl.declare, kernel_size, stride,
                   padding, ceil_mode, count_include_pad, divisor_override)


def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple[int | None, int | None]
                        ) -> Tensor:
    """2-D average pooling to a given output size, as
    ``torch.nn.functional.adaptive_avg_pool2d``.

    Shapes:
        input:  (B, C, H, W), or (C, H, W) unbatched (then the output is 3-D too)
        output: (B, C, H_out, W_out) = output_size; None in output_size keeps that
                input size

    Maths: the windows' edges spread evenly over the input; window (i, j) spans rows
    [floor(i*H/H_out), ceil((i+1)*H/H_out)) and columns likewise (neighbours may share
    an element), and::

        out[b, c, i, j] = sum of x over window (i, j) / kh(i) / kw(j)

    with kh(i), kw(j) the window's height and width. Backward adds
    ``grad_out[b, c, i, j] / kh(i) / kw(j)`` to every element of window (i, j).

    Args:
        output_size: int (H_out = W_out) or a pair of ints or None, each >= 0.

    input must be float32 or float64; output has its dtype. The implementation is picked
    by the registry (``with minigrad.use(adaptive_avg_pool2d="naive")``).

    Differences from PyTorch: integer inputs are refused (TypeError); bad arguments
    raise ValueError/TypeError (PyTorch raises RuntimeError); pooling to 1 x 1 sums in
    window order, where PyTorch takes a mean (the last bits may differ).
    """
    return _pooled("adaptive_avg_pool2d", input, _avg_pool2d_decl.declare_adaptive,
                   output_size)
