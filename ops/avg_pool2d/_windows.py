"""Average pooling's windows, shared by avg_pool2d and adaptive_avg_pool2d.

Both ops average each window of a (B, C, H, W) input plane by plane::

    out[b, c, i, j] = sum_{h in rows(i), w in cols(j)} x[b, c, h, w] / divisor(i, j)

and differ only in where window i starts and stops along an axis. This module describes
the windows (:class:`Windows`, one axis; :class:`AvgWindows`, both axes and the divisor
rule; standard library only, so the declarations can build them). The family's kernels,
one file per rung (``naive.py``, ``numpy.py``, ``numba.py``, ``cuda/direct.py``), serve
both ops and read nothing else of a geometry ``g`` than its sizes (``g.B, g.C, g.H, g.W,
g.Ho, g.Wo``) and ``g.windows``.

One formula covers both ops' windows. Window i (0 <= i < m) of an axis of n inputs
spans the positions, counted in the input with ``pad`` positions of padding before 0::

    start(i) = (i * num) // den - pad
    stop(i)  = min((i * num + ext) // den - pad, n + pad)      # [start, stop)

    avg_pool2d:          num = s, den = 1, ext = k, pad = p    -> [i*s - p, i*s - p + k)
    adaptive_avg_pool2d: num = n, den = m, ext = n + m - 1, pad = 0
                                              -> [floor(i*n/m), ceil((i+1)*n/m))

The window's input elements are [lo, hi) = [max(start, 0), min(stop, n)); its count
is ``stop - start`` (the padding counted: count_include_pad) or ``hi - lo``. The stop
is clipped to the padded input's end (PyTorch's rule: with ceil_mode the last window
may hang past it, and that part is never counted). The divisor (:meth:`AvgWindows.axis_divisors`):

    divisor_override:   d                       (the same for every window)
    avg_pool2d:         count_rows(i) * count_cols(j)
    adaptive_avg_pool2d: divide by count_rows(i), then by count_cols(j)

(the last only to round as PyTorch does: its adaptive kernel divides twice, its
avg_pool2d kernel once). Backward spreads each output's ``grad_out / divisor`` over its
window's input elements, summed where windows overlap.

Inverting the formula gives the windows holding input position h (CUDA's backward
gathers with it): with q = h + pad, they are i in [i0, i1)::

    i0 = ceil(((q + 1) * den - ext) / num)      (0 if that is <= 0)
    i1 = min(((q + 1) * den - 1) // num + 1, m)
"""
from __future__ import annotations

from typing import NamedTuple


class Windows(NamedTuple):
    """The m pooling windows along one axis of n inputs: window i spans
    ``[(i*num)//den - pad, min((i*num + ext)//den - pad, n + pad))`` in the input's
    coordinates (module docstring). All Python ints."""

    n: int
    m: int
    num: int
    den: int
    ext: int
    pad: int

    def window(self, i: int, count_pad: bool) -> tuple[int, int, int]:
        """(lo, hi, count) of window i: its input elements are [lo, hi); count is its
        size with the padding (``count_pad``) or without."""
        start = (i * self.num) // self.den - self.pad
        stop = min((i * self.num + self.ext) // self.den - self.pad, self.n + self.pad)
        lo, hi = max(start, 0), min(stop, self.n)
        return lo, hi, (stop - start) if count_pad else (hi - lo)


def pooling_windows(n: int, m: int, k: int, s: int, p: int) -> Windows:
    """avg_pool2d's windows: kernel k, stride s, padding p; window i = [i*s - p, +k)."""
    return Windows(n, m, s, 1, k, p)


def adaptive_windows(n: int, m: int) -> Windows:
    """adaptive_avg_pool2d's windows: n inputs into m outputs, window i =
    [floor(i*n/m), ceil((i+1)*n/m)). m may be 0 (no windows)."""
    return Windows(n, m, n, max(m, 1), n + m - 1, 0)


class AvgWindows(NamedTuple):
    """Both axes' windows and the divisor rule of one average pooling.

    divisor: the divisor of every window when nonzero (divisor_override); else each
    window's element count, with the padding if ``count_pad``; ``per_axis``: divide by
    the rows' count and then by the columns' (adaptive_avg_pool2d, PyTorch's rounding)
    rather than once by their product.
    """

    rows: Windows
    cols: Windows
    divisor: int
    count_pad: bool
    per_axis: bool

    def axis_divisors(self) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]:
        """(lo, hi, d) of every row window and every column window, where window
        (i, j)'s sum is divided by ``d_row(i) * d_col(j)`` (exact in floating point:
        both are small ints), or by ``d_row(i)`` and then ``d_col(j)`` when
        ``per_axis``. With a divisor override, d_row = divisor and d_col = 1."""
        rows = [self.rows.window(i, self.count_pad) for i in range(self.rows.m)]
        cols = [self.cols.window(j, self.count_pad) for j in range(self.cols.m)]
        if self.divisor:
            rows = [(lo, hi, self.divisor) for lo, hi, _ in rows]
            cols = [(lo, hi, 1) for lo, hi, _ in cols]
        return rows, cols
