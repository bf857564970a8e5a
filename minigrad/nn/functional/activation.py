"""Softmax front ends: ``softmax`` and ``log_softmax`` along one dimension. They live
below the tensor, in minigrad/tensor_ops/softmax.py (``Tensor.softmax`` calls them)."""
from __future__ import annotations

from ...tensor_ops.softmax import log_softmax, softmax

__all__ = ["log_softmax", "softmax"]
