"""Conv2d: a 2-D convolution layer."""
from __future__ import annotations

import math

import numpy as np

from ...tensor import Tensor
from .. import functional as F
from .. import init
from ...ops import conv2d as conv2d_decl
from .._checks import check_bool, check_int
from ..module import Module
from ..parameter import Parameter
from ._factory import param_dtype, place

__all__ = ["Conv2d"]

_TORCH_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class Conv2d(Module):
    """2-D convolution (cross-correlation) over a batch of images, as
    ``torch.nn.Conv2d``: ``F.conv2d(x, self.weight, self.bias, stride, padding,
    dilation, groups)``; see :func:`minigrad.nn.functional.conv2d` for the maths.

    Shapes:
        input:  (B, C_in, H, W) or (C_in, H, W)
        weight: (C_out, C_in // groups, kH, kW);  bias: (C_out,)
        output: (B, C_out, H_out, W_out), H_out = (H + 2 ph - dh (kH - 1) - 1) // sh + 1

    Initialisation, as PyTorch: ``kaiming_uniform_(weight, a=sqrt(5))``, i.e.
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = C_in / groups * kH * kW, and the
    bias from the same U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Seed with
    ``minigrad.manual_seed`` for reproducible weights.

    Args:
        in_channels, out_channels: positive ints, both divisible by ``groups``.
        kernel_size: int or (kH, kW).
        stride: int or (sh, sw), positive. padding: int or (ph, pw), non-negative, or
            "valid" / "same" (same: stride 1 only). dilation: int or (dh, dw).
        groups: positive int. bias: add a learnt bias (default True).
        padding_mode: only "zeros".
        device, dtype: where and in which float dtype to create the parameters.

    Differences from PyTorch: ``padding_mode`` "reflect", "replicate" and "circular"
    raise NotImplementedError; bad arguments raise TypeError/ValueError when the layer
    is built.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] | str = 0,
                 dilation: int | tuple[int, int] = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__()
        self.in_channels = check_int(in_channels, "in_channels", 1)
        self.out_channels = check_int(out_channels, "out_channels", 1)
        # The op's own attribute checks: the same messages as F.conv2d's.
        (self.kernel_size, self.stride, self.padding, self.dilation,
         self.groups) = conv2d_decl.check_attrs(kernel_size, stride, padding, dilation, groups)
        groups = self.groups
        if self.in_channels % groups:
            raise ValueError(f"in_channels must be divisible by groups: in_channels="
                             f"{self.in_channels}, groups={groups}")
        if self.out_channels % groups:
            raise ValueError(f"out_channels must be divisible by groups: out_channels="
                             f"{self.out_channels}, groups={groups}")
        if padding_mode != "zeros":
            if padding_mode in _TORCH_PADDING_MODES:
                raise NotImplementedError(f"padding_mode={padding_mode!r} is not supported by "
                                          "minigrad: only 'zeros' (the default) is")
            raise ValueError(f"padding_mode must be one of {set(_TORCH_PADDING_MODES)}, but got "
                             f"padding_mode={padding_mode!r}")
        self.padding_mode = padding_mode
        check_bool(bias, "bias")
        np_dtype = param_dtype(device, dtype).np
        shape = (self.out_channels, self.in_channels // groups) + self.kernel_size
        self.weight = Parameter(Tensor._wrap(np.empty(shape, dtype=np_dtype)))
        if bias:
            self.bias = Parameter(Tensor._wrap(np.empty(self.out_channels, dtype=np_dtype)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        place(self, device)

    def reset_parameters(self) -> None:
        """PyTorch's default initialisation (see the class docstring)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s
