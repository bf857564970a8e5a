"""adaptive_avg_pool2d: the declaration (argument checks, normalisation, the geometry).

2-D average pooling to a given output size, as
``torch.nn.functional.adaptive_avg_pool2d``: the H x W input plane is cut into Ho x Wo
windows whose edges spread evenly over it, and each output is its window's mean::

    out[b, c, i, j] = sum_{h in [h0(i), h1(i)), w in [w0(j), w1(j))} x[b, c, h, w]
                      / (h1(i) - h0(i)) / (w1(j) - w0(j))

    h0(i) = floor(i * H / Ho),   h1(i) = ceil((i + 1) * H / Ho)      (and w0, w1 with W, Wo)

Windows may overlap by one element (H not a multiple of Ho) or repeat (Ho > H); with
Ho = H/k for an integer k they are avg_pool2d(x, k)'s. Shapes: input (B, C, H, W),
output (B, C, Ho, Wo). The division is by the rows' count and then the columns', the
rounding of PyTorch's CPU kernel.

Backward: ``grad_x[b, c, h, w] = sum over the windows (i, j) holding (h, w) of
grad_out[b, c, i, j] / (h1(i) - h0(i)) / (w1(j) - w0(j))``; forward saves nothing.

:func:`declare` checks the arguments once and returns the :class:`Geometry` every kernel
receives: ``forward(g, x) -> (out, None)``, ``backward(g, grad_out, None,
needs_input_grad) -> (grad_x,)``. The kernels are average pooling's, shared with
avg_pool2d (this family's rung files); ``g.windows`` describes the windows above.

It is part of the avg_pool2d family folder (``ops/avg_pool2d/__init__.py`` declares the
implementations). This module imports only the standard library and ops' shared
pure-Python helpers.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from .. import _pool
from .._args import is_int
from ._windows import AvgWindows, adaptive_windows
from .._pool import pool_input_shape

class Geometry(NamedTuple):
    """One adaptive_avg_pool2d call, checked and normalised by :func:`declare`: input
    (B, C, H, W), output (B, C, Ho, Wo) and ``windows``, average pooling's window
    description (``_windows.py``). Python ints and NamedTuples."""

    B: int
    C: int
    H: int
    W: int
    Ho: int
    Wo: int
    windows: AvgWindows

    in_shape = _pool.in_shape
    out_shape = _pool.out_shape

    def attrs(self) -> dict[str, Any]:
        """The attribute under PyTorch's name: ``{"output_size": (Ho, Wo)}``."""
        return {"output_size": (self.Ho, self.Wo)}


def check_attrs(output_size: int | tuple[int | None, int | None]) -> tuple[int | None, int | None]:
    """Check adaptive_avg_pool2d's output_size, whatever the input: the check
    ``nn.AdaptiveAvgPool2d`` runs when it is built, and :func:`declare` runs first.

    output_size: an int (Ho = Wo) or a tuple/list of 2, each an int or None (keep that
    input size); sizes >= 0 (0 gives an empty output, as PyTorch). Returns (Ho, Wo)
    with the Nones kept. Raises ValueError for a wrong value or length, TypeError for a
    wrong type, naming the argument (PyTorch raises RuntimeError for the value errors).
    """
    if is_int(output_size):
        sizes: tuple = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)):
        if len(output_size) != 2:
            raise ValueError("output_size: expected an int or a tuple of 2 ints (or None), "
                             f"got {len(output_size)} values {tuple(output_size)!r}")
        if not all(s is None or is_int(s) for s in output_size):
            raise TypeError("output_size: expected ints or None, got "
                            f"{tuple(type(s).__name__ for s in output_size)}")
        sizes = tuple(None if s is None else int(s) for s in output_size)
    else:
        raise TypeError("output_size: expected an int or a tuple of 2 ints (or None), got "
                        f"{type(output_size).__name__}")
    if any(s is not None and s < 0 for s in sizes):
        raise ValueError(f"output_size: expected sizes >= 0, got {sizes}")
    return sizes


def declare(input_shape: tuple[int, ...],
            output_size: int | tuple[int | None, int | None]) -> Geometry:
    """Check adaptive_avg_pool2d's arguments once and return the :class:`Geometry` the
    kernels receive.

    input_shape: (B, C, H, W) with C, H, W >= 1 (B may be 0); output_size as
    :func:`check_attrs`. ``declare(...).attrs()`` gives ``{"output_size": (Ho, Wo)}``
    with the Nones replaced by the input's sizes.
    """
    b, c, h, w = pool_input_shape(input_shape)
    oh, ow = check_attrs(output_size)
    ho = h if oh is None else oh
    wo = w if ow is None else ow
    windows = AvgWindows(adaptive_windows(h, ho), adaptive_windows(w, wo), 0, False, True)
    return Geometry(b, c, h, w, ho, wo, windows)
