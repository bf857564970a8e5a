"""MaxPool2d: 2-D max pooling."""
from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .._checks import check_bool, check_pair
from ..module import Module


class MaxPool2d(Module):
    """2-D max pooling, as ``torch.nn.MaxPool2d``: ``F.max_pool2d(x, kernel_size,
    stride, padding, dilation, ceil_mode, return_indices)``; see
    :func:`minigrad.nn.functional.max_pool2d` for the maths and output size.

    Shapes: input (B, C, H, W) or (C, H, W); output (B, C, H_out, W_out), e.g.
    ``MaxPool2d(2)`` halves H and W (rounding down).

    Args:
        kernel_size: int or (kH, kW), positive.
        stride: int or (sh, sw), positive; None (default) means kernel_size.
        padding: int or (ph, pw), at most half the kernel (checked at forward time).
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
        check_pair(kernel_size, "kernel_size", 1)
        if stride is not None:
            check_pair(stride, "stride", 1)
        check_pair(padding, "padding", 0)
        check_pair(dilation, "dilation", 1)
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
