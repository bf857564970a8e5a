"""Tensor-level argument checks shared by the functional front ends: those of the
tensor's own front ends (minigrad/tensor_ops/_checks.py), written once there, the
losses' check of their class indices, and the losses' folding of every input layout
into rows of classes."""
from __future__ import annotations

from ... import dispatch
from ...ops import check_class_indices as _indices
from ...tensor_ops._checks import (expect_float, expect_ndim, expect_same_dtype,  # noqa: F401
                                   expect_tensor)
from ...errors import RuntimeValueError  # PyTorch's RuntimeError, also a ValueError


def check_class_indices(target, n_classes: int, ignore_index: int) -> None:
    """Refuse a class index of ``target`` (an int64 Tensor) outside ``[0, n_classes)``
    that is not ``ignore_index``, with ValueError: at once on the CPU, at the next copy
    to the host on cuda (the op ``check_class_indices``: ops/check_class_indices)."""
    dispatch.run("check_class_indices", target.device.type,
                 _indices.declare(n_classes, ignore_index), target._array)


def class_target_shape(input_shape: tuple) -> tuple:
    """The class-index target's shape for an input of ``input_shape``: () for (C,),
    (N,) for (N, C), (N, d1, ..., dK) for (N, C, d1, ..., dK): the input's shape
    without its class dim. ValueError for a 0-d input."""
    input_shape = tuple(input_shape)
    if not input_shape:
        raise RuntimeValueError("input: expected a tensor of shape (N, C), (C,) or (N, C, d1, ...), "
                         "got a 0-d tensor")
    return () if len(input_shape) == 1 else (input_shape[0],) + input_shape[2:]


def check_class_target_shape(input, target) -> None:
    """ValueError unless ``target``'s shape is :func:`class_target_shape` of ``input``'s."""
    expected = class_target_shape(input.shape)
    if tuple(target.shape) != expected:
        raise RuntimeValueError(f"target: expected shape {expected} for input shape "
                         f"{tuple(input.shape)} (the input's shape without the class dim 1), "
                         f"got shape {tuple(target.shape)}")


def class_rows(input, target):
    """Every loss layout folded into rows of C scores: ``(rows, flat_target)``, rows
    (M, C) and flat_target (M,), one row per position, with M = N * d1 * ... * dK
    (1 for an unbatched (C,) input).

    (N, C, d1, ..., dK) moves the class dim last and flattens the rest (a permute and a
    reshape on the tape, so gradients flow back through them); a loss computed per row
    and reshaped to ``target.shape`` is the K-dimensional loss, and the mean over the
    rows is the mean over every position, as in PyTorch. The shapes must agree
    (:func:`check_class_target_shape` first)."""
    if input.ndim == 1:
        rows = input.unsqueeze(0)
    elif input.ndim == 2:
        rows = input
    else:
        rows = input.permute(0, *range(2, input.ndim), 1).reshape(-1, input.shape[1])
    return rows, target.reshape(-1)
