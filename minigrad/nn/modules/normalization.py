"""LayerNorm: normalisation over the last dims of every sample."""
from __future__ import annotations

import numpy as np

from ...tensor import Tensor
from .. import functional as F
from .. import init
from .._checks import check_bool, check_real
from ..functional.normalization import normalized_shape_tuple
from ..module import Module
from ..parameter import Parameter
from ._factory import param_dtype, place

__all__ = ["LayerNorm"]


class LayerNorm(Module):
    """Layer normalisation, as ``torch.nn.LayerNorm``: each sample is normalised over
    its last ``len(normalized_shape)`` dims, with its own mean and biased variance
    (the same in training and evaluation: no running statistics), then scaled and
    shifted per element; see :func:`minigrad.nn.functional.layer_norm`::

        y = (x - mean) / sqrt(var + eps) * weight + bias

    Shapes: input (*, *normalized_shape), e.g. (B, T, D) with ``LayerNorm(D)``;
    output the same shape.

    State: parameters ``weight`` (ones) and ``bias`` (zeros), of shape
    normalized_shape, when ``elementwise_affine`` (``bias`` only with ``bias=True``).

    Args:
        normalized_shape: an int or a sequence of ints, the trailing shape.
        eps: added to the variance (default 1e-5).
        elementwise_affine: learn ``weight`` and ``bias`` (default True).
        bias: learn ``bias`` too (default True).
        device, dtype: where and in which float dtype to create the parameters.
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = normalized_shape_tuple(normalized_shape)
        check_real(eps, "eps")
        self.eps = eps
        self.elementwise_affine = check_bool(elementwise_affine, "elementwise_affine")
        check_bool(bias, "bias")
        np_dtype = param_dtype(device, dtype).np
        if elementwise_affine:
            self.weight = Parameter(Tensor._wrap(np.empty(self.normalized_shape, dtype=np_dtype)))
            if bias:
                self.bias = Parameter(Tensor._wrap(np.empty(self.normalized_shape,
                                                            dtype=np_dtype)))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()
        place(self, device)

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        # PyTorch prints bias=False also when there is no affine part at all.
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")
