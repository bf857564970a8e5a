"""Tensor-level argument checks shared by the functional front ends: those of the
tensor's own front ends (minigrad/tensor_ops/_checks.py), written once there."""
from ...tensor_ops._checks import (expect_float, expect_ndim, expect_same_dtype,  # noqa: F401
                                   expect_tensor)
