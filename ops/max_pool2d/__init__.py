"""max_pool2d: the declaration (argument checks, normalisation, the geometry).

2-D max pooling of a batch of images, as ``torch.nn.functional.max_pool2d``::

    out[b, c, i, j] = max_{p < kH, q < kW} x_pad[b, c, i*sh + p*dh, j*sw + q*dw]

where ``x_pad`` is the input padded with ``-inf`` (``ph`` rows on top and bottom, ``pw``
columns left and right; with ``ceil_mode`` the last window may also reach past the
bottom/right padding, into more ``-inf``). Shapes: input (B, C, H, W), output and
indices (B, C, Ho, Wo). ``indices[b, c, i, j] = h * W + w``, the flat position in
the (H, W) plane of input ``(b, c)`` where the maximum was found; padding is never picked.

:func:`declare` checks the arguments once and returns the :class:`Geometry` every kernel
on every device receives (sizes, normalised attributes, output size):
``forward(g, x) -> ((out, indices), saved)`` and
``backward(g, grad_out, saved, needs_input_grad) -> (grad_x,)``. Every forward writes
the same out and indices (int64): a window's winner is the first of its taps in scan
order (row by row) holding its maximum, or the last NaN if it holds any, as in PyTorch;
a window of -inf still names an input element. Backward sums grad_out over the windows
each input element won, in grad_out's dtype. The CPU versions save the indices (they
never read x again); what each CUDA version saves is in ``cuda/__init__.py``.

This module imports only the standard library and the shared declaration helpers
(``ops/_args.py``, ``ops/_pool.py``): the layers above import it, never the other way round.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .. import _pool
from .._args import pair
from .._pool import check_bool, check_half_padding, pool_input_shape, pool_out_size, pool_pairs
from ...errors import RuntimeValueError  # PyTorch's RuntimeError, also a ValueError

# naive: Python loops; numpy: window views + argmax; numba: prange over the (b, c) planes.
IMPLEMENTATIONS = {"cpu": ("naive", "numpy", "numba"), "cuda": ("direct", "tiled", "fused")}
# numba is several times faster than numpy at max_pool2d(x, 2), forward and backward;
# without numba installed the registry falls back to numpy.
DEFAULT = {"cpu": ("numba", "numpy"), "cuda": "fused"}
# The docs page that teaches this folder's ops (the site's nav and op index list it).
DOCS = "ops/max_pool2d.md"


def _first_inside(start: int, k: int, d: int, n: int) -> bool:
    """Whether a window starting at ``start`` (taps start + t*d, t < k) has a tap in [0, n)."""
    t = -(start // d) if start < 0 else 0  # the first tap at or after 0
    return t < k and 0 <= start + t * d < n


class Geometry(NamedTuple):
    """One max_pool2d call, checked and normalised by :func:`declare`: what every kernel
    reads. Input (B, C, H, W), output and indices (B, C, Ho, Wo); the window is kH x kW
    taps, ``sh, sw`` apart between windows, ``dh, dw`` apart within one, after
    ``ph, pw`` rows/columns of ``-inf`` padding on each side. All Python ints (and a bool).
    """

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
    dh: int
    dw: int
    ceil_mode: bool

    in_shape = _pool.in_shape  # (B, C, H, W): the input's shape, and its gradient's
    out_shape = _pool.out_shape  # (B, C, Ho, Wo): the output's shape, and the indices'

    @property
    def window(self) -> tuple[int, int, int, int, int, int, int, int]:
        """(kH, kW, sh, sw, ph, pw, dh, dw): the window, in the kernels' argument order."""
        return (self.kH, self.kW, self.sh, self.sw, self.ph, self.pw, self.dh, self.dw)

    @property
    def span_h(self) -> int:
        """Input rows one dilated window covers, (kH - 1) * dh + 1."""
        return (self.kH - 1) * self.dh + 1

    @property
    def span_w(self) -> int:
        """Input columns one dilated window covers, (kW - 1) * dw + 1."""
        return (self.kW - 1) * self.dw + 1

    def attrs(self) -> dict[str, Any]:
        """The attributes under PyTorch's names: ``{"kernel_size": (kH, kW), "stride":
        (sh, sw), "padding": (ph, pw), "dilation": (dh, dw), "ceil_mode": bool}``."""
        return {
            "kernel_size": (self.kH, self.kW),
            "stride": (self.sh, self.sw),
            "padding": (self.ph, self.pw),
            "dilation": (self.dh, self.dw),
            "ceil_mode": self.ceil_mode,
        }


def check_attrs(
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
) -> tuple[Pair, Pair, Pair, Pair, bool]:
    """Check max_pool2d's attributes, whatever the input: what :func:`declare` checks
    first and what ``nn.MaxPool2d`` checks when it is built, with the same messages.
    Returns ``(kernel_size, stride, padding, dilation, ceil_mode)`` normalised."""
    kernel_p, stride_p, padding_p = pool_pairs(kernel_size, stride, padding)
    dilation_p = pair(dilation, "dilation", allow_single=True)
    if min(dilation_p) < 1:
        raise RuntimeValueError(f"dilation: expected positive values, got {dilation_p}")
    check_bool(ceil_mode, "ceil_mode")
    # PyTorch's rule is on the kernel size itself, not the dilated one.
    check_half_padding(padding_p, kernel_p)
    return kernel_p, stride_p, padding_p, dilation_p, ceil_mode


def declare(
    input_shape: tuple[int, ...],
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
) -> Geometry:
    """Check max_pool2d's arguments once and return the :class:`Geometry` the kernels receive.

    input_shape: (B, C, H, W) with C, H, W >= 1 (B may be 0). kernel_size, dilation:
    int or pair of ints (> 0); stride: the same, or None (or an empty tuple/list, as
    PyTorch) for ``stride = kernel_size``; padding: int or pair of ints, each between 0
    and half the (undilated) kernel size, ``p <= k // 2``, PyTorch's rule;
    ceil_mode: bool.

    Output size per axis: ``ops/_pool.py``'s :func:`pool_out_size` (PyTorch's formula).
    ``declare(...).attrs()`` gives ``{"kernel_size": (kh, kw), "stride": (sh, sw),
    "padding": (ph, pw), "dilation": (dh, dw), "ceil_mode": bool}``.

    Raises ValueError for a wrong value or shape and TypeError for a wrong type, naming
    the argument and what was expected. Differences from PyTorch: PyTorch raises
    RuntimeError for the value errors; and where a window (possible only with a
    dilation > 1) holds nothing but padding, PyTorch returns -inf with an index outside
    the input, this raises ValueError.
    """
    input_shape = pool_input_shape(input_shape)
    kernel_p, stride_p, padding_p, dilation_p, ceil_mode = check_attrs(
        kernel_size, stride, padding, dilation, ceil_mode)

    out = tuple(pool_out_size(input_shape[2 + axis], kernel_p[axis], stride_p[axis],
                              padding_p[axis], dilation_p[axis], ceil_mode) for axis in range(2))
    if out[0] < 1 or out[1] < 1:
        raise RuntimeValueError(
            f"input: spatial size {input_shape[2:]} is too small for kernel_size={kernel_p}, "
            f"dilation={dilation_p}, padding={padding_p}: calculated output size "
            f"{out}, expected at least (1, 1)"
        )

    # A window starting inside the input holds an input tap, and pool_out_size's formula
    # keeps every start below the input's end; one starting in the left padding can
    # step over the whole input when its dilation is large, e.g. k=2, d=5, p=1, H=4.
    for axis, name in ((0, "H"), (1, "W")):
        n, k, s, p, d = (input_shape[2 + axis], kernel_p[axis], stride_p[axis],
                         padding_p[axis], dilation_p[axis])
        for i in range(min(out[axis], p // s + 1)):
            if not _first_inside(i * s - p, k, d, n):
                raise RuntimeValueError(
                    f"dilation: with dilation={dilation_p}, padding={padding_p} and "
                    f"kernel_size={kernel_p}, pooling window {i} along {name} covers only "
                    f"padding (input size {n}); expected every window to overlap the input"
                )

    return Geometry(*input_shape, *out, *kernel_p, *stride_p, *padding_p, *dilation_p,
                    ceil_mode)
