"""Pooling layers: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d."""
from __future__ import annotations

from ...ops import avg_pool2d as _avg_pool2d_decl
from ...ops import max_pool2d as _max_pool2d_decl
from ...tensor import Tensor
from .. import functional as F
from .._checks import check_bool
from ..module import Module

__all__ = ["MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d"]


class MaxPool2d(Module):
    """2-D max pooling, as ``torch.nn.MaxPool2d``: ``F.max_pool2d(x, kernel_size,
    stride, padding, dilation, ceil_mode, return_indices)``; see
    :func:`minigrad.nn.functional.max_pool2d` for the maths and output size.

    Shapes: input (B, C, H, W) or (C, H, W); output (B, C, H_out, W_out), e.g.
    ``MaxPool2d(2)`` halves H and W (rounding down).

    Args:
        kernel_size: int or (kH, kW), positive.
        stride: int or (sh, sw), positive; None (default) means kernel_size.
        padding: int or (ph, pw), at most half the kernel.
        dilation: int or (dh, dw), positive.
        return_indices: also return the argmax indices (bool).
        ceil_mode: round the output size up (bool).

    The arguments are kept as given (``MaxPool2d(2).stride == 2``), as PyTorch.
    Note the order: ``return_indices`` comes before ``ceil_mode`` here, after it in
    the functional form (PyTorch's orders).
    """

    def __init__(self, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] | None = None,
                 padding: int | tuple[int, int] = 0, dilation: int | tuple[int, int] = 1,
                 return_indices: bool = False, ceil_mode: bool = False):
        super().__init__()
        # The op's own attribute checks: the same messages as F.max_pool2d's.
        _max_pool2d_decl.check_attrs(kernel_size, stride, padding, dilation, ceil_mode)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.dilation = dilation
        self.return_indices = check_bool(return_indices, "return_indices")
        self.ceil_mode = check_bool(ceil_mode, "ceil_mode")

    def forward(self, input: Tensor):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """2-D average pooling, as ``torch.nn.AvgPool2d``: ``F.avg_pool2d(x, kernel_size,
    stride, padding, ceil_mode, count_include_pad, divisor_override)``; see
    :func:`minigrad.nn.functional.avg_pool2d` for the maths, the divisor and the output
    size.

    Shapes: input (B, C, H, W) or (C, H, W); output (B, C, H_out, W_out), e.g.
    ``AvgPool2d(2)`` halves H and W (rounding down).

    Args:
        kernel_size: int or (kH, kW), positive.
        stride: int or (sh, sw), positive; None (default) means kernel_size.
        padding: int or (ph, pw), at most half the kernel.
        ceil_mode: round the output size up (bool).
        count_include_pad: count the zero padding in the divisor (bool).
        divisor_override: None, or a nonzero int to divide every window's sum by.

    The arguments are checked when the layer is built, by the op's own checks (the same
    messages as the functional form), and kept as given (``AvgPool2d(2).stride == 2``),
    as PyTorch.
    """

    def __init__(self, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] | None = None,
                 padding: int | tuple[int, int] = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None):
        super().__init__()
        _avg_pool2d_decl.check_attrs(kernel_size, stride, padding, ceil_mode,
                                     count_include_pad, divisor_override)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """2-D average pooling to a fixed output size, as ``torch.nn.AdaptiveAvgPool2d``:
    ``F.adaptive_avg_pool2d(x, output_size)``; see
    :func:`minigrad.nn.functional.adaptive_avg_pool2d` for the windows.

    Shapes: input (B, C, H, W) or (C, H, W); output (B, C, H_out, W_out) =
    output_size whatever H and W (None keeps that input size): ``AdaptiveAvgPool2d(1)``
    is global average pooling.

    Args:
        output_size: int or a pair of ints or None, each >= 0.

    Checked when the layer is built, by the op's own check; kept as given.
    """

    def __init__(self, output_size: int | tuple[int | None, int | None]):
        super().__init__()
        _avg_pool2d_decl.check_adaptive_attrs(output_size)
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
