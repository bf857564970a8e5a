"""Pooling geometry the pooling declarations share (max_pool2d, avg_pool2d,
adaptive_avg_pool2d): the input shape check, the kernel/stride/padding pairs with
PyTorch's half-kernel padding rule, and PyTorch's per-axis output size.

Standard library only: the declarations import it, and the layers above import them.
Each message names the argument and what was expected, the same for every pooling op.
"""
from __future__ import annotations

from typing import Any

from ._args import pair, shape
from ..errors import RuntimeValueError  # PyTorch's RuntimeError, also a ValueError

Pair = tuple[int, int]


def pool_input_shape(input_shape: Any) -> tuple[int, int, int, int]:
    """(B, C, H, W) as Python ints, with C, H, W >= 1 (B may be 0, as PyTorch allows)."""
    input_shape = shape(input_shape, "input")
    if len(input_shape) != 4:
        raise RuntimeValueError(f"input: expected a 4-D shape (B, C, H, W), got shape {input_shape}")
    if any(s < 1 for s in input_shape[1:]) or input_shape[0] < 0:
        raise RuntimeValueError(
            "input: expected sizes C, H, W >= 1 (only the batch size may be 0), "
            f"got shape {input_shape}"
        )
    return input_shape  # type: ignore[return-value]


def pool_pairs(kernel_size: Any, stride: Any, padding: Any) -> tuple[Pair, Pair, Pair]:
    """(kernel_size, stride, padding) as pairs of ints, checked.

    kernel_size: int or pair (a 1-tuple too, as PyTorch), positive; stride: the same, or
    None (or an empty tuple/list, as PyTorch) for ``stride = kernel_size``; padding: int
    or pair, non-negative. The half-kernel rule is :func:`check_half_padding`.
    """
    kernel_p = pair(kernel_size, "kernel_size", allow_single=True)
    if min(kernel_p) < 1:
        raise RuntimeValueError(f"kernel_size: expected positive values, got {kernel_p}")
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        stride_p = kernel_p
    else:
        stride_p = pair(stride, "stride", allow_single=True)
        if min(stride_p) < 1:
            raise RuntimeValueError(f"stride: expected positive values, got {stride_p}")
    padding_p = pair(padding, "padding", allow_single=True)
    if min(padding_p) < 0:
        raise RuntimeValueError(f"padding: expected non-negative values, got {padding_p}")
    return kernel_p, stride_p, padding_p


def check_half_padding(padding: Pair, kernel_size: Pair) -> None:
    """PyTorch's rule: each padding at most half its (undilated) kernel size, p <= k // 2,
    so that every window holds at least one input element."""
    if any(p > k // 2 for p, k in zip(padding, kernel_size)):
        raise RuntimeValueError(
            "padding: should be at most half of kernel_size (padding <= kernel_size // 2), "
            f"got padding={padding}, kernel_size={kernel_size}"
        )


def check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name}: expected a bool, got {type(value).__name__}")
    return value


# The shapes every pooling Geometry (a NamedTuple with fields B, C, H, W, Ho, Wo) answers:
# ``in_shape = _pool.in_shape`` in its class body (a NamedTuple cannot take a mixin).
in_shape = property(lambda g: (g.B, g.C, g.H, g.W),
                    doc="(B, C, H, W): the input's shape, and its gradient's.")
out_shape = property(lambda g: (g.B, g.C, g.Ho, g.Wo), doc="(B, C, Ho, Wo): the output's shape.")


def pool_out_size(n: int, k: int, s: int, p: int, d: int = 1, ceil_mode: bool = False) -> int:
    """PyTorch's pooling_output_shape for one axis (may be < 1: the caller checks).

    With n the input size, k the kernel size, s the stride, p the padding and d the
    dilation::

        out = floor((n + 2p - d(k-1) - 1 + (s-1 if ceil_mode else 0)) / s) + 1
        if ceil_mode and (out-1)*s >= n + p: out -= 1
    """
    # Python's // floors towards -inf, like PyTorch's div_rtn.
    out = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    # With ceil_mode the last window must start inside the input or the left padding,
    # never wholly in the right padding.
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out
