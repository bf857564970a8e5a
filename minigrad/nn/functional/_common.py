"""Tensor-level argument checks shared by the functional front ends: those of the
tensor's own front ends (minigrad/tensor_ops/_checks.py), written once there, and the
losses' check of their class indices."""
from ... import dispatch
from ...ops import check_class_indices as _indices
from ...tensor_ops._checks import (expect_float, expect_ndim, expect_same_dtype,  # noqa: F401
                                   expect_tensor)


def check_class_indices(target, n_classes: int, ignore_index: int) -> None:
    """Refuse a class index of ``target`` (an int64 Tensor) outside ``[0, n_classes)``
    that is not ``ignore_index``, with ValueError: at once on the CPU, at the next copy
    to the host on cuda (the op ``check_class_indices``: ops/check_class_indices)."""
    dispatch.run("check_class_indices", target.device.type,
                 _indices.declare(n_classes, ignore_index), target._array)
