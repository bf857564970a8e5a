"""conv2d: the declaration (argument checks, normalisation, the geometry).

2-D cross-correlation of a batch of images with a bank of filters, as
``torch.nn.functional.conv2d``::

    out[b, oc, i, j] = bias[oc]
        + sum_{c, p, q} x_pad[b, g*Cg + c, i*sh + p*dh, j*sw + q*dw] * w[oc, c, p, q]

with ``g = oc // (C_out // groups)`` the group of output channel ``oc`` and
``Cg = C_in // groups`` the input channels per group. Shapes: input (B, C_in, H, W),
weight (C_out, C_in // groups, kH, kW), bias (C_out,), output (B, C_out, H_out, W_out).

:func:`declare` checks the arguments once and returns a :class:`Geometry`, which every
kernel on every device receives: the sizes, ``stride=(sh, sw)``,
``padding=(top, bottom, left, right)``, ``dilation=(dh, dw)``, ``groups`` and the output
size. Padding is a 4-tuple because ``padding="same"`` with an even (dilated) kernel pads
one more row/column at the bottom/right, as PyTorch does.

This module imports only the standard library: the layers above import it, never the
other way round.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .._args import is_int as _is_int
from .._args import pair
from .._args import shape as _shape
from ...errors import RuntimeValueError  # PyTorch's RuntimeError, also a ValueError

IMPLEMENTATIONS = {"cpu": ("naive", "numpy", "numba"), "cuda": ("direct", "tiled", "gemm")}
# Order of preference: the first that imports (numba is optional) is the default.
DEFAULT = {"cpu": ("numba", "numpy"), "cuda": "gemm"}
# The docs page that teaches this folder's ops (the site's nav and op index list it).
DOCS = "ops/conv2d.md"

Pair = tuple[int, int]
Padding4 = tuple[int, int, int, int]


class Geometry(NamedTuple):
    """One conv2d call, checked and normalised: every size and attribute any kernel
    needs, as Python ints (the CUDA kernels take them as arguments).

    H_out = (H + top + bottom - dh * (kH - 1) - 1) // sh + 1, and likewise W_out.
    """

    B: int
    C: int  # input channels, C_in
    H: int
    W: int
    Co: int  # output channels, C_out
    Cg: int  # input channels per group, C_in // groups
    Og: int  # output channels per group, C_out // groups
    kH: int
    kW: int
    Ho: int
    Wo: int
    sh: int
    sw: int
    top: int
    bottom: int
    left: int
    right: int
    dh: int
    dw: int
    groups: int
    has_bias: bool  # backward's grad_bias: the bias itself is not saved

    @property
    def out_shape(self) -> tuple[int, int, int, int]:
        """(B, C_out, H_out, W_out)."""
        return (self.B, self.Co, self.Ho, self.Wo)

    @property
    def Hp(self) -> int:
        """Rows of the zero-padded input."""
        return self.H + self.top + self.bottom

    @property
    def Wp(self) -> int:
        """Columns of the zero-padded input."""
        return self.W + self.left + self.right

    @property
    def stride(self) -> Pair:
        return (self.sh, self.sw)

    @property
    def padding(self) -> Padding4:
        return (self.top, self.bottom, self.left, self.right)

    @property
    def dilation(self) -> Pair:
        return (self.dh, self.dw)

    def attrs(self) -> dict[str, Any]:
        """The attributes under PyTorch's names, normalised (what graph pictures show)."""
        return {"stride": self.stride, "padding": self.padding,
                "dilation": self.dilation, "groups": self.groups}


def _positive_pair(value: Any, name: str) -> Pair:
    p = pair(value, name)
    if min(p) < 1:
        raise RuntimeValueError(f"{name}: expected positive values, got {p}")
    return p


def check_attrs(
    kernel_size: Any,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: Any = 1,
) -> tuple[Pair, Pair, "Pair | str", Pair, int]:
    """Check conv2d's attributes, whatever the shapes: what :func:`declare` checks first
    and what ``nn.Conv2d`` checks when it is built, so both give the same messages.

    kernel_size, stride, dilation: int or pair of ints (> 0); padding: int or pair of
    ints (>= 0), or "valid" / "same" ("same" needs stride 1); groups: a positive int.
    Returns ``(kernel_size, stride, padding, dilation, groups)`` normalised: pairs of
    Python ints (padding stays a string when it is one; kernel_size None stays None)
    and an int.
    """
    # kernel_size None: declare's call, where the weight's shape gives the kernel.
    kernel_p = None if kernel_size is None else _positive_pair(kernel_size, "kernel_size")
    if type(groups) is not int and not _is_int(groups):
        raise TypeError(f"groups: expected an int, got {type(groups).__name__}")
    groups = int(groups)
    if groups < 1:
        raise RuntimeValueError(f"groups: expected a positive int, got {groups}")
    stride_p = pair(stride, "stride")
    if min(stride_p) < 1:
        raise RuntimeValueError(f"stride: expected positive values, got {stride_p}")
    dilation_p = pair(dilation, "dilation")
    if min(dilation_p) < 1:
        raise RuntimeValueError(f"dilation: expected positive values, got {dilation_p}")
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise RuntimeValueError(
                f"padding: expected an int, a tuple of 2 ints, 'valid' or 'same', "
                f"got the string {padding!r}"
            )
        if padding == "same" and stride_p != (1, 1):
            raise RuntimeValueError(
                f"padding='same' is not supported for strided convolutions: "
                f"expected stride 1, got stride={stride_p}"
            )
        return kernel_p, stride_p, padding, dilation_p, groups
    padding_p = pair(padding, "padding")
    if min(padding_p) < 0:
        raise RuntimeValueError(f"padding: expected non-negative values, got {padding_p}")
    return kernel_p, stride_p, padding_p, dilation_p, groups


def _padding(padding: "Pair | str", dilation: Pair, kernel: Pair) -> Padding4:
    """A checked padding (pair, "valid" or "same") -> (top, bottom, left, right)."""
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        # PyTorch puts the odd extra row/column at the bottom/right.
        pads = []
        for d, k in zip(dilation, kernel):
            total = d * (k - 1)
            pads += [total // 2, total - total // 2]
        return (pads[0], pads[1], pads[2], pads[3])
    ph, pw = padding
    return (ph, ph, pw, pw)


def declare(
    input_shape: tuple[int, ...],
    weight_shape: tuple[int, ...],
    bias_shape: tuple[int, ...] | None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> Geometry:
    """Check conv2d's arguments and return the :class:`Geometry` the kernels receive.

    input_shape: (B, C_in, H, W); weight_shape: (C_out, C_in // groups, kH, kW);
    bias_shape: (C_out,) or None. stride, dilation: int or pair of ints (> 0);
    padding: int or pair of ints (>= 0), or "valid" / "same" ("same" needs stride 1).

    ``declare(...).attrs()`` is ``{"stride": (sh, sw), "padding": (top, bottom, left,
    right), "dilation": (dh, dw), "groups": groups}``.

    Raises ValueError for a wrong value or shape, TypeError for a wrong type, naming the
    argument and what was expected. PyTorch raises RuntimeError for most of these.
    """
    input_shape = _shape(input_shape, "input")
    weight_shape = _shape(weight_shape, "weight")
    if len(input_shape) != 4:
        raise RuntimeValueError(
            f"input: expected a 4-D shape (B, C_in, H, W), got shape {input_shape}"
        )
    if len(weight_shape) != 4:
        raise RuntimeValueError(
            "weight: expected a 4-D tensor (C_out, C_in // groups, kH, kW), "
            f"got shape {weight_shape}"
        )
    if any(s < 1 for s in weight_shape):
        raise RuntimeValueError(f"weight: expected all dimensions >= 1, got shape {weight_shape}")

    _, stride_p, padding, dilation_p, groups = check_attrs(None, stride, padding, dilation, groups)

    b, c_in, h, w = input_shape
    c_out, c_per_group, kh, kw = weight_shape
    if c_in % groups != 0:
        raise RuntimeValueError(
            f"groups: input channels C_in={c_in} must be divisible by groups={groups}"
        )
    if c_out % groups != 0:
        raise RuntimeValueError(
            f"groups: weight out_channels (weight.shape[0]={c_out}) must be divisible "
            f"by groups={groups}"
        )
    if c_in != c_per_group * groups:
        raise RuntimeValueError(
            f"weight: expected weight.shape[1] * groups == input channels, got "
            f"weight of shape {weight_shape} with groups={groups} "
            f"({c_per_group * groups} channels) and input of shape {input_shape} "
            f"({c_in} channels)"
        )
    if bias_shape is not None:
        bias_shape = _shape(bias_shape, "bias")
        if bias_shape != (c_out,):
            raise RuntimeValueError(
                f"bias: expected shape ({c_out},) to match weight.shape[0], "
                f"got shape {bias_shape}"
            )

    pad4 = _padding(padding, dilation_p, (kh, kw))
    padded = (h + pad4[0] + pad4[1], w + pad4[2] + pad4[3])
    dilated = (dilation_p[0] * (kh - 1) + 1, dilation_p[1] * (kw - 1) + 1)
    if padded[0] < dilated[0] or padded[1] < dilated[1]:
        raise RuntimeValueError(
            f"weight: the (dilated) kernel size {dilated} can't be larger than the "
            f"padded input size {padded} (input {(h, w)}, padding {pad4})"
        )
    sh, sw = stride_p
    top, bottom, left, right = pad4
    dh, dw = dilation_p
    return Geometry(
        B=b, C=c_in, H=h, W=w, Co=c_out, Cg=c_per_group, Og=c_out // groups, kH=kh, kW=kw,
        Ho=(padded[0] - dilated[0]) // sh + 1, Wo=(padded[1] - dilated[1]) // sw + 1,
        sh=sh, sw=sw, top=top, bottom=bottom, left=left, right=right, dh=dh, dw=dw,
        groups=groups, has_bias=bias_shape is not None,
    )
