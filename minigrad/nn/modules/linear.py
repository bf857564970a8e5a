"""Linear: a fully connected layer."""
from __future__ import annotations

import math

import numpy as np

from ...tensor import Tensor
from .. import functional as F
from .. import init
from .._checks import check_bool, check_int
from ..module import Module
from ..parameter import Parameter
from ._factory import param_dtype, place

__all__ = ["Linear"]


class Linear(Module):
    """Fully connected layer ``y = x @ weight^T + bias``, as ``torch.nn.Linear``.

    Shapes:
        input:  (*, in_features)
        weight: (out_features, in_features);  bias: (out_features,)
        output: (*, out_features)

    Initialisation, as PyTorch: ``kaiming_uniform_(weight, a=sqrt(5))``, i.e.
    U(-1/sqrt(in_features), 1/sqrt(in_features)), and the bias from the same range.

    Args:
        in_features, out_features: non-negative ints (0 gives an empty layer, as PyTorch).
        bias: add a learnt bias (default True).
        device, dtype: where and in which float dtype to create the parameters.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device=None, dtype=None):
        super().__init__()
        self.in_features = check_int(in_features, "in_features", 0)
        self.out_features = check_int(out_features, "out_features", 0)
        check_bool(bias, "bias")
        np_dtype = param_dtype(device, dtype).np
        self.weight = Parameter(Tensor._wrap(
            np.empty((self.out_features, self.in_features), dtype=np_dtype)))
        if bias:
            self.bias = Parameter(Tensor._wrap(np.empty(self.out_features, dtype=np_dtype)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        place(self, device)

    def reset_parameters(self) -> None:
        """PyTorch's default initialisation (see the class docstring)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
