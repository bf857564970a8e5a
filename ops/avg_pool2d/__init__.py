"""avg_pool2d and adaptive_avg_pool2d, one family: the declarations.

This folder holds both average poolings: they share every kernel (one file per rung,
``KERNELS[op]``), which reads the windows from the geometry. adaptive_avg_pool2d's
declaration is ``_adaptive.py`` (:func:`declare_adaptive`); avg_pool2d's follows.

2-D average pooling of a batch of images, as ``torch.nn.functional.avg_pool2d``::

    out[b, c, i, j] = sum_{p < kH, q < kW} x_pad[b, c, i*sh + p, j*sw + q] / divisor(i, j)

where ``x_pad`` is the input with ``ph`` rows of zeros on top and bottom and ``pw``
columns left and right (with ``ceil_mode`` the last window may also reach past the
bottom/right padding; that part is never counted). Shapes: input (B, C, H, W), output
(B, C, Ho, Wo), per axis (PyTorch's formula, :func:`ops._pool.pool_out_size`)::

    Ho = floor((H + 2ph - kH + (sh-1 if ceil_mode else 0)) / sh) + 1,
         minus 1 if ceil_mode and (Ho-1)*sh >= H + ph

The divisor of window (i, j), whose rows span [i*sh - ph, min(i*sh - ph + kH, H + ph))
and columns likewise, is ``divisor_override`` if given; else, with
``count_include_pad``, that span's size (rows times columns: the padding counted, the
part past the padded input not); else the number of input elements in the window.

Backward: ``grad_x[b, c, h, w] = sum over the windows (i, j) holding (h, w) of
grad_out[b, c, i, j] / divisor(i, j)``: it needs only the geometry, so forward saves
nothing.

:func:`declare` checks the arguments once and returns the :class:`Geometry` every kernel
on every device receives: ``forward(g, x) -> (out, None)`` and ``backward(g, grad_out,
None, needs_input_grad) -> (grad_x,)``. The kernels are average pooling's, shared with
adaptive_avg_pool2d (this folder's rung files); ``g.windows`` tells them where each window
starts and stops and how it is divided.

This module imports only the standard library (and ops' shared pure-Python helpers):
the layers above import it, never the other way round.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from .. import _pool
from .._args import is_int
from .._pool import check_bool, check_half_padding, pool_input_shape, pool_out_size, pool_pairs
from ._adaptive import Geometry as AdaptiveGeometry  # noqa: F401  (the family's names)
from ._adaptive import check_attrs as check_adaptive_attrs  # noqa: F401
from ._adaptive import declare as declare_adaptive  # noqa: F401
from ._windows import AvgWindows, pooling_windows
from ...errors import RuntimeValueError  # PyTorch's RuntimeError, also a ValueError

# naive: Python loops; numpy: separable gathers + bincount; numba: prange over planes;
# cuda direct: one thread per output / per input element.
OPS = ("avg_pool2d", "adaptive_avg_pool2d")
IMPLEMENTATIONS = {"cpu": ("naive", "numpy", "numba"), "cuda": ("direct",)}
# numba first; without numba installed the registry falls back to numpy.
DEFAULT = {"cpu": ("numba", "numpy"), "cuda": "direct"}
# The docs page that teaches this folder's ops (the site's nav and op index list it).
DOCS = "ops/avg_pool2d.md"

Pair = tuple[int, int]


class Attributes(NamedTuple):
    """avg_pool2d's attributes, checked and normalised, independent of the input's shape
    (what a layer checks when it is built)."""

    kernel_size: Pair
    stride: Pair
    padding: Pair
    ceil_mode: bool
    count_include_pad: bool
    divisor_override: int | None


class Geometry(NamedTuple):
    """One avg_pool2d call, checked and normalised by :func:`declare`: what every kernel
    reads. Input (B, C, H, W), output (B, C, Ho, Wo); a kH x kW window every sh, sw
    positions after ph, pw rows/columns of zero padding; ``windows``: the windows and the
    divisor rule as average pooling's kernels read them (``_windows.py``). Python ints,
    bools and NamedTuples."""

    B: int
    C: int
    H: int
    W: int
    Ho: int
    Wo: int
    kH: int
    kW: int
    sh: int
    sw: int
    ph: int
    pw: int
    ceil_mode: bool
    count_include_pad: bool
    divisor_override: int | None
    windows: AvgWindows

    in_shape = _pool.in_shape
    out_shape = _pool.out_shape

    def attrs(self) -> dict[str, Any]:
        """The attributes under PyTorch's names: ``{"kernel_size": (kH, kW), "stride":
        (sh, sw), "padding": (ph, pw), "ceil_mode", "count_include_pad",
        "divisor_override"}``."""
        return {
            "kernel_size": (self.kH, self.kW),
            "stride": (self.sh, self.sw),
            "padding": (self.ph, self.pw),
            "ceil_mode": self.ceil_mode,
            "count_include_pad": self.count_include_pad,
            "divisor_override": self.divisor_override,
        }


def check_attrs(
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Attributes:
    """Check avg_pool2d's attributes, whatever the input: the checks ``nn.AvgPool2d``
    runs when it is built, and :func:`declare` runs first.

    kernel_size: int or pair of ints (> 0); stride: the same, or None (or an empty
    tuple/list, as PyTorch) for ``stride = kernel_size``; padding: int or pair of ints,
    each between 0 and half the kernel size, ``p <= k // 2`` (PyTorch's rule);
    ceil_mode, count_include_pad: bools; divisor_override: None or a nonzero int
    (negative allowed, as PyTorch).

    Raises ValueError for a wrong value and TypeError for a wrong type, naming the
    argument and what was expected (PyTorch raises RuntimeError for the value errors).
    """
    kernel_p, stride_p, padding_p = pool_pairs(kernel_size, stride, padding)
    check_bool(ceil_mode, "ceil_mode")
    check_bool(count_include_pad, "count_include_pad")
    if divisor_override is not None:
        if not is_int(divisor_override):
            raise TypeError("divisor_override: expected an int or None, got "
                            f"{type(divisor_override).__name__}")
        divisor_override = int(divisor_override)
        if divisor_override == 0:
            raise RuntimeValueError("divisor_override: expected a nonzero int, got 0")
    check_half_padding(padding_p, kernel_p)
    return Attributes(kernel_p, stride_p, padding_p, ceil_mode, count_include_pad, divisor_override)


def declare(
    input_shape: tuple[int, ...],
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Geometry:
    """Check avg_pool2d's arguments once and return the :class:`Geometry` the kernels
    receive.

    input_shape: (B, C, H, W) with C, H, W >= 1 (B may be 0); the attributes as
    :func:`check_attrs`. ``declare(...).attrs()`` gives them normalised:
    ``{"kernel_size": (kH, kW), "stride": (sh, sw), "padding": (ph, pw),
    "ceil_mode": bool, "count_include_pad": bool, "divisor_override": int | None}``.

    Raises ValueError for a wrong value or shape (an input too small for one window
    included) and TypeError for a wrong type, naming the argument and what was expected.
    """
    b, c, h, w = pool_input_shape(input_shape)
    a = check_attrs(kernel_size, stride, padding, ceil_mode, count_include_pad,
                    divisor_override)
    (kh, kw), (sh, sw), (ph, pw) = a.kernel_size, a.stride, a.padding
    ho = pool_out_size(h, kh, sh, ph, 1, ceil_mode)
    wo = pool_out_size(w, kw, sw, pw, 1, ceil_mode)
    if ho < 1 or wo < 1:
        raise RuntimeValueError(
            f"input: spatial size {(h, w)} is too small for kernel_size={a.kernel_size}, "
            f"padding={a.padding}: calculated output size {(ho, wo)}, expected at least "
            "(1, 1)"
        )
    windows = AvgWindows(pooling_windows(h, ho, kh, sh, ph), pooling_windows(w, wo, kw, sw, pw),
                         a.divisor_override or 0, count_include_pad, False)
    return Geometry(b, c, h, w, ho, wo, kh, kw, sh, sw, ph, pw, ceil_mode, count_include_pad,
                    a.divisor_override, windows)

