"""conv2d: the declaration (argument checks, normalisation, output size).

2-D cross-correlation of a batch of images with a bank of filters, as
``torch.nn.functional.conv2d``::

    out[b, oc, i, j] = bias[oc]
        + sum_{c, p, q} x_pad[b, g*Cg + c, i*sh + p*dh, j*sw + q*dw] * w[oc, c, p, q]

with ``g = oc // (C_out // groups)`` the group of output channel ``oc`` and
``Cg = C_in // groups`` the input channels per group. Shapes: input (B, C_in, H, W),
weight (C_out, C_in // groups, kH, kW), bias (C_out,), output (B, C_out, H_out, W_out).

The kernels receive the attributes normalised by :func:`check_args`:
``stride=(sh, sw)``, ``padding=(top, bottom, left, right)``, ``dilation=(dh, dw)``,
``groups=int``. Padding is a 4-tuple because ``padding="same"`` with an even
(dilated) kernel pads one more row/column at the bottom/right, as PyTorch does.

This module imports only the standard library: the layers above import it, never the
other way round.
"""

from __future__ import annotations

from typing import Any

from .._args import is_int as _is_int
from .._args import pair

IMPLEMENTATIONS = {"cpu": ("naive", "numpy", "numba"), "cuda": ("direct", "tiled", "gemm")}
# Order of preference: the first that imports (numba is optional) is the default.
DEFAULT = {"cpu": ("numba", "numpy"), "cuda": "gemm"}

Pair = tuple[int, int]
Padding4 = tuple[int, int, int, int]


def _pair(value: Any, name: str) -> Pair:
    return pair(value, name, allow_single=False)


def _padding(
    padding: Any, stride: Pair, dilation: Pair, kernel: Pair
) -> Padding4:
    """int, pair, "valid" or "same" -> (top, bottom, left, right)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(
                    f"padding='same' is not supported for strided convolutions: "
                    f"expected stride 1, got stride={stride}"
                )
            # PyTorch puts the odd extra row/column at the bottom/right.
            pads = []
            for d, k in zip(dilation, kernel):
                total = d * (k - 1)
                pads += [total // 2, total - total // 2]
            return (pads[0], pads[1], pads[2], pads[3])
        raise ValueError(
            f"padding: expected an int, a tuple of 2 ints, 'valid' or 'same', "
            f"got the string {padding!r}"
        )
    ph, pw = _pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise ValueError(f"padding: expected non-negative values, got {(ph, pw)}")
    return (ph, ph, pw, pw)


def _shape(shape: Any, name: str) -> tuple[int, ...]:
    try:
        return tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"{name}: expected a shape (tuple of ints), got {shape!r}") from None


def check_args(
    input_shape: tuple[int, ...],
    weight_shape: tuple[int, ...],
    bias_shape: tuple[int, ...] | None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> dict[str, Any]:
    """Check conv2d's arguments and return the attributes the kernels receive.

    input_shape: (B, C_in, H, W); weight_shape: (C_out, C_in // groups, kH, kW);
    bias_shape: (C_out,) or None. stride, dilation: int or pair of ints (> 0);
    padding: int or pair of ints (>= 0), or "valid" / "same" ("same" needs stride 1).

    Returns ``{"stride": (sh, sw), "padding": (top, bottom, left, right),
    "dilation": (dh, dw), "groups": groups}``.

    Raises ValueError for a wrong value or shape, TypeError for a wrong type, naming the
    argument and what was expected. PyTorch raises RuntimeError for most of these.
    """
    input_shape = _shape(input_shape, "input")
    weight_shape = _shape(weight_shape, "weight")
    if len(input_shape) != 4:
        raise ValueError(
            f"input: expected a 4-D shape (B, C_in, H, W), got shape {input_shape}"
        )
    if len(weight_shape) != 4:
        raise ValueError(
            "weight: expected a 4-D tensor (C_out, C_in // groups, kH, kW), "
            f"got shape {weight_shape}"
        )
    if any(s < 1 for s in weight_shape):
        raise ValueError(f"weight: expected all dimensions >= 1, got shape {weight_shape}")

    if not _is_int(groups):
        raise TypeError(f"groups: expected an int, got {type(groups).__name__}")
    groups = int(groups)
    if groups < 1:
        raise ValueError(f"groups: expected a positive int, got {groups}")

    stride_p = _pair(stride, "stride")
    if min(stride_p) < 1:
        raise ValueError(f"stride: expected positive values, got {stride_p}")
    dilation_p = _pair(dilation, "dilation")
    if min(dilation_p) < 1:
        raise ValueError(f"dilation: expected positive values, got {dilation_p}")

    _, c_in, h, w = input_shape
    c_out, c_per_group, kh, kw = weight_shape
    if c_in % groups != 0:
        raise ValueError(
            f"groups: input channels C_in={c_in} must be divisible by groups={groups}"
        )
    if c_out % groups != 0:
        raise ValueError(
            f"groups: weight out_channels (weight.shape[0]={c_out}) must be divisible "
            f"by groups={groups}"
        )
    if c_in != c_per_group * groups:
        raise ValueError(
            f"weight: expected weight.shape[1] * groups == input channels, got "
            f"weight of shape {weight_shape} with groups={groups} "
            f"({c_per_group * groups} channels) and input of shape {input_shape} "
            f"({c_in} channels)"
        )
    if bias_shape is not None:
        bias_shape = _shape(bias_shape, "bias")
        if bias_shape != (c_out,):
            raise ValueError(
                f"bias: expected shape ({c_out},) to match weight.shape[0], "
                f"got shape {bias_shape}"
            )

    pad4 = _padding(padding, stride_p, dilation_p, (kh, kw))
    padded = (h + pad4[0] + pad4[1], w + pad4[2] + pad4[3])
    dilated = (dilation_p[0] * (kh - 1) + 1, dilation_p[1] * (kw - 1) + 1)
    if padded[0] < dilated[0] or padded[1] < dilated[1]:
        raise ValueError(
            f"weight: the (dilated) kernel size {dilated} can't be larger than the "
            f"padded input size {padded} (input {(h, w)}, padding {pad4})"
        )
    return {"stride": stride_p, "padding": pad4, "dilation": dilation_p, "groups": groups}


def output_shape(
    input_shape: tuple[int, ...],
    weight_shape: tuple[int, ...],
    stride: Pair,
    padding: Padding4,
    dilation: Pair,
    groups: int,
) -> tuple[int, int, int, int]:
    """(B, C_out, H_out, W_out) for normalised attributes (see :func:`check_args`).

    H_out = (H + top + bottom - dh * (kH - 1) - 1) // sh + 1, and likewise for W.
    """
    del groups  # C_out is weight.shape[0] whatever the grouping
    b, _, h, w = input_shape
    c_out, _, kh, kw = weight_shape
    sh, sw = stride
    top, bottom, left, right = padding
    dh, dw = dilation
    h_out = (h + top + bottom - dh * (kh - 1) - 1) // sh + 1
    w_out = (w + left + right - dw * (kw - 1) - 1) // sw + 1
    return (b, c_out, h_out, w_out)
